// One test per entry of the VJP table: the op applied to random variables,
// reduced to a scalar with random weights (so every entry of the result
// matters), differentiated in reverse mode and compared with central finite
// differences of the reference interpreter. A new op without a case here is a
// type error.

import { describe, expect, it } from "vitest";
import { gradients } from "../../src/diff/reverse.js";
import { ops } from "../../src/ops/index.js";
import { evaluate, type Tensor } from "../../src/graph/evaluate.js";
import { Graph, type Node } from "../../src/graph/node.js";
import type { OpName } from "../../src/ops/index.js";
import { sugar, type Sugar } from "../../src/graph/sugar.js";
import { close, randomTensor, rng } from "../support/values.js";

interface Var {
  readonly shape: readonly number[];
  /** The interval values are drawn from: keep away from kinks and outside domains. */
  readonly lo?: number;
  readonly hi?: number;
}

interface Case {
  readonly vars: Record<string, Var>;
  readonly build: ($: Sugar, v: Record<string, Node>, g: Graph) => Node;
}

const v3 = { shape: [3] };
const pos3 = { shape: [3], lo: 0.2, hi: 2 };
const prob3 = { shape: [3], lo: 0.05, hi: 0.95 };
const m23 = { shape: [2, 3] };
const s = { shape: [] };
const awayFromZero = { shape: [3], lo: 0.3, hi: 2 };

const unary = (op: OpName, v: Var = v3): Case => ({ vars: { a: v }, build: (_, { a }, g) => g.node(op, [a!]) });
const binaryCase = (op: OpName, a: Var = v3, b: Var = v3): Case => ({ vars: { a, b }, build: (_, v, g) => g.node(op, [v.a!, v.b!]) });

const cases = {
  const: { vars: { a: v3 }, build: ($, { a }) => $.mul($.c(2.5), a!) },
  var: { vars: { a: v3 }, build: (_, { a }) => a! },
  eye: { vars: { a: { shape: [3, 3] } }, build: ($, { a }) => $.mul($.eye(3), a!) },
  neg: unary("neg"),
  exp: unary("exp"),
  log: unary("log", pos3),
  sqrt: unary("sqrt", pos3),
  abs: unary("abs", awayFromZero),
  sin: unary("sin"),
  cos: unary("cos"),
  tan: unary("tan"),
  tanh: unary("tanh"),
  sigmoid: unary("sigmoid"),
  relu: unary("relu", { shape: [3], lo: -2, hi: -0.5 }),
  softplus: unary("softplus"),
  sign: unary("sign", awayFromZero),
  step: unary("step", awayFromZero),
  erf: unary("erf", { shape: [3], lo: -3, hi: 3 }),
  gelu: unary("gelu", { shape: [3], lo: -4, hi: 4 }),
  add: binaryCase("add", v3, s),
  sub: binaryCase("sub", s, v3),
  mul: binaryCase("mul"),
  div: binaryCase("div", v3, pos3),
  pow: binaryCase("pow", pos3, v3),
  max: binaryCase("max", { shape: [3], lo: -2, hi: 2 }, { shape: [], lo: -0.2, hi: 0.2 }),
  min: binaryCase("min", { shape: [3], lo: -2, hi: 2 }, { shape: [3], lo: -2, hi: 2 }),
  leaky_relu: binaryCase("leaky_relu", { shape: [3], lo: -2, hi: -0.3 }, s),
  leaky_step: binaryCase("leaky_step", awayFromZero, s),
  safe_div: binaryCase("safe_div", v3, pos3),
  safe_mul: binaryCase("safe_mul", awayFromZero, v3),
  pow_log: binaryCase("pow_log", pos3, v3),
  broadcast: { vars: { a: s }, build: ($, { a }) => $.broadcast(a!, [2, 3]) },
  index: { vars: { a: m23 }, build: ($, { a }) => $.index(a!, [1]) },
  scatter: { vars: { a: v3 }, build: ($, { a }) => $.scatter(a!, [1], [2, 3]) },
  stack: { vars: { a: v3, b: v3 }, build: ($, { a, b }) => $.stack([a!, b!]) },
  transpose: { vars: { a: m23 }, build: ($, { a }) => $.transpose(a!) },
  matmul: binaryCase("matmul", m23, v3),
  outer: binaryCase("outer", { shape: [2] }, v3),
  trace: unary("trace", { shape: [3, 3] }),
  diag: unary("diag", v3),
  dot: binaryCase("dot", m23, m23),
  sum: unary("sum", m23),
  mean: unary("mean", m23),
  norm2: unary("norm2", m23),
  logsumexp: unary("logsumexp"),
  softmax: unary("softmax"),
  log_softmax: unary("log_softmax"),
  mse: binaryCase("mse"),
  bce: binaryCase("bce", prob3, prob3),
  bce_logits: binaryCase("bce_logits", v3, prob3),
  cross_entropy: binaryCase("cross_entropy", prob3, prob3),
  softmax_cross_entropy: binaryCase("softmax_cross_entropy", v3, prob3),
  huber: { vars: { a: { shape: [4], lo: -3, hi: 3 }, b: { shape: [4] }, d: { shape: [], lo: 0.5, hi: 1.5 } }, build: (_, v, g) => g.node("huber", [v.a!, v.b!, v.d!]) },
} satisfies Record<OpName, Case>;

