// The loop over a chunk's examples, cut into passes at the products lifted
// out of it. A hidden layer's W h needs every example's h before one blocked
// product can compute it for the chunk; a layer's Wᵀ δ every example's δ. So
// a chunk runs its examples once per cut:
//
//   pass 0      everything that needs no lifted product (the first layer
//               reads its W x, lifted before the chunk's examples)
//   product     W H (or Wᵀ Δ) for the whole chunk, H a chunk matrix
//   pass 1      what reads that product; and so on, forward layers then
//               backward ones, each pass a loop over the chunk's examples
//
// A value read in a later pass than its own ("crossing": h for W h, the
// step(z) a backward pass reads) is kept for the whole chunk, a row per
// example, instead of in per-example scratch.

import type { Node } from "../graph/node.js";
import { VIEWS } from "./schedule.js";

export interface PassPlan {
  /** How many passes a chunk's examples make: 1 when nothing is lifted between them. */
  readonly count: number;
  /** The pass each per-example node is computed in. */
  readonly passOf: ReadonlyMap<Node, number>;
  /** Values read in a later pass than the one that computes them. */
  readonly crossing: ReadonlySet<Node>;
}

export interface PassInput {
  /** Every node needed, arguments before their consumers. */
  readonly nodes: readonly Node[];
  readonly perExample: ReadonlySet<Node>;
  /** Nodes the kernel does not compute (data, lifted products): readable in any pass. */
  readonly placed: ReadonlySet<Node>;
  /** The products lifted between passes, each with its per-example operand. */
  readonly cuts: ReadonlyMap<Node, Node>;
  /** Nodes whose operands are read on their own, each in its own pass (a weight gradient summed per chunk). */
  readonly apart: ReadonlySet<Node>;
  /** Nodes one statement reads together (a gradient's terms): that statement runs in the latest of their passes. */
  readonly together: readonly (readonly Node[])[];
}

export function planPasses(o: PassInput): PassPlan {
  const passOf = new Map<Node, number>();
  const pass = (n: Node) => passOf.get(n) ?? 0;
  for (const n of o.nodes) {
    if (!o.perExample.has(n)) continue;
    const operand = o.cuts.get(n);
    passOf.set(n, operand !== undefined ? pass(operand) + 1 : Math.max(0, ...n.args.map(pass)));
  }
  const crossing = new Set<Node>();
  // Read through a view, its argument is what must be kept; a view of one entry is a local like any number.
  const keep = (n: Node, by: number): void => {
    if (!o.perExample.has(n) || o.placed.has(n) || pass(n) >= by) return;
    if (VIEWS.has(n.op) && n.shape.length > 0) n.args.forEach((a) => keep(a, by));
    else crossing.add(n);
  };
  for (const n of o.nodes) {
    const operand = o.cuts.get(n);
    // The operand of a lifted product is read as a chunk matrix: it is kept itself, a view included.
    if (operand !== undefined && !o.placed.has(operand)) crossing.add(operand);
    else if (o.perExample.has(n) && !o.apart.has(n)) n.args.forEach((a) => keep(a, pass(n)));
  }
  for (const group of o.together) {
    const latest = Math.max(0, ...group.map(pass));
    group.forEach((n) => keep(n, latest));
  }
  return { count: 1 + Math.max(0, ...passOf.values()), passOf, crossing };
}
