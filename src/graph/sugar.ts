// Short constructors for building graphs by hand (derivative rules, rewrite
// results): `$.mul(g, $.sub($.c(1), y))` instead of graph.node("mul", ...).
// One per op without attributes, made from the catalog's names, so a new op
// has its constructor with no line here.

import type { Shape } from "../tensor/shape.js";
import { binaryOps, lossOps, reductionOps, specialOps, unaryOps, type Builder } from "../ops/index.js";
import type { Graph, Node } from "./node.js";

export type Sugar = Builder;

export function sugar(g: Graph): Sugar {
  const plain = [...unaryOps, ...specialOps, ...binaryOps, ...reductionOps, ...lossOps, "transpose", "matmul", "outer", "trace", "diag", "dot"] as const;
  const byName = Object.fromEntries(plain.map((op) => [op, (...args: Node[]) => g.node(op, args)]));
  return {
    ...(byName as Omit<Builder, "c" | "broadcast" | "zeros" | "index" | "scatter" | "stack" | "eye">),
    c: (value: number) => g.constant(value),
    broadcast: (a: Node, shape: Shape) => (shape.length === 0 ? a : g.node("broadcast", [a], { shape })),
    zeros: (shape: Shape) => (shape.length === 0 ? g.constant(0) : g.node("broadcast", [g.constant(0)], { shape })),
    index: (a: Node, indices: readonly number[]) => g.node("index", [a], { indices }),
    scatter: (a: Node, indices: readonly number[], shape: Shape) => g.node("scatter", [a], { indices, shape }),
    stack: (items: readonly Node[]) => g.node("stack", items),
    eye: (n: number) => g.node("eye", [], { shape: [n, n] }),
  };
}
