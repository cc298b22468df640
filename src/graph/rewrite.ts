// Named rewrite rules over the graph, in the manner of egg and tinygrad: each
// rule is a pattern, a replacement and a name, so rules can be listed, tested
// one by one, and reported by `nndc explain`.
//
// Patterns are small s-expressions over op names:
//   (mul ?a 1)             ?a matches any node
//   (pow ?x #c)            #c matches a constant and binds its value
//   (mul (pow ?x #a) (pow ?x #b))  a variable used twice must be the same node
// A replacement is a template with the same variables, or a function of the
// bindings for computed results (constant folding).

import { sameShape } from "../tensor/shape.js";
import { isOp, type OpName } from "../ops/index.js";
import { reachable, type Graph, type Node } from "./node.js";

type Pattern =
  | { readonly kind: "op"; readonly op: OpName; readonly args: readonly Pattern[] }
  | { readonly kind: "var"; readonly name: string }
  | { readonly kind: "constvar"; readonly name: string }
  | { readonly kind: "const"; readonly value: number };

export interface Bindings {
  readonly nodes: ReadonlyMap<string, Node>;
  readonly values: ReadonlyMap<string, number>;
}

export interface Rule {
  readonly name: string;
  /** `from → to`, for listings and explanations. */
  readonly text: string;
  apply(n: Node, g: Graph, context: RewriteContext): Node | undefined;
}

export interface RewriteContext {
  /**
   * True if a node is used in more than one place. A rule that restructures
   * a subtree (flattening a product) must keep such a node whole, or the
   * sharing that keeps derivatives small is lost.
   */
  shared(n: Node): boolean;
  /**
   * The op of the one node that uses n, if exactly one does (a root has
   * none). A rule that flattens a chain (a sum of sums) need not run inside
   * the chain: the chain's top takes its whole in one step, so a chain of n
   * terms costs n, not n log n again at every pass.
   */
  soleUser(n: Node): OpName | undefined;
}


export type Replacement = string | ((b: Bindings, g: Graph, n: Node) => Node | undefined);

export function rule(name: string, from: string, to: Replacement, guard?: (b: Bindings, n: Node) => boolean): Rule {
  const pattern = parsePattern(from);
  const template = typeof to === "string" ? parsePattern(to) : undefined;
  return {
    name,
    text: `${from} → ${typeof to === "string" ? to : "(computed)"}`,
    apply(n, g) {
      const b: Bindings = { nodes: new Map(), values: new Map() };
      if (!match(pattern, n, b)) return undefined;
      if (guard !== undefined && !guard(b, n)) return undefined;
      return template !== undefined ? instantiate(template, b, g) : (to as Exclude<Replacement, string>)(b, g, n);
    },
  };
}

/**
 * Every rewrite keeps the node's shape. A rule may produce a scalar where a
 * tensor stood (a * 0 → 0): that is broadcast back; any other change of shape
 * is refused.
 */
function fitShape(result: Node, original: Node, g: Graph): Node | undefined {
  if (sameShape(result.shape, original.shape)) return result;
  if (result.shape.length === 0) return g.node("broadcast", [result], { shape: original.shape });
  return undefined;
}

function match(p: Pattern, n: Node, b: Bindings): boolean {
  const nodes = b.nodes as Map<string, Node>;
  const values = b.values as Map<string, number>;
  switch (p.kind) {
    case "var": {
      const bound = nodes.get(p.name);
      if (bound !== undefined) return bound === n;
      nodes.set(p.name, n);
      return true;
    }
    case "constvar": {
      const c = constantValue(n);
      if (c === undefined) return false;
      const bound = values.get(p.name);
      if (bound !== undefined) return Object.is(bound, c);
      values.set(p.name, c);
      nodes.set(p.name, n);
      return true;
    }
    case "const":
      return constantValue(n) === p.value;
    case "op":
      return n.op === p.op && n.args.length === p.args.length && p.args.every((a, i) => match(a, n.args[i]!, b));
  }
}

/** The value of a constant node, or of a broadcast constant. */
export function constantValue(n: Node): number | undefined {
  if (n.op === "const") return n.attrs.value;
  if (n.op === "broadcast" && n.args[0]!.op === "const") return n.args[0]!.attrs.value;
  return undefined;
}

