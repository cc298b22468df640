// Rules for the one-hot vectors that Jacobians and Hessians are made of: each
// row of diff(e, x) is a reverse sweep seeded with a unit vector eᵢ
// (a scatter of 1), and these rules turn "A eᵢ, stacked over i" back into A.

import type { Graph, Node } from "../graph/node.js";
import { constantValue, type Rule } from "../graph/rewrite.js";
import { elementwise } from "../ops/index.js";

/** A scatter of a scalar into a vector: c eᵢ. */
function unit(n: Node): { i: number; c: Node } | undefined {
  if (n.op !== "scatter" || n.shape.length !== 1 || n.args[0]!.shape.length !== 0) return undefined;
  return { i: n.attrs.indices![0]!, c: n.args[0]! };
}

const scaled = (g: Graph, c: Node, x: Node) => (constantValue(c) === 1 ? x : g.node("mul", [c, x]));

export const unitVectorRules: readonly Rule[] = [
  {
    name: "matmul-unit",
    text: "A (c eᵢ) → c (column i of A); (c eᵢ) A → c (row i of A); (c eᵢ) · v → c vᵢ",
    apply(n, g) {
      if (n.op !== "matmul" && n.op !== "dot") return undefined;
      const [a, b] = n.args as [Node, Node];
      const ub = unit(b);
      const ua = unit(a);
      if (n.op === "dot" || a.shape.length === 1) {
        if (ua !== undefined) return scaled(g, ua.c, g.node("index", [b], { indices: [ua.i] }));
        if (ub !== undefined) return scaled(g, ub.c, g.node("index", [a], { indices: [ub.i] }));
        return undefined;
      }
      if (ub !== undefined && b.shape.length === 1) {
        return scaled(g, ub.c, g.node("index", [g.node("transpose", [a])], { indices: [ub.i] }));
      }
      return undefined;
    },
  },
  {
    name: "row-of-transpose",
    text: "row i of (transpose A) stacked over all i → transpose A (and likewise A)",
    apply(n) {
      if (n.op !== "stack") return undefined;
      const first = n.args[0]!;
      if (first.op !== "index" || first.attrs.indices!.length !== 1) return undefined;
      const source = first.args[0]!;
      if (source.shape[0] !== n.args.length || source.shape.length !== n.shape.length) return undefined;
      const complete = n.args.every((a, i) => a.op === "index" && a.args[0] === source && a.attrs.indices!.length === 1 && a.attrs.indices![0] === i);
      return complete ? source : undefined;
    },
  },
  {
    name: "stack-elementwise",
    text: "stack(aᵢ ∘ bᵢ) → stack(aᵢ) ∘ stack(bᵢ), when a stack then collapses",
    apply(n, g) {
      if (n.op !== "stack") return undefined;
      const op = n.args[0]!.op;
      if (!elementwise.has(op)) return undefined;
      const arity = n.args[0]!.args.length;
      const same = n.args.every((a) => a.op === op && a.args.length === arity && a.args.every((x, k) => x.shape.join() === n.args[0]!.args[k]!.shape.join() && x.shape.join() === a.shape.join()));
      if (!same) return undefined;
      const columns = Array.from({ length: arity }, (_, k) => g.node("stack", n.args.map((a) => a.args[k]!)));
      const collapses = columns.some((c) => c.args.every((a, i) => a.op === "index" && a.args[0] === c.args[0]!.args[0] && a.attrs.indices!.length === 1 && a.attrs.indices![0] === i && a.args[0]!.shape[0] === c.args.length));
      return collapses ? g.node(op, columns, n.args[0]!.attrs) : undefined;
    },
  },
];
