// The elementwise ops: one function applied to each entry (or each pair of
// entries, a scalar side broadcast). Subgradients at kinks as PyTorch:
// relu'(0) = 0, abs'(0) = 0, sign' = 0, step' = 0, leaky_relu'(0) = a (the
// slope). The power rule for a^b as PyTorch: ∂/∂a = 0 where b = 0, ∂/∂b = 0
// where a = 0 and b ≥ 0. Masks the derivative rules need but a user cannot
// write (step, leaky_step, safe_div, safe_mul, pow_log) are ops too.

import { bin, call, intrinsic, isSimple, num, ref, type Expr, type Helper, type Intrinsic } from "../ir/ir.js";
import type { BuiltinSpec, Lowering, Node, OpDef, PrintForm, SourceForm, VjpRule } from "./op.js";
import type { BinaryOp } from "./names.js";
import { broadcastShape, entrywise, map, pairEntrywise, perElement, same, scalarArg, zip } from "./family.js";
import type { Builder } from "./op.js";

interface EntryParts {
  readonly vjp: VjpRule;
  readonly print: PrintForm;
  readonly lowering: Lowering;
  readonly source?: SourceForm;
  readonly builtin?: BuiltinSpec;
  readonly cost?: number;
}

export const unary = <P extends EntryParts>(at: (x: number) => number, parts: P): OpDef & P => ({
  arity: 1,
  shape: same,
  flops: perElement(parts.cost ?? 1),
  evaluate: map(at),
  source: "call",
  ...parts,
});

export const binary = <P extends EntryParts>(at: (x: number, y: number) => number, parts: P): OpDef & P => ({
  arity: 2,
  shape: broadcastShape,
  flops: perElement(parts.cost ?? 1),
  evaluate: zip(at),
  source: "call",
  ...parts,
});

/** An argument's text as an operand: bare if it is a name or a number, else in parentheses. */
export const operand = (text: string) => (/^[\w.]+$/.test(text) ? text : `(${text})`);

/** A built-in of one argument, entry by entry; `derivative` is f'(x) as a learner writes it. */
export const builtinOfOne = (doc: string, derivative: (x: string) => string, range?: "positive" | "nonnegative"): BuiltinSpec => ({
  params: ["x"],
  doc,
  check: entrywise,
  partials: ([x]) => [derivative(x!)],
  ...(range === undefined ? {} : { range }),
});

/** f'(x) = local(x, y), times the incoming gradient. */
export const chain = (name: string, local: (a: Node, y: Node, $: Builder) => Node): VjpRule => ({
  rule: `chain rule (${name})`,
  grads: (g, [a], y, $) => [$.mul(g, local(a!, y, $))],
});

const zero: VjpRule = { rule: "zero derivative", grads: (_, args) => args.map(() => null) };

/** A target's own function of the entries. */
export const math = (fn: Intrinsic): Lowering => ({ kind: "scalar", scalar: (args) => intrinsic(fn, ...args) });
/** A helper the module defines once and calls (V8 inlines it). */
export const helperCall = (h: Helper): Lowering => ({ kind: "scalar", scalar: (args) => call(h.name, ...args), helpers: [h] });

const x = ref("x");
const a = ref("a");
const exp = (e: Expr) => intrinsic("exp", e);
const cond = (test: Expr, then: Expr, otherwise: Expr): Expr => ({ k: "cond", test, then, else: otherwise });

const helpers = {
  // Never exp of a large positive number.
  sigmoid: { name: "sigmoid", params: ["x"], body: cond(bin(">=", x, num(0)), bin("/", num(1), bin("+", num(1), exp({ k: "neg", a: x }))), bin("/", exp(x), bin("+", num(1), exp(x)))) },
  softplus: { name: "softplus", params: ["x"], body: bin("+", intrinsic("max", x, num(0)), intrinsic("log1p", exp({ k: "neg", a: intrinsic("abs", x) }))) },
  relu: { name: "relu", params: ["x"], body: cond(bin(">", x, num(0)), x, num(0)) },
  step: { name: "step", params: ["x"], body: cond(bin(">", x, num(0)), num(1), num(0)) },
  sign: { name: "sign", params: ["x"], body: cond(bin(">", x, num(0)), num(1), cond(bin("<", x, num(0)), num(-1), num(0))) },
  leakyRelu: { name: "leakyRelu", params: ["x", "a"], body: cond(bin(">", x, num(0)), x, bin("*", a, x)) },
  leakyStep: { name: "leakyStep", params: ["x", "a"], body: cond(bin(">", x, num(0)), num(1), a) },
  safeDiv: { name: "safeDiv", params: ["x", "a"], body: cond(bin("==", a, num(0)), num(0), bin("/", x, a)) },
  safeMul: { name: "safeMul", params: ["x", "a"], body: cond(bin("==", x, num(0)), num(0), bin("*", x, a)) },
  // x^a log x, and 0 where x = 0 and a >= 0 (the exponent's derivative of x^a, as PyTorch).
  powLog: {
    name: "powLog",
    params: ["x", "a"],
    body: cond(bin("==", x, num(0)), cond(bin(">=", a, num(0)), num(0), bin("*", intrinsic("pow", x, a), intrinsic("log", x))), bin("*", intrinsic("pow", x, a), intrinsic("log", x))),
  },
} as const satisfies Record<string, Helper>;