function instantiate(p: Pattern, b: Bindings, g: Graph): Node {
  switch (p.kind) {
    case "var":
    case "constvar":
      return b.nodes.get(p.name)!;
    case "const":
      return g.constant(p.value);
    case "op":
      return g.node(p.op, p.args.map((a) => instantiate(a, b, g)));
  }
}

function parsePattern(text: string): Pattern {
  const tokens = text.match(/\(|\)|[^\s()]+/g) ?? [];
  let i = 0;
  const read = (): Pattern => {
    const t = tokens[i++];
    if (t === undefined) throw new Error(`pattern ${text}: unexpected end`);
    if (t === "(") {
      const op = tokens[i++]!;
      if (!isOp(op)) throw new Error(`pattern ${text}: unknown op ${op}`);
      const args: Pattern[] = [];
      while (tokens[i] !== ")") args.push(read());
      i++;
      return { kind: "op", op, args };
    }
    if (t.startsWith("?")) return { kind: "var", name: t.slice(1) };
    if (t.startsWith("#")) return { kind: "constvar", name: t.slice(1) };
    const value = Number(t);
    if (Number.isNaN(value)) throw new Error(`pattern ${text}: bad token ${t}`);
    return { kind: "const", value };
  };
  const p = read();
  if (i !== tokens.length) throw new Error(`pattern ${text}: trailing tokens`);
  return p;
}

export interface Rewritten {
  readonly roots: Node[];
  /** Where each node under the original roots ended up. */
  readonly mapping: ReadonlyMap<Node, Node>;
  /** Each rule that fired, in order, with the node it rewrote and the result. */
  readonly steps: { readonly rule: string; readonly before: Node; readonly after: Node }[];
}

/**
 * Applies the rules bottom-up until none fires (a fixed point), with a bound
 * on the number of passes so that a rule set that cycles cannot hang.
 */
export function rewrite(g: Graph, roots: readonly Node[], rules: readonly Rule[], maxPasses = 50): Rewritten {
  const steps: Rewritten["steps"] = [];
  let current = [...roots];
  const mapping = new Map<Node, Node>(reachable(roots).map((n) => [n, n]));
  for (let pass = 0; pass < maxPasses; pass++) {
    const mapped = new Map<Node, Node>();
    const nodes = reachable(current);
    // Uses of each node in this pass: its parents, plus one for being a root.
    const uses = new Map<Node, number>();
    for (const r of current) uses.set(r, (uses.get(r) ?? 0) + 1);
    for (const n of nodes) for (const a of n.args) uses.set(a, (uses.get(a) ?? 0) + 1);
    // The op of each node's only user; null for a root or a node used twice.
    const user = new Map<Node, OpName | null>(current.map((r) => [r, null]));
    for (const n of nodes) for (const a of n.args) user.set(a, user.has(a) ? null : n.op);
    const context: RewriteContext = { shared: (n) => (uses.get(n) ?? 0) > 1, soleUser: (n) => user.get(n) ?? undefined };
    let changed = false;
    for (const n of nodes) {
      const args = n.args.map((a) => mapped.get(a)!);
      let m = args.every((a, i) => a === n.args[i]) ? n : g.node(n.op, args, n.attrs);
      for (const r of rules) {
        const result = r.apply(m, g, context);
        const after = result === undefined ? undefined : fitShape(result, m, g);
        if (after !== undefined && after !== m) {
          steps.push({ rule: r.name, before: m, after });
          m = after;
          changed = true;
          break;
        }
      }
      // The replacement stands wherever the original was used.
      if (m !== n) {
        uses.set(m, (uses.get(m) ?? 0) + (uses.get(n) ?? 0));
        user.set(m, user.has(m) ? null : (user.get(n) ?? null));
      }
      mapped.set(n, m);
    }
    current = current.map((r) => mapped.get(r)!);
    for (const [from, to] of mapping) mapping.set(from, mapped.get(to) ?? to);
    if (!changed) break;
  }
  return { roots: current, mapping, steps };
}
