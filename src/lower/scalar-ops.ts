// How each elementwise op computes one entry, as an IR expression over the
// entries of its arguments. Ops that need a branch or a stable form call a
// small helper the module defines once (V8 inlines them).

import type { OpName } from "../graph/ops.js";
import { bin, call, isSimple, num, ref, type Expr, type Helper } from "./ir.js";

export type ElementwiseOp = "neg" | "exp" | "log" | "sqrt" | "abs" | "sin" | "cos" | "tan" | "tanh" | "sigmoid" | "relu" | "softplus" | "sign" | "step" | "add" | "sub" | "mul" | "div" | "pow" | "leaky_relu" | "leaky_step" | "safe_div" | "safe_mul" | "pow_log";

const x = ref("x");
const a = ref("a");
const exp = (e: Expr) => call("Math.exp", e);
const powTimesLog = bin("*", call("Math.pow", x, a), call("Math.log", x));

/** Helpers, by name. Each is written once and only emitted when used. */
export const helpers: Record<string, Helper> = {
  sigmoid: {
    name: "sigmoid",
    params: ["x"],
    // Never exp of a large positive number.
    body: { k: "cond", test: bin(">=", x, num(0)), then: bin("/", num(1), bin("+", num(1), exp({ k: "neg", a: x }))), else: bin("/", exp(x), bin("+", num(1), exp(x))) },
  },
  softplus: {
    name: "softplus",
    params: ["x"],
    body: bin("+", call("Math.max", x, num(0)), call("Math.log1p", exp({ k: "neg", a: call("Math.abs", x) }))),
  },
  square: { name: "square", params: ["x"], body: bin("*", x, x) },
  relu: { name: "relu", params: ["x"], body: { k: "cond", test: bin(">", x, num(0)), then: x, else: num(0) } },
  step: { name: "step", params: ["x"], body: { k: "cond", test: bin(">", x, num(0)), then: num(1), else: num(0) } },
  sign: {
    name: "sign",
    params: ["x"],
    body: { k: "cond", test: bin(">", x, num(0)), then: num(1), else: { k: "cond", test: bin("<", x, num(0)), then: num(-1), else: num(0) } },
  },
  leakyRelu: { name: "leakyRelu", params: ["x", "a"], body: { k: "cond", test: bin(">", x, num(0)), then: x, else: bin("*", a, x) } },
  leakyStep: { name: "leakyStep", params: ["x", "a"], body: { k: "cond", test: bin(">", x, num(0)), then: num(1), else: a } },
  safeDiv: { name: "safeDiv", params: ["x", "a"], body: { k: "cond", test: bin("===", a, num(0)), then: num(0), else: bin("/", x, a) } },
  safeMul: { name: "safeMul", params: ["x", "a"], body: { k: "cond", test: bin("===", x, num(0)), then: num(0), else: bin("*", x, a) } },
  // x^a log x, and 0 where x = 0 and a >= 0 (the exponent's derivative of x^a, as PyTorch).
  powLog: {
    name: "powLog",
    params: ["x", "a"],
    body: { k: "cond", test: bin("===", x, num(0)), then: { k: "cond", test: bin(">=", a, num(0)), then: num(0), else: powTimesLog }, else: powTimesLog },
  },
};

const math = (fn: string) => ([v]: readonly Expr[]) => call(`Math.${fn}`, v!);
const helper = (name: string) => (args: readonly Expr[]) => call(name, ...args);

function power([base, exponent]: readonly Expr[]): Expr {
  const b = base!;
  const e = exponent!;
  if (e.k === "num" && isSimple(b)) {
    if (e.value === 2) return bin("*", b, b);
    if (e.value === 3) return bin("*", bin("*", b, b), b);
    if (e.value === 1) return b;
  }
  return call("Math.pow", b, e);
}

export const scalarOps: Record<ElementwiseOp, (args: readonly Expr[]) => Expr> = {
  neg: ([v]) => ({ k: "neg", a: v! }),
  exp: math("exp"),
  log: math("log"),
  sqrt: math("sqrt"),
  abs: math("abs"),
  sin: math("sin"),
  cos: math("cos"),
  tan: math("tan"),
  tanh: math("tanh"),
  sigmoid: helper("sigmoid"),
  relu: helper("relu"),
  softplus: helper("softplus"),
  sign: helper("sign"),
  step: helper("step"),
  add: ([p, q]) => bin("+", p!, q!),
  sub: ([p, q]) => bin("-", p!, q!),
  mul: ([p, q]) => bin("*", p!, q!),
  div: ([p, q]) => bin("/", p!, q!),
  pow: power,
  leaky_relu: helper("leakyRelu"),
  leaky_step: helper("leakyStep"),
  safe_div: helper("safeDiv"),
  safe_mul: helper("safeMul"),
  pow_log: helper("powLog"),
};

export const isElementwiseOp = (op: OpName): op is ElementwiseOp => Object.hasOwn(scalarOps, op);