/** Stable forms: never exp of a large positive number. */
export const sigmoid = (v: number) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
export const softplus = (v: number) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));

/** ∂(a^b)/∂b = a^b log a, and 0 where a = 0 and b ≥ 0 (where a^b is 0 or 1, not a function of b near there), as PyTorch. */
const powLog = (p: number, q: number) => (p === 0 && q >= 0 ? 0 : Math.pow(p, q) * Math.log(p));

/** x², x³ as products of a simple base; Math.pow otherwise. */
function power([base, exponent]: readonly Expr[]): Expr {
  const b = base!;
  const e = exponent!;
  if (e.k === "num" && isSimple(b)) {
    if (e.value === 2) return bin("*", b, b);
    if (e.value === 3) return bin("*", bin("*", b, b), b);
    if (e.value === 1) return b;
  }
  return intrinsic("pow", b, e);
}

const infix = (op: "+" | "-" | "*" | "/"): Lowering => ({ kind: "scalar", scalar: ([p, q]) => bin(op, p!, q!) });

export const unaryEntries = {
  neg: unary((v) => -v, {
    vjp: { rule: "negation", grads: (g, _, __, $) => [$.neg(g)] },
    print: "negation",
    source: (_, arg) => `(-(${arg(0)}))`,
    lowering: { kind: "scalar", scalar: ([v]) => ({ k: "neg", a: v! }) },
  }),
  exp: unary(Math.exp, {
    vjp: chain("exp' = exp", (_, y) => y),
    print: { fn: "exp", latex: "\\exp" },
    lowering: math("exp"),
    builtin: builtinOfOne("eˣ, elementwise", (v) => `exp(${v})`, "positive"),
  }),
  log: unary(Math.log, {
    vjp: { rule: "chain rule (log' = 1/x)", grads: (g, [v], _, $) => [$.div(g, v!)] },
    print: { fn: "log", latex: "\\log" },
    lowering: math("log"),
    builtin: builtinOfOne("natural logarithm, elementwise", (v) => `1 / (${v})`),
  }),
  sqrt: unary(Math.sqrt, {
    vjp: { rule: "chain rule (√' = 1/(2√x))", grads: (g, _, y, $) => [$.div(g, $.mul($.c(2), y))] },
    print: "root",
    lowering: math("sqrt"),
    builtin: builtinOfOne("square root, elementwise", (v) => `1 / (2 * sqrt(${v}))`),
  }),
  abs: unary(Math.abs, {
    vjp: chain("abs' = sign", (v, _, $) => $.sign(v)),
    print: "absolute",
    lowering: math("abs"),
    builtin: builtinOfOne("absolute value, elementwise (derivative 0 at 0)", (v) => `sign(${v})`, "nonnegative"),
  }),
  sin: unary(Math.sin, {
    vjp: chain("sin' = cos", (v, _, $) => $.cos(v)),
    print: { fn: "sin", latex: "\\sin" },
    lowering: math("sin"),
    builtin: builtinOfOne("sine, elementwise", (v) => `cos(${v})`),
  }),
  cos: unary(Math.cos, {
    vjp: { rule: "chain rule (cos' = −sin)", grads: (g, [v], _, $) => [$.neg($.mul(g, $.sin(v!)))] },
    print: { fn: "cos", latex: "\\cos" },
    lowering: math("cos"),
    builtin: builtinOfOne("cosine, elementwise", (v) => `-sin(${v})`),
  }),
  tan: unary(Math.tan, {
    vjp: chain("tan' = 1 + tan²", (_, y, $) => $.add($.c(1), $.pow(y, $.c(2)))),
    print: { fn: "tan", latex: "\\tan" },
    lowering: math("tan"),
    builtin: builtinOfOne("tangent, elementwise", (v) => `1 + tan(${v})^2`),
  }),
  tanh: unary(Math.tanh, {
    vjp: chain("tanh' = 1 − tanh²", (_, y, $) => $.sub($.c(1), $.pow(y, $.c(2)))),
    print: { fn: "tanh", latex: "\\tanh" },
    lowering: math("tanh"),
    builtin: builtinOfOne("hyperbolic tangent, elementwise", (v) => `1 - tanh(${v})^2`),
  }),
  sigmoid: unary(sigmoid, {
    vjp: chain("σ' = σ(1 − σ)", (_, y, $) => $.mul(y, $.sub($.c(1), y))),
    print: { fn: "σ", latex: "\\sigma" },
    lowering: helperCall(helpers.sigmoid),
    builtin: builtinOfOne("1 / (1 + e⁻ˣ), elementwise", (v) => `sigmoid(${v}) * (1 - sigmoid(${v}))`, "positive"),
  }),
  relu: unary((v) => (v > 0 ? v : 0), {
    vjp: chain("relu' = step", (v, _, $) => $.step(v)),
    print: { fn: "relu" },
    lowering: helperCall(helpers.relu),
    builtin: builtinOfOne("max(x, 0), elementwise (derivative 0 at 0)", (v) => `step(${v})`, "nonnegative"),
  }),
  softplus: unary(softplus, {
    vjp: chain("softplus' = σ", (v, _, $) => $.sigmoid(v)),
    print: { fn: "softplus" },
    lowering: helperCall(helpers.softplus),
    builtin: builtinOfOne("log(1 + eˣ), elementwise", (v) => `sigmoid(${v})`, "positive"),
  }),
  sign: unary((v) => (v > 0 ? 1 : v < 0 ? -1 : 0), {
    vjp: zero,
    print: { fn: "sign", latex: "\\operatorname{sign}" },
    lowering: helperCall(helpers.sign),
    builtin: builtinOfOne("-1, 0 or 1, elementwise (derivative 0)", () => "0"),
  }),
  /** 1 where x > 0, else 0: the derivative of relu. */
  step: unary((v) => (v > 0 ? 1 : 0), {
    vjp: zero,
    print: { fn: "step" },
    source: (_, arg) => `relu(sign(${arg(0)}))`,
    lowering: helperCall(helpers.step),
  }),
} satisfies Record<string, OpDef>;

