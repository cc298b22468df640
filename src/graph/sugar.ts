// Short constructors for building graphs by hand (derivative rules, rewrite
// results): `$.mul(g, $.sub($.c(1), y))` instead of graph.node("mul", ...).

import type { Shape } from "../diagnostics/shape.js";
import type { Graph, Node } from "./node.js";

export type Sugar = ReturnType<typeof sugar>;

export function sugar(g: Graph) {
  const un = (op: "neg" | "exp" | "log" | "sqrt" | "abs" | "sin" | "cos" | "tanh" | "sigmoid" | "relu" | "softplus" | "sign" | "step" | "sum" | "mean" | "transpose" | "softmax" | "log_softmax") =>
    (a: Node) => g.node(op, [a]);
  const bin = (op: "add" | "sub" | "mul" | "div" | "pow" | "matmul" | "outer" | "dot" | "leaky_step" | "safe_div" | "safe_mul" | "pow_log") =>
    (a: Node, b: Node) => g.node(op, [a, b]);
  return {
    c: (value: number) => g.constant(value),
    neg: un("neg"),
    exp: un("exp"),
    log: un("log"),
    sqrt: un("sqrt"),
    abs: un("abs"),
    sin: un("sin"),
    cos: un("cos"),
    tanh: un("tanh"),
    sigmoid: un("sigmoid"),
    relu: un("relu"),
    softplus: un("softplus"),
    sign: un("sign"),
    step: un("step"),
    sum: un("sum"),
    mean: un("mean"),
    transpose: un("transpose"),
    softmax: un("softmax"),
    log_softmax: un("log_softmax"),
    add: bin("add"),
    sub: bin("sub"),
    mul: bin("mul"),
    div: bin("div"),
    pow: bin("pow"),
    matmul: bin("matmul"),
    outer: bin("outer"),
    dot: bin("dot"),
    leaky_step: bin("leaky_step"),
    safe_div: bin("safe_div"),
    safe_mul: bin("safe_mul"),
    pow_log: bin("pow_log"),
    broadcast: (a: Node, shape: Shape) => (shape.length === 0 ? a : g.node("broadcast", [a], { shape })),
    /** Zeros of a shape: a broadcast 0, or 0 for a scalar. */
    zeros: (shape: Shape) => (shape.length === 0 ? g.constant(0) : g.node("broadcast", [g.constant(0)], { shape })),
    index: (a: Node, indices: readonly number[]) => g.node("index", [a], { indices }),
    scatter: (a: Node, indices: readonly number[], shape: Shape) => g.node("scatter", [a], { indices, shape }),
    stack: (items: readonly Node[]) => g.node("stack", items),
    eye: (n: number) => g.node("eye", [], { shape: [n, n] }),
  };
}
