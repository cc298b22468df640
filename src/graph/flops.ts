// Floating-point operation counts of graphs, from the op catalog's costs.
// Counts are exact for a given graph, so bounds on them are tests, not timings.

import { opDef } from "../ops/index.js";
import { reachable, type Node } from "./node.js";

export function flopsOf(nodes: Iterable<Node>): number {
  let total = 0;
  for (const n of nodes) {
    total += opDef(n.op).flops(
      n.args.map((a) => a.shape),
      n.shape,
    );
  }
  return total;
}

/** Forward flops, and the flops the gradients add on top of them (shared nodes count once, as forward). */
export function forwardBackwardFlops(forward: readonly Node[], grads: readonly Node[]): { forward: number; backward: number } {
  const forwardNodes = new Set(reachable(forward));
  const backwardNodes = reachable(grads).filter((n) => !forwardNodes.has(n));
  return { forward: flopsOf(forwardNodes), backward: flopsOf(backwardNodes) };
}