export const binaryEntries = {
  add: binary((p, q) => p + q, {
    vjp: { rule: "sum rule", grads: (g) => [g, g] },
    print: "sum",
    source: { infix: "+" },
    lowering: infix("+"),
  }),
  sub: binary((p, q) => p - q, {
    vjp: { rule: "difference rule", grads: (g, _, __, $) => [g, $.neg(g)] },
    print: "difference",
    source: { infix: "-" },
    lowering: infix("-"),
  }),
  mul: binary((p, q) => p * q, {
    vjp: { rule: "product rule", grads: (g, [p, q], _, $) => [$.mul(g, q!), $.mul(g, p!)] },
    print: "product",
    source: { infix: "*" },
    lowering: infix("*"),
  }),
  div: binary((p, q) => p / q, {
    vjp: { rule: "quotient rule", grads: (g, [, q], y, $) => [$.div(g, q!), $.neg($.div($.mul(g, y), q!))] },
    print: "quotient",
    source: { infix: "/" },
    lowering: infix("/"),
  }),
  pow: binary(Math.pow, {
    vjp: {
      rule: "power rule",
      grads: (g, [p, q], y, $) => {
        // a^c with a constant c: c a^(c−1), and no term at all for c = 0 (a^0 is 1).
        const c = q!.op === "const" ? q!.attrs.value! : undefined;
        if (c !== undefined) return [c === 0 ? null : $.mul(g, $.mul(q!, $.pow(p!, $.c(c - 1)))), null];
        // A variable exponent, with PyTorch's conventions where a or b is 0:
        // b a^(b−1) is 0 where b = 0 (not 0 · ∞ at a = 0), and a^b log a is 0
        // where a = 0 and b ≥ 0 (not 0 · −∞). A constant base other than 0
        // needs no mask: its term stays the textbook a^b log a.
        const base = $.mul(g, $.safe_mul(q!, $.pow(p!, $.sub(q!, $.c(1)))));
        const nonzeroBase = p!.op === "const" && p!.attrs.value !== 0;
        return [base, $.mul(g, nonzeroBase ? $.mul(y, $.log(p!)) : $.pow_log(p!, q!))];
      },
    },
    print: "power",
    source: { infix: "^" },
    lowering: { kind: "scalar", scalar: power },
  }),
  ...maxAndMin(),
  leaky_relu: binary((v, s) => (v > 0 ? v : s * v), {
    vjp: { rule: "chain rule (leaky_relu' = 1 or a)", grads: (g, [v, s], _, $) => [$.mul(g, $.leaky_step(v!, s!)), $.mul(g, $.sub(v!, $.relu(v!)))] },
    print: { fn: "leaky_relu" },
    lowering: helperCall(helpers.leakyRelu),
    builtin: { params: ["x", "a"], doc: "x where x > 0, else a·x; a is a scalar", check: scalarArg(1, entrywise) },
  }),
  /** 1 where x > 0, else a: the derivative of leaky_relu. No derivative in x, and 1 − step(x) in the slope a. */
  leaky_step: binary((v, s) => (v > 0 ? 1 : s), {
    vjp: { rule: "chain rule (leaky_step' = 0, or 1 in the slope)", grads: (g, [v], _, $) => [null, $.mul(g, $.sub($.c(1), $.step(v!)))] },
    print: { fn: "leaky_step" },
    source: (_, arg) => `(${arg(1)} + (1 - ${arg(1)}) * relu(sign(${arg(0)})))`,
    lowering: helperCall(helpers.leakyStep),
  }),
  /** a / b, and 0 where b is 0: the gradient of norm2 at the zero vector is 0, as in PyTorch. */
  safe_div: binary((p, q) => (q === 0 ? 0 : p / q), {
    vjp: { rule: "quotient rule (0 where the divisor is 0)", grads: (g, [p, q], _, $) => [$.safe_div(g, q!), $.neg($.safe_div($.mul(g, p!), $.pow(q!, $.c(2))))] },
    // Printed as the formula it is; its value where it masks is the entry's comment.
    print: "masked-quotient",
    source: { infix: "/" },
    lowering: helperCall(helpers.safeDiv),
  }),
  /** a · b, and 0 where a is 0 (even where b is infinite): the power rule's b a^(b−1) is 0 at b = 0, as in PyTorch. */
  safe_mul: binary((p, q) => (p === 0 ? 0 : p * q), {
    // Where a is 0 the value is 0 whatever b is: the derivative in b is exactly 0 there.
    vjp: { rule: "product rule (0 where the first factor is 0)", grads: (g, [p, q], _, $) => [$.mul(g, q!), $.safe_mul(p!, g)] },
    print: "masked-product",
    source: { infix: "*" },
    lowering: helperCall(helpers.safeMul),
  }),
  /** a^b log a, and 0 where a = 0 and b ≥ 0: the derivative of a^b in b, masked there as in PyTorch. */
  pow_log: binary(powLog, {
    // ∂/∂a (a^b log a) = b a^(b−1) log a + a^(b−1); ∂/∂b = a^b log² a, 0 where the value is masked.
    vjp: {
      rule: "chain rule (∂/∂a and ∂/∂b of a^b log a)",
      grads: (g, [p, q], y, $) => {
        const lowered = $.sub(q!, $.c(1));
        return [$.mul(g, $.add($.safe_mul(q!, $.pow_log(p!, lowered)), $.pow(p!, lowered))), $.mul(g, $.safe_mul(y, $.log(p!)))];
      },
    },
    print: "power-log",
    source: (_, arg) => `((${arg(0)} ^ ${arg(1)}) * log(${arg(0)}))`,
    lowering: helperCall(helpers.powLog),
    cost: 3,
  }),
} satisfies Record<BinaryOp, OpDef>;

