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

export function chooseNames(
  forwardRoots: readonly Node[],
  userNames: ReadonlyMap<Node, string>,
  results: readonly Node[],
  /** Whether a shared node is worth a name; by default every one is (layers of a model). */
  worthNaming: (n: Node) => boolean = () => true,
): Formulas {
  const forwardNodes = new Set(reachable(forwardRoots));
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
    .filter(([n, count]) => count >= 2 && !names.has(n) && !isSimple(n) && worthNaming(n))
    .map(([n]) => n)
    .sort((a, b) => a.id - b.id);
  const forwardTemps = shared.filter((n) => forwardNodes.has(n));
  const backwardTemps = shared.filter((n) => !forwardNodes.has(n));
  forwardTemps.forEach((n, i) => names.set(n, `z${i + 1}`));
  // δ numbered from the input side, as layers are: the last computed is δ₁.
  backwardTemps.forEach((n, i) => names.set(n, `delta${backwardTemps.length - i}`));

  const forward = [...definitions, ...forwardTemps]
    .sort((a, b) => a.id - b.id)
    .map((node) => ({ name: names.get(node)!, node }));
  const backward = backwardTemps.map((node) => ({ name: names.get(node)!, node }));
  return { forward, backward, names };
}
