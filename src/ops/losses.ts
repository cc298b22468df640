// Losses of one example (docs/language.md, Losses), each a scalar, computed
// in PyTorch's stable forms and with its clamps: bce's log is clamped at
// −100, so p = 0 or 1 gives a finite loss and gradient.

import { scalarTensor, type Tensor } from "../tensor/tensor.js";
import type { lossOps } from "./names.js";
import type { Evaluator, OpDef } from "./op.js";
import { entriesOf as n, pairToScalar, perInput, scalarArg, toScalar } from "./family.js";
import { logsumexp } from "./reductions.js";

/** The mean over entries of a per-entry loss term. */
const meanOf =
  (term: (p: number, y: number) => number): Evaluator =>
  ([p, y]) => {
    let s = 0;
    for (let i = 0; i < p!.data.length; i++) s += term(p!.data[i]!, y!.data[i]!);
    return scalarTensor(s / p!.data.length);
  };

/** log clamped at -100 as PyTorch's binary_cross_entropy does. */
const clampedLog = (x: number) => Math.max(Math.log(x), -100);

const pairLoss = (cost: number) => ({ arity: 2, shape: toScalar, flops: perInput(cost, 1), source: "call", lowering: { kind: "loop", streams: true } }) as const;

export const lossEntries = {
  mse: {
    ...pairLoss(3),
    evaluate: meanOf((p, y) => (p - y) * (p - y)),
    vjp: {
      rule: "mean squared error",
      grads: (g, [p, y], _, $) => {
        const d = $.mul(g, $.mul($.c(2 / n(p!)), $.sub(p!, y!)));
        return [d, $.neg(d)];
      },
    },
    print: { fn: "mse" },
    builtin: { params: ["p", "y"], doc: "mean((p − y)²)", check: pairToScalar(), range: "nonnegative" },
  },
  bce: {
    ...pairLoss(6),
    evaluate: meanOf((p, y) => -(y * clampedLog(p) + (1 - y) * clampedLog(1 - p))),
    vjp: {
      rule: "binary cross-entropy",
      // (p − y) / max(p (1 − p), 1e-12), as PyTorch, so p = 0 or 1 gives a finite gradient.
      grads: (g, [p, y], _, $) => [
        $.div($.mul(g, $.sub(p!, y!)), $.mul($.c(n(p!)), $.add($.relu($.sub($.mul(p!, $.sub($.c(1), p!)), $.c(1e-12))), $.c(1e-12)))),
        $.div($.mul(g, $.sub($.log($.sub($.c(1), p!)), $.log(p!))), $.c(n(p!))),
      ],
    },
    print: { fn: "bce" },
    builtin: { params: ["p", "y"], doc: "binary cross-entropy of probabilities p", check: pairToScalar(), range: "nonnegative" },
  },
  bce_logits: {
    ...pairLoss(5),
    evaluate: meanOf((z, y) => Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)))),
    vjp: {
      rule: "binary cross-entropy of logits",
      grads: (g, [z, y], _, $) => [$.div($.mul(g, $.sub($.sigmoid(z!), y!)), $.c(n(z!))), $.neg($.div($.mul(g, z!), $.c(n(z!))))],
    },
    print: { fn: "bce_logits" },
    builtin: { params: ["z", "y"], doc: "bce(sigmoid(z), y), computed stably", check: pairToScalar(), range: "nonnegative" },
  },
  cross_entropy: {
    ...pairLoss(2),
    evaluate: ([p, y]) => {
      let s = 0;
      for (let i = 0; i < p!.data.length; i++) if (y!.data[i] !== 0) s -= y!.data[i]! * Math.log(p!.data[i]!);
      return scalarTensor(s);
    },
    vjp: { rule: "cross-entropy", grads: (g, [p, y], _, $) => [$.neg($.div($.mul(g, y!), p!)), $.neg($.mul(g, $.log(p!)))] },
    print: { fn: "cross_entropy" },
    builtin: { params: ["p", "y"], doc: "−Σ y log p; y one-hot or soft", check: pairToScalar(1), range: "nonnegative" },
  },
  softmax_cross_entropy: {
    ...pairLoss(6),
    evaluate: ([z, y]) => {
      const lse = logsumexp(z!.data);
      let s = 0;
      for (let i = 0; i < z!.data.length; i++) s += y!.data[i]! * (lse - z!.data[i]!);
      return scalarTensor(s);
    },
    vjp: {
      rule: "softmax cross-entropy",
      grads: (g, [z, y], _, $) => [$.mul(g, $.sub($.mul($.softmax(z!), $.sum(y!)), y!)), $.neg($.mul(g, $.log_softmax(z!)))],
    },
    print: { fn: "softmax_cross_entropy" },
    // It reads z twice (its log-sum-exp, then each entry).
    lowering: { kind: "loop", streams: false },
    builtin: { params: ["z", "y"], doc: "cross_entropy(softmax(z), y), computed stably", check: pairToScalar(1), range: "nonnegative" },
  },
  huber: {
    arity: 3,
    shape: toScalar,
    flops: perInput(5, 1),
    source: "call",
    lowering: { kind: "loop", streams: true },
    evaluate: ([p, y, delta]: readonly Tensor[]) => {
      const d = delta!.data[0]!;
      let s = 0;
      for (let i = 0; i < p!.data.length; i++) {
        const r = Math.abs(p!.data[i]! - y!.data[i]!);
        s += r <= d ? 0.5 * r * r : d * (r - 0.5 * d);
      }
      return scalarTensor(s / p!.data.length);
    },
    vjp: {
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
    print: { fn: "huber" },
    builtin: { params: ["p", "y", "delta"], doc: "Huber loss with threshold delta (a scalar)", check: scalarArg(2, pairToScalar()), range: "nonnegative" },
  },
} satisfies Record<(typeof lossOps)[number], OpDef>;