/**
 * max(a, b) and min(a, b), entry by entry, as torch.maximum and torch.minimum:
 * NaN if either is NaN; the gradient goes to the larger (smaller) argument,
 * split evenly where they are equal. ∂max/∂a = (1 + sign(a − b)) / 2 says all three cases.
 */
function maxAndMin() {
  const half = ($: Builder, sign: 1 | -1, p: Node, q: Node, g: Node) => $.mul(g, $.div($.add($.c(1), $.mul($.c(sign), $.sign($.sub(p, q)))), $.c(2)));
  const entry = (name: "max" | "min", sign: 1 | -1, doc: string) =>
    binary(name === "max" ? Math.max : Math.min, {
      vjp: { rule: `chain rule (${name}' = 1 or 0, ½ at a tie)`, grads: (g, [p, q], _, $) => [half($, sign, p!, q!, g), half($, sign === 1 ? -1 : 1, p!, q!, g)] },
      print: { fn: name, latex: `\\${name}` },
      lowering: math(name),
      builtin: {
        params: ["a", "b"],
        doc,
        check: pairEntrywise,
        partials: ([p, q]) => [`(1 ${sign === 1 ? "+" : "-"} sign(${p} - ${q})) / 2`, `(1 ${sign === 1 ? "-" : "+"} sign(${p} - ${q})) / 2`],
      },
    });
  return {
    max: entry("max", 1, "the larger of a and b, entry by entry (a scalar is repeated); the gradient is split at a tie"),
    min: entry("min", -1, "the smaller of a and b, entry by entry (a scalar is repeated); the gradient is split at a tie"),
  };
}
