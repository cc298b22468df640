// The derivation pipeline, shared by the commands that show or run
// derivatives: build the graph from the checked program, put it in stable
// form, differentiate (reverse mode), simplify. Data flows one way:
// check → graph → diff → simplify.

import type { CheckedProgram } from "../check/checked.js";
import { GraphBuilder, type FnGraph, type ModelGraph } from "../diff/build.js";
import { derivative, gradients } from "../diff/reverse.js";
import { stabilise } from "../diff/stable.js";
import type { Graph, Node } from "../graph/node.js";
import { sugar } from "../graph/sugar.js";
import { simplify } from "../simplify/simplify.js";

export interface Derived {
  readonly graph: Graph;
  /** The forward values (a model's loss and outputs, or a fn's value), stable and simplified. */
  readonly forward: readonly { readonly name: string; readonly node: Node }[];
  /** Named intermediates, for printing (a node may have several names; the first is used). */
  readonly names: ReadonlyMap<Node, string>;
  /**
   * The variables differentiated against, in order, and their gradients (for
   * a tensor-valued fn: Jacobians; a scalar 0 where the rank would pass 2).
   */
  readonly wrt: readonly Node[];
  /** Null where the derivative would have rank above 2. */
  readonly grads: readonly (Node | null)[];
  /**
   * Backward quantities: each node of the simplified derivatives that is the
   * adjoint of a forward node (the error flowing back into it, ∂L/∂h), and
   * that forward node. Printing names these δ and nothing else.
   */
  readonly adjoints: ReadonlyMap<Node, Node>;
}

export interface DerivedModel extends Derived {
  /** A model's loss is a scalar: every gradient exists. */
  readonly grads: readonly Node[];
  readonly model: ModelGraph;
  readonly loss: Node;
  readonly outputs: readonly { readonly name: string; readonly node: Node }[];
}

export interface DerivedFn extends Derived {
  readonly fn: FnGraph;
  readonly value: Node;
}

/**
 * The most parameter entries a model may have for its Hessian (compile
 * --hessian, Newton's method). The code no longer limits it (see
 * `hessianVectorProduct`); the Hessian itself does: it holds P² numbers, and
 * each Newton step factors it (P³/6 multiply-adds) and forms it (one
 * Hessian-vector product per entry over all the data). At 1024 entries that
 * is 8 MiB, about 2·10⁸ operations a solve, and (for a one-hidden-layer
 * network of 992 entries) about 20 ms an example to form.
 */
export const MAX_HESSIAN_PARAMS = 1024;

/**
 * The Hessian of a model's loss as one Hessian-vector product: H v for a
 * direction v that has one variable per parameter, of its shape. The
 * generated code evaluates it once per basis vector to fill H row by row, so
 * its size does not grow with the number of parameters.
 */
export interface HessianVectorProduct {
  /** The direction's variables, one per parameter (in declaration order). */
  readonly directions: readonly Node[];
  /** (H v) per parameter: the gradient of ⟨∇L, v⟩ with respect to it. */
  readonly products: readonly Node[];
}

/** Parameter entries of a model: the size of its Hessian's side. */
export const entriesOf = (params: readonly Node[]): number => params.reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0);

/** A fn's Jacobian of rank above 2 is generated up to this many entries (as many as the largest Hessian). */
export const MAX_JACOBIAN_ENTRIES = 4096;

/** A fn's Hessian is generated up to this many argument entries. */
export const MAX_FN_HESSIAN_ENTRIES = 64;

export class Deriver {
  readonly builder: GraphBuilder;
  private readonly fns = new Map<string, DerivedFn>();
  private readonly models = new Map<string, DerivedModel>();

  constructor(checked: CheckedProgram) {
    this.builder = new GraphBuilder(checked);
  }

  get graph(): Graph {
    return this.builder.graph;
  }

  /** A model's loss, outputs and parameter gradients, derived once. */
  model(name: string): DerivedModel {
    const known = this.models.get(name);
    if (known !== undefined) return known;
    const model = this.builder.model(name);
    const forward = [
      { name: "loss", node: model.loss },
      ...model.outputs,
      ...model.bindings.filter((b) => !model.outputs.some((o) => o.name === b.name)),
    ];
    const result = this.derive(forward, model.params, 0);
    const [loss, ...rest] = result.forward;
    const outputs = rest.slice(0, model.outputs.length);
    const grads = result.grads.map((g) => g!);
    const derived = { ...result, grads, forward: [loss!, ...outputs], model, loss: loss!.node, outputs };
    this.models.set(name, derived);
    return derived;
  }

  /**
   * H v for the model's loss (reverse over reverse): the gradient, with
   * respect to the parameters, of ⟨∇L, v⟩. Its graph is a small multiple of
   * the gradient's, whatever the number of parameters. Takes the model's
   * derivation (from `model`), so that it is not derived twice.
   */
  hessianVectorProduct(d: DerivedModel): HessianVectorProduct {
    const g = this.graph;
    const $ = sugar(g);
    // The directions are named after their parameters with a mark no user name can have.
    const directions = d.wrt.map((p) => g.variable(`${p.attrs.name!}′`, "param", p.shape));
    const pairs = d.grads.map((grad, p) => {
      const v = directions[p]!;
      return grad.shape.length === 0 ? $.mul(grad, v) : $.sum($.mul(grad, v));
    });
    // A model without parameters has an empty Hessian.
    const inner = pairs.length === 0 ? g.constant(0) : pairs.reduce((a, b) => $.add(a, b));
    const raw = gradients(g, inner, d.wrt).grads.map((h, q) => h ?? $.zeros(d.wrt[q]!.shape));
    return { directions, products: simplify(g, raw).roots };
  }

