// Reverse mode over the DAG: one sweep from the output back to the inputs,
// in reverse topological order, accumulating adjoints with the VJP table.
// Each node's rule runs once, so the gradient costs a small constant times
// the forward computation (the cheap-gradient principle).

import { sameShape, type Shape } from "../tensor/shape.js";
import { reachable, type Graph, type Node } from "../graph/node.js";
import { sugar } from "../graph/sugar.js";
import { opDef } from "../ops/index.js";

export interface Step {
  /** The node whose adjoint was propagated, and the argument that received a term. */
  readonly node: Node;
  readonly arg: Node;
  readonly rule: string;
  readonly term: Node;
}

export interface Gradients {
  /** The adjoint of each requested variable; null where the output does not depend on it. */
  readonly grads: readonly (Node | null)[];
  /** Every term, in the order the sweep made them (for `nndc explain`). */
  readonly steps: readonly Step[];
  /** The adjoint of every node the sweep reached. */
  readonly adjoints: ReadonlyMap<Node, Node>;
}

/** Gradients of a scalar `output` with respect to `wrt`, seeded with `seed` (default 1). */
export function gradients(g: Graph, output: Node, wrt: readonly Node[], seed?: Node): Gradients {
  const $ = sugar(g);
  const nodes = reachable([output]);
  // Only nodes that depend on a variable of interest need an adjoint.
  const active = new Set<Node>(wrt);
  for (const n of nodes) if (n.args.some((a) => active.has(a))) active.add(n);

  const adjoints = new Map<Node, Node>();
  // The terms each node receives, summed once all have arrived: a node's users
  // come after it in topological order, so that is when the sweep reaches it.
  const received = new Map<Node, Node[]>();
  const steps: Step[] = [];
  if (active.has(output)) received.set(output, [seed ?? g.constant(1)]);
  const adjointOf = (n: Node): Node | undefined => {
    const terms = received.get(n);
    if (terms === undefined) return adjoints.get(n);
    received.delete(n);
    const sum = sumOfTerms(terms, $);
    adjoints.set(n, sum);
    return sum;
  };

  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    const adjoint = adjointOf(n);
    if (adjoint === undefined || n.args.length === 0) continue;
    const rule = opDef(n.op).vjp;
    const terms = rule.grads(adjoint, n.args, n, $);
    n.args.forEach((arg, k) => {
      const term = terms[k];
      if (!active.has(arg) || term === null || term === undefined) return;
      const fitted = unbroadcast(term, arg.shape, $);
      steps.push({ node: n, arg, rule: rule.rule, term: fitted });
      const arrived = received.get(arg);
      if (arrived === undefined) received.set(arg, [fitted]);
      else arrived.push(fitted);
    });
  }
  return { grads: wrt.map((w) => adjointOf(w) ?? null), steps, adjoints };
}

/** Sums this long are grouped as a balanced tree, so no later pass recurses once per term. */
const BALANCE_ABOVE = 32;

/**
 * Newer terms first: the sum then reads in the order of the forward uses (the
 * data term of a weight before its regulariser): t3 + (t2 + t1). A long sum
 * (a variable used thousands of times) is balanced instead of deep.
 */
function sumOfTerms(terms: readonly Node[], $: ReturnType<typeof sugar>): Node {
  const newestFirst = [...terms].reverse();
  const build = (lo: number, hi: number): Node => {
    if (hi - lo >= BALANCE_ABOVE) {
      const middle = (lo + hi + 1) >> 1;
      return $.add(build(lo, middle - 1), build(middle, hi));
    }
    let acc = newestFirst[hi]!;
    for (let i = hi - 1; i >= lo; i--) acc = $.add(newestFirst[i]!, acc);
    return acc;
  };
  return build(0, newestFirst.length - 1);
}

/** A scalar broadcast into a tensor receives the sum of the tensor's gradient. */
function unbroadcast(term: Node, shape: Shape, $: ReturnType<typeof sugar>): Node {
  if (sameShape(term.shape, shape)) return term;
  if (shape.length === 0) return $.sum(term);
  // A scalar term for a tensor argument: the same value in every entry.
  if (term.shape.length === 0) return $.broadcast(term, shape);
  throw new Error(`internal: gradient of shape [${term.shape}] for an argument of shape [${shape}]`);
}

/**
 * diff(e, x) (docs/language.md, diff): shape(e) ++ shape(x). A gradient for scalar e;
 * for a tensor e, one reverse sweep per entry of e, stacked (a Jacobian).
 */
export function derivative(g: Graph, e: Node, x: Node): Node {
  const $ = sugar(g);
  const gradientOf = (scalar: Node) => gradients(g, scalar, [x]).grads[0] ?? $.zeros(x.shape);
  if (e.shape.length === 0) return gradientOf(e);
  const rows: Node[] = [];
  for (let i = 0; i < e.shape[0]!; i++) {
    const row = $.index(e, [i]);
    if (e.shape.length === 1) rows.push(gradientOf(row));
    else {
      const entries: Node[] = [];
      for (let j = 0; j < e.shape[1]!; j++) entries.push(gradientOf($.index(row, [j])));
      rows.push($.stack(entries));
    }
  }
  return $.stack(rows);
}
