// Vector-Jacobian products: for each op, how the gradient g of a result flows
// back to its arguments. One entry per op (JAX's primitive_transposes, micrograd's
// _backward). `y` is the node itself, so rules reuse forward values
// (tanh' = 1 − y²). A null is a true zero: no term is made.
//
// Broadcasting is handled by the caller: a scalar argument of an elementwise
// op receives the sum of its gradient.
//
// Subgradients at kinks, as PyTorch: relu'(0) = 0, abs'(0) = 0, sign' = 0,
// step' = 0, leaky_relu'(0) = a (the slope), ‖x‖' = 0 at x = 0; second
// derivatives as PyTorch's double backward (huber'' = 0 at |p − y| = delta).
// The power rule for a^b as PyTorch: ∂/∂a = 0 where b = 0, ∂/∂b = 0 where
// a = 0 and b ≥ 0. (‖x‖ at 0 is the exception: its second derivative is 0
// here, NaN in PyTorch.)

import type { Node } from "../graph/node.js";
import type { OpName } from "../graph/ops.js";
import { sizeOf } from "../diagnostics/shape.js";
import type { Sugar } from "../graph/sugar.js";

export interface VjpRule {
  /** The rule a learner knows it by, for `nndc explain`. */
  readonly rule: string;
  readonly grads: (g: Node, args: readonly Node[], y: Node, $: Sugar) => readonly (Node | null)[];
}

const none: VjpRule = { rule: "constant", grads: () => [] };
const zero: VjpRule = { rule: "zero derivative", grads: (_, args) => args.map(() => null) };
const chain = (name: string, local: (a: Node, y: Node, $: Sugar) => Node): VjpRule => ({
  rule: `chain rule (${name})`,
  grads: (g, [a], y, $) => [$.mul(g, local(a!, y, $))],
});
const n = (x: Node) => sizeOf(x.shape);

