// One row per built-in: a call that checks and the shape it has, and a call
// that does not and the diagnostic it gets. A built-in without rows fails.

import { describe, expect, it } from "vitest";
import { builtins } from "../../src/check/builtins.js";
import { front } from "../support/front.js";

/** Arguments available in every case: a scalar, vectors, matrices. */
const ARGS = "s, t, u: [3], v: [3], w: [4], A: [2, 3], B: [3, 3], C: [3, 2]";

interface Row {
  readonly ok: readonly (readonly [call: string, shape: readonly number[]])[];
  readonly bad: readonly (readonly [call: string, message: string])[];
}

const rows: Record<string, Row> = {
  exp: { ok: [["exp(s)", []], ["exp(A)", [2, 3]]], bad: [["exp(s, t)", "'exp' takes 1 argument (x), but 2 arguments were given"]] },
  log: { ok: [["log(u)", [3]]], bad: [["log()", "'log' takes 1 argument (x), but 0 arguments were given"]] },
  sqrt: { ok: [["sqrt(B)", [3, 3]]], bad: [["sqrt(s, s)", "'sqrt' takes 1 argument (x), but 2 arguments were given"]] },
  abs: { ok: [["abs(u)", [3]]], bad: [["abs()", "'abs' takes 1 argument (x), but 0 arguments were given"]] },
  sin: { ok: [["sin(s)", []]], bad: [["sin(u, v)", "'sin' takes 1 argument (x), but 2 arguments were given"]] },
  cos: { ok: [["cos(A)", [2, 3]]], bad: [["cos()", "'cos' takes 1 argument (x), but 0 arguments were given"]] },
  tan: { ok: [["tan(u)", [3]]], bad: [["tan()", "'tan' takes 1 argument (x), but 0 arguments were given"]] },
  tanh: { ok: [["tanh(A @ u)", [2]]], bad: [["tanh(u + w)", "cannot add [3] and [4]; shapes must match or one side be a scalar"]] },
  sigmoid: { ok: [["sigmoid(s)", []]], bad: [["sigmoid()", "'sigmoid' takes 1 argument (x), but 0 arguments were given"]] },
  relu: { ok: [["relu(B)", [3, 3]]], bad: [["relu(s, t)", "'relu' takes 1 argument (x), but 2 arguments were given"]] },
  softplus: { ok: [["softplus(u)", [3]]], bad: [["softplus()", "'softplus' takes 1 argument (x), but 0 arguments were given"]] },
  sign: { ok: [["sign(u)", [3]]], bad: [["sign()", "'sign' takes 1 argument (x), but 0 arguments were given"]] },
  erf: { ok: [["erf(u)", [3]]], bad: [["erf()", "'erf' takes 1 argument (x), but 0 arguments were given"]] },
  gelu: { ok: [["gelu(A)", [2, 3]]], bad: [["gelu(s, t)", "'gelu' takes 1 argument (x), but 2 arguments were given"]] },
  max: {
    ok: [["max(u, v)", [3]], ["max(A, 0)", [2, 3]], ["max(s, u)", [3]], ["max(s, t)", []]],
    bad: [["max(u, w)", "'max' needs both arguments of one shape, but got [3] and [4]"]],
  },
  min: {
    ok: [["min(u, 1)", [3]]],
    bad: [["min(A, C)", "'min' needs both arguments of one shape, but got [2, 3] and [3, 2]"]],
  },
  leaky_relu: {
    ok: [["leaky_relu(u, 0.01)", [3]], ["leaky_relu(A, s)", [2, 3]]],
    bad: [["leaky_relu(u, v)", "'leaky_relu' expects a scalar as argument 2, but got a vector [3]"]],
  },
  sum: { ok: [["sum(A)", []], ["sum(s)", []]], bad: [["sum(u, v)", "'sum' takes 1 argument (t), but 2 arguments were given"]] },
  mean: { ok: [["mean(u)", []]], bad: [["mean()", "'mean' takes 1 argument (t), but 0 arguments were given"]] },
  norm2: { ok: [["norm2(A)", []]], bad: [["norm2()", "'norm2' takes 1 argument (t), but 0 arguments were given"]] },
  dot: {
    ok: [["dot(u, v)", []], ["dot(B, B)", []]],
    bad: [["dot(u, w)", "'dot' needs both arguments of one shape, but got [3] and [4]"]],
  },
  logsumexp: { ok: [["logsumexp(u)", []]], bad: [["logsumexp(A)", "'logsumexp' expects a vector as argument 1, but got a matrix [2, 3]"]] },
  softmax: { ok: [["softmax(w)", [4]]], bad: [["softmax(s)", "'softmax' expects a vector as argument 1, but got a scalar"]] },
  log_softmax: { ok: [["log_softmax(u)", [3]]], bad: [["log_softmax(B)", "'log_softmax' expects a vector as argument 1, but got a matrix [3, 3]"]] },
  transpose: { ok: [["transpose(A)", [3, 2]]], bad: [["transpose(u)", "'transpose' expects a matrix as argument 1, but got a vector [3]"]] },
  outer: {
    ok: [["outer(u, w)", [3, 4]]],
    bad: [
      ["outer(A, u)", "'outer' expects a vector as argument 1, but got a matrix [2, 3]"],
      ["outer(u, s)", "'outer' expects a vector as argument 2, but got a scalar"],
    ],
  },
  trace: { ok: [["trace(B)", []]], bad: [["trace(A)", "'trace' expects a square matrix as argument 1, but got a matrix [2, 3]"]] },
  mse: { ok: [["mse(u, v)", []], ["mse(s, t)", []]], bad: [["mse(u, w)", "'mse' needs both arguments of one shape, but got [3] and [4]"]] },
  bce: { ok: [["bce(s, t)", []]], bad: [["bce(s, u)", "'bce' needs both arguments of one shape, but got [] and [3]"]] },
  bce_logits: { ok: [["bce_logits(u, v)", []]], bad: [["bce_logits(u, A)", "'bce_logits' needs both arguments of one shape, but got [3] and [2, 3]"]] },
  cross_entropy: {
    ok: [["cross_entropy(u, v)", []]],
    bad: [
      ["cross_entropy(s, t)", "'cross_entropy' expects a vector as argument 1, but got a scalar"],
      ["cross_entropy(u, w)", "'cross_entropy' needs both arguments of one shape, but got [3] and [4]"],
    ],
  },
  softmax_cross_entropy: {
    ok: [["softmax_cross_entropy(u, v)", []]],
    bad: [["softmax_cross_entropy(B, B)", "'softmax_cross_entropy' expects a vector as argument 1, but got a matrix [3, 3]"]],
  },
  huber: {
    ok: [["huber(u, v, 1)", []]],
    bad: [
      ["huber(u, v, w)", "'huber' expects a scalar as argument 3, but got a vector [4]"],
      ["huber(u, v)", "'huber' takes 3 arguments (p, y, delta), but 2 arguments were given"],
    ],
  },
  diff: {
    ok: [
      ["diff(s * t, s)", []],
      ["diff(sum(u), u)", [3]],
      ["diff(softmax(u), u)", [3, 3]],
      ["diff(diff(u @ B @ u, u), u)", [3, 3]],
      ["diff(A @ u, u)", [2, 3]],
    ],
    bad: [
      ["diff(B, u)", "shape [3, 3, 3] has rank 3; nndc supports scalars, vectors and matrices (rank 0 to 2)"],
      ["diff(s, 2 * s)", "diff takes the derivative with respect to a variable (an argument, param, input or target), but this is an expression"],
      ["diff(s, pi)", "diff takes the derivative with respect to a variable (an argument, param, input or target), but 'pi' is a constant"],
    ],
  },
};

function checkCall(call: string) {
  const r = front(`fn t_(${ARGS}) = ${call}`);
  return { diagnostics: r.all.filter((d) => d.severity === "error"), shape: r.checked?.fns.get("t_")?.result };
}

describe("built-in catalog", () => {
  it("has rows for every built-in, and no rows for anything else", () => {
    expect(Object.keys(rows).sort()).toEqual([...builtins.keys()].sort());
  });

  for (const [name, row] of Object.entries(rows)) {
    describe(name, () => {
      it.each(row.ok)("%s has shape %j", (call, shape) => {
        const { diagnostics, shape: got } = checkCall(call);
        expect(diagnostics).toEqual([]);
        expect(got).toEqual(shape);
      });
      it.each(row.bad)("%s is an error", (call, message) => {
        expect(checkCall(call).diagnostics.map((d) => d.message)).toEqual([message]);
      });
    });
  }
});