/** The matrix product in all four shapes of `@` (docs/language.md). */
const matmulShapes: [string, Var, Var][] = [
  ["[m,n] @ [n]", m23, v3],
  ["[m,n] @ [n,k]", m23, { shape: [3, 4] }],
  ["[n] @ [n]", v3, v3],
  ["[n] @ [n,k]", { shape: [2] }, m23],
];

function check(c: Case, seed: number) {
  const g = new Graph();
  const $ = sugar(g);
  const random = rng(seed);
  const vars: Record<string, Node> = {};
  const values = new Map<string, Tensor>();
  for (const [name, v] of Object.entries(c.vars)) {
    vars[name] = g.variable(name, "arg", v.shape);
    values.set(name, randomTensor(random, v.shape, v.lo ?? -1.5, v.hi ?? 1.5));
  }
  const result = c.build($, vars, g);
  const weights = g.variable("weights", "input", result.shape);
  values.set("weights", randomTensor(random, result.shape, 0.5, 1.5));
  const loss = result.shape.length === 0 ? $.mul(weights, result) : $.sum($.mul(weights, result));
  const wrt = Object.values(vars);
  const grads = gradients(g, loss, wrt).grads;
  const computed = evaluate(grads.map((gr, i) => gr ?? $.zeros(wrt[i]!.shape)), values);

  const h = 1e-6;
  wrt.forEach((w, i) => {
    const base = values.get(w.attrs.name!)!;
    for (let k = 0; k < base.data.length; k++) {
      const at = (delta: number) => {
        const data = base.data.slice();
        data[k]! += delta;
        return evaluate([loss], new Map([...values, [w.attrs.name!, { shape: base.shape, data }]]))[0]!.data[0]!;
      };
      const fd = (at(h) - at(-h)) / (2 * h);
      const got = computed[i]!.data[k]!;
      expect(close(got, fd, 1e-6, 1e-7), `∂/∂${w.attrs.name}[${k}]: reverse mode ${got}, finite differences ${fd}`).toBe(true);
    }
  });
}

describe("vector-Jacobian rules", () => {
  it("every op has a rule and a case", () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(ops).sort());
  });

  for (const [op, c] of Object.entries(cases)) {
    it(`${op} (${ops[op as OpName].vjp.rule})`, () => {
      for (const seed of [1, 2, 3]) check(c, seed);
    });
  }

  it.each(matmulShapes)("matmul %s", (_, a, b) => check(binaryCase("matmul", a, b), 4));

  it("pow with a variable exponent and a constant base", () => {
    check({ vars: { b: v3 }, build: ($, { b }) => $.pow($.c(2), b!) }, 5);
    check({ vars: { a: v3 }, build: ($, { a }) => $.pow(a!, $.c(3)) }, 6);
  });

  it("zero-derivative ops make no term at all", () => {
    const g = new Graph();
    const $ = sugar(g);
    const x = g.variable("x", "arg", [3]);
    for (const op of ["sign", "step"] as const) {
      expect(gradients(g, $.sum(g.node(op, [x])), [x]).grads).toEqual([null]);
    }
  });

  it("documents the subgradients at kinks, as PyTorch", () => {
    const g = new Graph();
    const $ = sugar(g);
    const x = g.variable("x", "arg", []);
    const at0 = new Map([["x", { shape: [], data: Float64Array.of(0) }]]);
    const d = (e: Node) => evaluate([gradients(g, e, [x]).grads[0] ?? g.constant(0)], at0)[0]!.data[0];
    expect(d($.relu(x))).toBe(0);
    expect(d($.abs(x))).toBe(0);
    expect(d(g.node("leaky_relu", [x, $.c(0.1)]))).toBe(0.1);
    // A tie splits the gradient evenly, as torch.maximum and torch.minimum.
    expect(d($.max(x, $.c(0)))).toBe(0.5);
    expect(d($.min($.c(0), x))).toBe(0.5);
    expect(d($.add($.max(x, $.c(0)), $.min(x, $.c(0))))).toBe(1);
    // ‖v‖ at v = 0: gradient 0, not NaN, so a zero-initialised parameter under a norm penalty can train.
    const v = g.variable("v", "arg", [3]);
    const zero = new Map([["v", { shape: [3], data: new Float64Array(3) }]]);
    expect(Array.from(evaluate([gradients(g, g.node("norm2", [v]), [v]).grads[0]!], zero)[0]!.data)).toEqual([0, 0, 0]);
  });
});