export const vjp = {
  const: none,
  var: none,
  eye: none,

  neg: { rule: "negation", grads: (g, _, __, $) => [$.neg(g)] },
  exp: chain("exp' = exp", (_, y) => y),
  log: { rule: "chain rule (log' = 1/x)", grads: (g, [a], _, $) => [$.div(g, a!)] },
  sqrt: { rule: "chain rule (√' = 1/(2√x))", grads: (g, _, y, $) => [$.div(g, $.mul($.c(2), y))] },
  abs: chain("abs' = sign", (a, _, $) => $.sign(a)),
  sin: chain("sin' = cos", (a, _, $) => $.cos(a)),
  cos: { rule: "chain rule (cos' = −sin)", grads: (g, [a], _, $) => [$.neg($.mul(g, $.sin(a!)))] },
  tan: chain("tan' = 1 + tan²", (_, y, $) => $.add($.c(1), $.pow(y, $.c(2)))),
  tanh: chain("tanh' = 1 − tanh²", (_, y, $) => $.sub($.c(1), $.pow(y, $.c(2)))),
  sigmoid: chain("σ' = σ(1 − σ)", (_, y, $) => $.mul(y, $.sub($.c(1), y))),
  relu: chain("relu' = step", (a, _, $) => $.step(a)),
  softplus: chain("softplus' = σ", (a, _, $) => $.sigmoid(a)),
  sign: zero,
  step: zero,

  add: { rule: "sum rule", grads: (g) => [g, g] },
  sub: { rule: "difference rule", grads: (g, _, __, $) => [g, $.neg(g)] },
  mul: { rule: "product rule", grads: (g, [a, b], _, $) => [$.mul(g, b!), $.mul(g, a!)] },
  div: {
    rule: "quotient rule",
    grads: (g, [, b], y, $) => [$.div(g, b!), $.neg($.div($.mul(g, y), b!))],
  },
  pow: {
    rule: "power rule",
    grads: (g, [a, b], y, $) => {
      // a^c with a constant c: c a^(c−1), and no term at all for c = 0 (a^0 is 1).
      const c = b!.op === "const" ? b!.attrs.value! : undefined;
      if (c !== undefined) return [c === 0 ? null : $.mul(g, $.mul(b!, $.pow(a!, $.c(c - 1)))), null];
      // A variable exponent, with PyTorch's conventions where a or b is 0:
      // b a^(b−1) is 0 where b = 0 (not 0 · ∞ at a = 0), and a^b log a is 0
      // where a = 0 and b ≥ 0 (not 0 · −∞). A constant base other than 0
      // needs no mask: its term stays the textbook a^b log a.
      const base = $.mul(g, $.safe_mul(b!, $.pow(a!, $.sub(b!, $.c(1)))));
      const nonzeroBase = a!.op === "const" && a!.attrs.value !== 0;
      return [base, $.mul(g, nonzeroBase ? $.mul(y, $.log(a!)) : $.pow_log(a!, b!))];
    },
  },
  leaky_relu: {
    rule: "chain rule (leaky_relu' = 1 or a)",
    grads: (g, [x, a], _, $) => [$.mul(g, $.leaky_step(x!, a!)), $.mul(g, $.sub(x!, $.relu(x!)))],
  },
  // 1 where x > 0, else a: no derivative in x, and 1 − step(x) in the slope a.
  leaky_step: { rule: "chain rule (leaky_step' = 0, or 1 in the slope)", grads: (g, [x], _, $) => [null, $.mul(g, $.sub($.c(1), $.step(x!)))] },
  // Where a is 0 the value is 0 whatever b is: the derivative in b is exactly 0 there.
  safe_mul: { rule: "product rule (0 where the first factor is 0)", grads: (g, [a, b], _, $) => [$.mul(g, b!), $.safe_mul(a!, g)] },
  // ∂/∂a (a^b log a) = b a^(b−1) log a + a^(b−1); ∂/∂b = a^b log² a, 0 where the value is masked.
  pow_log: {
    rule: "chain rule (∂/∂a and ∂/∂b of a^b log a)",
    grads: (g, [a, b], y, $) => {
      const lowered = $.sub(b!, $.c(1));
      return [$.mul(g, $.add($.safe_mul(b!, $.pow_log(a!, lowered)), $.pow(a!, lowered))), $.mul(g, $.safe_mul(y, $.log(a!)))];
    },
  },
  safe_div: {
    rule: "quotient rule (0 where the divisor is 0)",
    grads: (g, [a, b], _, $) => [$.safe_div(g, b!), $.neg($.safe_div($.mul(g, a!), $.pow(b!, $.c(2))))],
  },

  broadcast: { rule: "broadcast (sum of the copies)", grads: (g, _, __, $) => [$.sum(g)] },
  index: { rule: "indexing", grads: (g, [a], y, $) => [$.scatter(g, y.attrs.indices!, a!.shape)] },
  scatter: { rule: "indexing", grads: (g, _, y, $) => [$.index(g, y.attrs.indices!)] },
  stack: { rule: "stacking", grads: (g, args, _, $) => args.map((__, i) => $.index(g, [i])) },
  transpose: { rule: "transpose", grads: (g, _, __, $) => [$.transpose(g)] },

  matmul: {
    rule: "matrix product rule",
    grads: (g, [a, b], _, $) => {
      const A = a!;
      const B = b!;
      if (A.shape.length === 2 && B.shape.length === 1) return [$.outer(g, B), $.matmul($.transpose(A), g)]; // W x
      if (A.shape.length === 2) return [$.matmul(g, $.transpose(B)), $.matmul($.transpose(A), g)]; // A B
      if (B.shape.length === 1) return [$.mul(g, B), $.mul(g, A)]; // u · v
      return [$.matmul(B, g), $.outer(A, g)]; // vᵀ B
    },
  },
  outer: { rule: "outer product rule", grads: (g, [a, b], _, $) => [$.matmul(g, b!), $.matmul($.transpose(g), a!)] },
  trace: { rule: "trace", grads: (g, [a], _, $) => [$.mul(g, $.eye(a!.shape[0]!))] },
  // The diagonal of the incoming gradient.
  diag: { rule: "diag", grads: (g, [a], _, $) => [$.stack(Array.from({ length: a!.shape[0]! }, (_, i) => $.index(g, [i, i])))] },
  dot: { rule: "product rule (dot)", grads: (g, [a, b], _, $) => [$.mul(g, b!), $.mul(g, a!)] },

  sum: { rule: "sum rule", grads: (g, [a], _, $) => [$.broadcast(g, a!.shape)] },
  mean: { rule: "sum rule (mean)", grads: (g, [a], _, $) => [$.broadcast($.div(g, $.c(n(a!))), a!.shape)] },
  // x/‖x‖, and 0 at x = 0 (PyTorch's subgradient there).
  norm2: { rule: "chain rule (‖x‖' = x/‖x‖)", grads: (g, [a], y, $) => [$.mul(g, $.safe_div(a!, y))] },
  logsumexp: { rule: "chain rule (logsumexp' = softmax)", grads: (g, [a], _, $) => [$.mul(g, $.softmax(a!))] },
  softmax: {
    rule: "chain rule (softmax Jacobian)",
    grads: (g, _, y, $) => [$.mul(y, $.sub(g, $.dot(g, y)))],
  },
  log_softmax: {
    rule: "chain rule (log_softmax Jacobian)",
    grads: (g, [a], _, $) => [$.sub(g, $.mul($.softmax(a!), $.sum(g)))],
  },

  mse: {
    rule: "mean squared error",
    grads: (g, [p, y], _, $) => {
      const d = $.mul(g, $.mul($.c(2 / n(p!)), $.sub(p!, y!)));
      return [d, $.neg(d)];
    },
  },
  bce: {
    rule: "binary cross-entropy",
    // (p − y) / max(p (1 − p), 1e-12), as PyTorch, so p = 0 or 1 gives a finite gradient.
    grads: (g, [p, y], _, $) => [
      $.div($.mul(g, $.sub(p!, y!)), $.mul($.c(n(p!)), $.add($.relu($.sub($.mul(p!, $.sub($.c(1), p!)), $.c(1e-12))), $.c(1e-12)))),
      $.div($.mul(g, $.sub($.log($.sub($.c(1), p!)), $.log(p!))), $.c(n(p!))),
    ],
  },
  bce_logits: {
    rule: "binary cross-entropy of logits",
    grads: (g, [z, y], _, $) => [
      $.div($.mul(g, $.sub($.sigmoid(z!), y!)), $.c(n(z!))),
      $.neg($.div($.mul(g, z!), $.c(n(z!)))),
    ],
  },
  cross_entropy: {
    rule: "cross-entropy",
    grads: (g, [p, y], _, $) => [$.neg($.div($.mul(g, y!), p!)), $.neg($.mul(g, $.log(p!)))],
  },
  softmax_cross_entropy: {
    rule: "softmax cross-entropy",
    grads: (g, [z, y], _, $) => [
      $.mul(g, $.sub($.mul($.softmax(z!), $.sum(y!)), y!)),
      $.neg($.mul(g, $.log_softmax(z!))),
    ],
  },
  huber: {
    rule: "Huber loss",
    grads: (g, [p, y, delta], _, $) => {
      const r = $.sub(p!, y!);
      // How far |r| is beyond delta: relu(e) written as e + relu(−e), the same
      // value, so that its derivative at |r| = delta is 1, not 0. The second
      // derivative at the joint is then 0, as PyTorch's double backward.
      const e = $.sub($.abs(r), delta!);
      const excess = $.add(e, $.relu($.neg(e)));
      const clipped = $.sub(r, $.mul($.sign(r), excess)); // r clipped to [−delta, delta]
      const d = $.div($.mul(g, clipped), $.c(n(p!)));
      return [d, $.neg(d), $.mul(g, $.mean(excess))];
    },
  },
} satisfies Record<OpName, VjpRule>;
