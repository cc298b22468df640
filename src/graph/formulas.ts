// Which parts of a derivative to name when printing it, so that it reads
// like the textbook: a subexpression used more than once gets a name of its
// own (δ for backward quantities, z for forward ones), the user's
// intermediates keep their names, and every definition comes before its use.
//
//   δ₂ = ŷ − y
//   δ₁ = (δ₂ w₂) ⊙ (1 − h²)
//   ∂L/∂W₁ = δ₁ xᵀ + 0.0002 W₁

import { reachable, type Node } from "./node.js";

export interface Definition {
  readonly name: string;
  readonly node: Node;
}

export interface Formulas {
  /** Forward definitions the results refer to, in computation order. */
  readonly forward: readonly Definition[];
  /** Shared backward quantities, in computation order. */
  readonly backward: readonly Definition[];
  /** Every named node, for the printer. */
  readonly names: ReadonlyMap<Node, string>;
}

/** Nodes that read as well inline as under a name: x, 2, Wᵀ, v[0]. */
function isSimple(n: Node): boolean {
  if (n.args.length === 0) return true;
  if (n.op === "broadcast" || n.op === "transpose" || n.op === "index" || n.op === "neg") return isSimple(n.args[0]!);
  return false;
}

export interface NamingOptions {
  /** Whether a shared node is worth a name; by default every one is (layers of a model). */
  readonly worthNaming?: (n: Node) => boolean;
  /**
   * The backward quantities (adjoints, each with the forward node it flows
   * into): only these are named δ, after the user's name of that node where
   * it has one (δ_h); other shared parts of a derivative are forward
   * quantities, named z. Without it, every shared node outside the forward
   * graph is a δ.
   */
  readonly adjoints?: ReadonlyMap<Node, Node>;
  /** Name the error flowing into every affine layer (a model's δ per layer), used once or more, not only shared ones. */
  readonly everyAdjoint?: boolean;
}

export function chooseNames(
  forwardRoots: readonly Node[],
  userNames: ReadonlyMap<Node, string>,
  results: readonly Node[],
  options: NamingOptions = {},
): Formulas {
  const { worthNaming = () => true, adjoints, everyAdjoint = false } = options;
  const forwardNodes = new Set(reachable(forwardRoots));
  const resultSet = new Set(results);
  // The error flowing into a layer's affine map (W a + b, w · a + b, or W a
  // without a bias): a δ of
  // its own however often it is used, one per layer, as backpropagation is taught.
  const isLayerError = (n: Node): boolean => {
    const into = adjoints?.get(n);
    const product = (a: Node) => a.op === "matmul" || a.op === "dot";
    const affine = into !== undefined && (product(into) || (into.op === "add" && into.args.some(product)));
    return affine && !resultSet.has(n) && !forwardNodes.has(n);
  };
  const names = new Map(userNames);
  // Count the uses of each node in what will be printed: the results and the
  // definitions of the named nodes they reach. Each node's own arguments are
  // counted once, however often the node is used.
  const uses = new Map<Node, number>();
  const expanded = new Set<Node>();
  const definitions = new Set<Node>(); // named forward nodes whose definitions are printed
  const stack = [...results];
  for (const r of results) uses.set(r, (uses.get(r) ?? 0) + 1);
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (expanded.has(n)) continue;
    expanded.add(n);
    if (names.has(n) && n.args.length > 0) definitions.add(n);
    for (const a of n.args) {
      uses.set(a, (uses.get(a) ?? 0) + 1);
      stack.push(a);
    }
  }

  const shared = [...uses]
    // A negation is never named (−z₁ reads better than a name of its own),
    // nor a literal [a, b] (a row of a matrix stays in its grid).
    .filter(([n, count]) => (count >= 2 || (everyAdjoint && isLayerError(n))) && !names.has(n) && !isSimple(n) && n.op !== "neg" && n.op !== "stack" && worthNaming(n))
    .map(([n]) => n)
    .sort((a, b) => a.id - b.id);
  const isBackward = (n: Node) => !forwardNodes.has(n) && (adjoints === undefined || adjoints.has(n));
  const forwardTemps = shared.filter((n) => !isBackward(n));
  const backwardTemps = shared.filter(isBackward);
  forwardTemps.forEach((n, i) => names.set(n, `z${i + 1}`));
  // δ after the user's name of what it flows into; the others numbered from
  // the input side, as layers are: the last computed is δ₁.
  const userNamed = (n: Node) => {
    const into = adjoints?.get(n);
    return into === undefined ? undefined : userNames.get(into);
  };
  const numbered = backwardTemps.filter((n) => userNamed(n) === undefined);
  numbered.forEach((n, i) => names.set(n, `delta${numbered.length - i}`));
  for (const n of backwardTemps) {
    const user = userNamed(n);
    if (user !== undefined) names.set(n, `delta_${user}`);
  }

  const forward = [...definitions, ...forwardTemps]
    .sort((a, b) => a.id - b.id)
    .map((node) => ({ name: names.get(node)!, node }));
  const backward = backwardTemps.map((node) => ({ name: names.get(node)!, node }));
  return { forward, backward, names };
}