  /** A fn's value and gradients, derived once (its Jacobians and Hessian start from them). */
  fn(name: string): DerivedFn {
    const known = this.fns.get(name);
    if (known !== undefined) return known;
    const fn = this.builder.fn(name);
    const result = this.derive([{ name, node: fn.body }], fn.args, 0);
    const derived = { ...result, fn, value: result.forward[0]!.node };
    this.fns.set(name, derived);
    return derived;
  }

  // ---- Derivatives beyond the parameters' gradient, made only when asked
  // (eval --wrt-inputs, --hessian, a fn's Jacobians of rank above 2).

  /**
   * The gradient of one example's loss with respect to the model's inputs
   * and targets (saliency, adversarial examples), in that order.
   */
  dataGradients(name: string): { readonly wrt: readonly Node[]; readonly grads: readonly Node[] } {
    const d = this.model(name);
    const wrt = [...d.model.inputs, ...d.model.targets];
    const $ = sugar(this.graph);
    const raw = gradients(this.graph, d.loss, wrt).grads.map((grad, i) => grad ?? $.zeros(wrt[i]!.shape));
    return { wrt, grads: simplify(this.graph, raw).roots };
  }

  /**
   * A Jacobian of any rank: for each entry of `of` (row-major), its gradient
   * with respect to each of `wrt`. Entry k's gradient of shape(w) is entry
   * [k, ...] of ∂of/∂w, whose shape is shape(of) ++ shape(w).
   */
  entryGradients(of: Node, wrt: readonly Node[]): Node[][] {
    const g = this.graph;
    const $ = sugar(g);
    const size = of.shape.reduce((a, b) => a * b, 1);
    const rows: Node[][] = [];
    for (let k = 0; k < size; k++) {
      const idx = of.shape.length === 2 ? [Math.floor(k / of.shape[1]!), k % of.shape[1]!] : of.shape.length === 1 ? [k] : [];
      const entry = idx.length === 0 ? of : $.index(of, idx);
      rows.push(gradients(g, entry, wrt).grads.map((h, q) => h ?? $.zeros(wrt[q]!.shape)));
    }
    const flat = simplify(g, rows.flat()).roots;
    return rows.map((row, j) => flat.slice(j * row.length, (j + 1) * row.length));
  }

  /**
   * A fn's derivatives of rank above 2 (null in `fn(name).grads`), one
   * gradient per entry of its value; null where the rank is within 2, and
   * where the Jacobian would have more than MAX_JACOBIAN_ENTRIES entries
   * (its code grows with them).
   */
  fnJacobians(name: string): (readonly Node[] | null)[] {
    const d = this.fn(name);
    const size = (n: Node) => n.shape.reduce((a, b) => a * b, 1);
    const wanted = (i: number) => d.grads[i] === null && size(d.value) * size(d.wrt[i]!) <= MAX_JACOBIAN_ENTRIES;
    return d.wrt.map((w, i) => (wanted(i) ? this.entryGradients(d.value, [w]).map((row) => row[0]!) : null));
  }

  /**
   * The Hessian of a scalar fn over all its argument entries (in order,
   * row-major): row j is the gradient of entry j of the gradient. Undefined
   * for a fn whose value is not a scalar, and above `maxEntries` argument
   * entries (as for a model).
   */
  fnHessian(name: string, maxEntries = MAX_FN_HESSIAN_ENTRIES): Node[][] | undefined {
    const d = this.fn(name);
    const entries = d.wrt.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
    if (d.value.shape.length !== 0 || entries > maxEntries) return undefined;
    return d.grads.flatMap((grad) => this.entryGradients(grad!, d.wrt));
  }

  /** Stabilise, differentiate `forward[at]` (a scalar, or each entry of a tensor summed with weight 1), simplify. */
  private derive(forward: readonly { name: string; node: Node }[], wrt: readonly Node[], at: number): Derived {
    const g = this.graph;
    const $ = sugar(g);
    // Simplify the forward values first, on their own: the derivative is then
    // taken of the simplest form, and shares its nodes.
    const stable = stabilise(g, forward.map((f) => f.node)).roots;
    const forwardRoots = simplify(g, stable).roots;
    const target = forwardRoots[at]!;
    // A scalar has a gradient; a tensor-valued fn has a Jacobian per argument
    // (as diff would give), where its rank stays within 2.
    const sweep = target.shape.length === 0 ? gradients(g, target, wrt) : undefined;
    const raw =
      sweep !== undefined
        ? sweep.grads.map((grad, i) => grad ?? $.zeros(wrt[i]!.shape))
        : wrt.map((x) => (target.shape.length + x.shape.length <= 2 ? derivative(g, target, x) : null));
    const present = raw.filter((r): r is Node => r !== null);
    const simplified = simplify(g, [...forwardRoots, ...present]);
    const adjoints = new Map<Node, Node>();
    for (const [of, adjoint] of sweep?.adjoints ?? []) {
      const after = simplified.mapping.get(adjoint);
      if (after !== undefined && !adjoints.has(after) && after.args.length > 0) adjoints.set(after, simplified.mapping.get(of) ?? of);
    }
    const roots = simplified.roots;
    let next = forward.length;
    const grads = raw.map((r) => (r === null ? null : roots[next++]!));
    const names = new Map<Node, string>();
    forward.forEach((f, i) => {
      const node = roots[i]!;
      if (!names.has(node) && node.op !== "var") names.set(node, f.name);
    });
    return {
      graph: g,
      forward: forward.map((f, i) => ({ name: f.name, node: roots[i]! })),
      names,
      wrt,
      grads,
      adjoints,
    };
  }
}
