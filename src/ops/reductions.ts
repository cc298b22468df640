// Reductions to a scalar, and softmax and log_softmax, which are built on
// logsumexp. ‖x‖' is 0 at x = 0, PyTorch's subgradient there (its second
// derivative is 0 here, NaN in PyTorch).

import type { reductionOps } from "./names.js";
import type { OpDef } from "./op.js";
import { entriesOf as n, perInput, reduce, same, scalarResult, toScalar, total, vectorOnly } from "./family.js";

/** log Σ exp(vᵢ) as max + log Σ exp(vᵢ − max): never exp of a large positive number. */
export function logsumexp(v: Float64Array): number {
  let m = -Infinity;
  for (const x of v) m = Math.max(m, x);
  if (!Number.isFinite(m)) return m === -Infinity ? -Infinity : m;
  let s = 0;
  for (const x of v) s += Math.exp(x - m);
  return m + Math.log(s);
}

export const reductionEntries = {
  sum: {
    arity: 1,
    shape: toScalar,
    flops: perInput(1),
    evaluate: reduce(total),
    vjp: { rule: "sum rule", grads: (g, [a], _, $) => [$.broadcast(g, a!.shape)] },
    print: { fn: "sum" },
    source: "call",
    lowering: { kind: "loop", streams: true },
    builtin: { params: ["t"], doc: "sum of all entries", check: scalarResult },
  },
  mean: {
    arity: 1,
    shape: toScalar,
    flops: perInput(1, 1),
    evaluate: reduce((d) => total(d) / d.length),
    vjp: { rule: "sum rule (mean)", grads: (g, [a], _, $) => [$.broadcast($.div(g, $.c(n(a!))), a!.shape)] },
    print: { fn: "mean" },
    source: "call",
    lowering: { kind: "loop", streams: true },
    builtin: { params: ["t"], doc: "mean of all entries", check: scalarResult },
  },
  norm2: {
    arity: 1,
    shape: toScalar,
    flops: perInput(2, 1),
    evaluate: reduce((d) => Math.hypot(...d)),
    // x/‖x‖, and 0 at x = 0 (PyTorch's subgradient there).
    vjp: { rule: "chain rule (‖x‖' = x/‖x‖)", grads: (g, [a], y, $) => [$.mul(g, $.safe_div(a!, y))] },
    print: "norm",
    source: "call",
    lowering: { kind: "loop", streams: true },
    builtin: { params: ["t"], doc: "Euclidean (Frobenius) norm", check: scalarResult, range: "nonnegative" },
  },
  logsumexp: {
    arity: 1,
    shape: toScalar,
    flops: perInput(3, 2),
    evaluate: reduce(logsumexp),
    vjp: { rule: "chain rule (logsumexp' = softmax)", grads: (g, [a], _, $) => [$.mul(g, $.softmax(a!))] },
    print: { fn: "logsumexp" },
    source: "call",
    lowering: { kind: "loop", streams: false },
    builtin: { params: ["v"], doc: "log Σ exp(vᵢ), computed stably", check: vectorOnly(() => []) },
  },
  softmax: {
    arity: 1,
    shape: same,
    flops: perInput(4),
    evaluate: ([a], _, shape) => {
      const lse = logsumexp(a!.data);
      return { shape, data: a!.data.map((x) => Math.exp(x - lse)) };
    },
    vjp: { rule: "chain rule (softmax Jacobian)", grads: (g, _, y, $) => [$.mul(y, $.sub(g, $.dot(g, y)))] },
    print: { fn: "softmax" },
    source: "call",
    lowering: { kind: "loop", streams: false },
    builtin: { params: ["v"], doc: "exp(v) / Σ exp(v)", check: vectorOnly((v) => v), range: "positive" },
  },
  log_softmax: {
    arity: 1,
    shape: same,
    flops: perInput(4),
    evaluate: ([a], _, shape) => {
      const lse = logsumexp(a!.data);
      return { shape, data: a!.data.map((x) => x - lse) };
    },
    vjp: { rule: "chain rule (log_softmax Jacobian)", grads: (g, [a], _, $) => [$.sub(g, $.mul($.softmax(a!), $.sum(g)))] },
    print: { fn: "log_softmax" },
    source: "call",
    lowering: { kind: "loop", streams: false },
    builtin: { params: ["v"], doc: "v − logsumexp(v)", check: vectorOnly((v) => v) },
  },
} satisfies Record<(typeof reductionOps)[number], OpDef>;
