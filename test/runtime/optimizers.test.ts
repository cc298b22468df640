// Each optimizer against its textbook update formula (as PyTorch states it),
// over two steps so that momentum, running averages and Adam's bias
// correction all show; then the schedules, clipping and stopping rules.

import { describe, expect, it } from "vitest";
import { adagrad, adam, adamw, rmsprop, sgd, type Optimizer, type Shapes } from "../../src/runtime/optimizers.js";
import { newton } from "../../src/runtime/newton.js";
import { clipByGlobalNorm, converged, cosine, EarlyStopping, exponential, globalNorm, stepDecay, warmup } from "../../src/runtime/schedule.js";

const shapes: Shapes = { w: [3] };
const p0 = [1, -2, 0.5];
const g1 = [0.3, -0.1, 0.2];
const g2 = [-0.2, 0.4, 0.1];
const lr = 0.1;

/** Two steps of the textbook formula, entry by entry. */
type Formula = (p: number, grads: [number, number]) => number;

const cases: [string, (s: Shapes) => Optimizer, Formula][] = [
  ["sgd", (s) => sgd(s, { lr }), (p, [a, b]) => p - lr * a - lr * b],
  ["sgd with weight decay", (s) => sgd(s, { lr, weightDecay: 0.5 }), (p, [a, b]) => {
    const p1 = p - lr * (a + 0.5 * p);
    return p1 - lr * (b + 0.5 * p1);
  }],
  ["momentum", (s) => sgd(s, { lr, momentum: 0.9 }), (p, [a, b]) => {
    const v1 = a; // the first step's buffer is the gradient itself
    const p1 = p - lr * v1;
    const v2 = 0.9 * v1 + b;
    return p1 - lr * v2;
  }],
  ["nesterov", (s) => sgd(s, { lr, momentum: 0.9, nesterov: true }), (p, [a, b]) => {
    const v1 = a;
    const p1 = p - lr * (a + 0.9 * v1);
    const v2 = 0.9 * v1 + b;
    return p1 - lr * (b + 0.9 * v2);
  }],
  ["adagrad", (s) => adagrad(s, { lr }), (p, [a, b]) => {
    const s1 = a * a;
    const p1 = p - (lr * a) / (Math.sqrt(s1) + 1e-10);
    const s2 = s1 + b * b;
    return p1 - (lr * b) / (Math.sqrt(s2) + 1e-10);
  }],
  ["rmsprop", (s) => rmsprop(s, { lr }), (p, [a, b]) => {
    const v1 = 0.01 * a * a;
    const p1 = p - (lr * a) / (Math.sqrt(v1) + 1e-8);
    const v2 = 0.99 * v1 + 0.01 * b * b;
    return p1 - (lr * b) / (Math.sqrt(v2) + 1e-8);
  }],
  ["adam (bias-corrected)", (s) => adam(s, { lr }), (p, [a, b]) => {
    const m1 = 0.1 * a;
    const v1 = 0.001 * a * a;
    const p1 = p - (lr * (m1 / 0.1)) / (Math.sqrt(v1 / 0.001) + 1e-8);
    const m2 = 0.9 * m1 + 0.1 * b;
    const v2 = 0.999 * v1 + 0.001 * b * b;
    return p1 - (lr * (m2 / (1 - 0.9 ** 2))) / (Math.sqrt(v2 / (1 - 0.999 ** 2)) + 1e-8);
  }],
  ["adam with L2 weight decay", (s) => adam(s, { lr, weightDecay: 0.5 }), (p, [a]) => {
    const d = a + 0.5 * p;
    return p - (lr * d) / (Math.abs(d) + 1e-8); // first step: m̂ = d, v̂ = d²
  }],
  ["adamw (decoupled decay)", (s) => adamw(s, { lr, weightDecay: 0.5 }), (p, [a]) => {
    const decayed = p * (1 - lr * 0.5); // the decay acts on the weight, not the gradient
    return decayed - (lr * a) / (Math.abs(a) + 1e-8);
  }],
];

describe("optimizers", () => {
  it.each(cases)("%s follows its update formula", (name, make, formula) => {
    const opt = make(shapes);
    const params = { w: Float64Array.from(p0) };
    const oneStep = name.includes("decay") && name.startsWith("adam");
    opt.step(params, { w: Float64Array.from(g1) });
    if (!oneStep) opt.step(params, { w: Float64Array.from(g2) });
    p0.forEach((p, i) => expect(params.w[i]).toBeCloseTo(formula(p, [g1[i]!, g2[i]!]), 14));
  });

  it.each(cases)("%s resumes exactly from its saved state", (_, make) => {
    const a = make(shapes);
    const pa = { w: Float64Array.from(p0) };
    a.step(pa, { w: Float64Array.from(g1) });
    const b = make(shapes);
    b.restore(JSON.parse(JSON.stringify(a.state())));
    const pb = { w: Float64Array.from(pa.w) };
    a.step(pa, { w: Float64Array.from(g2) });
    b.step(pb, { w: Float64Array.from(g2) });
    expect(Array.from(pb.w)).toEqual(Array.from(pa.w));
  });

  it("refuses the state of another optimizer", () => {
    expect(() => adam(shapes, { lr }).restore(sgd(shapes, { lr }).state())).toThrow(/sgd's, not adam's/);
  });
});

describe("Newton's method", () => {
  // f(p) = ½ pᵀ A p − bᵀ p, minimum at A⁻¹ b.
  const A = [4, 1, 1, 3];
  const b = [1, 2];
  const loss = (p: Float64Array) => 0.5 * (p[0]! * (A[0]! * p[0]! + A[1]! * p[1]!) + p[1]! * (A[2]! * p[0]! + A[3]! * p[1]!)) - b[0]! * p[0]! - b[1]! * p[1]!;
  const grad = (p: Float64Array) => Float64Array.of(A[0]! * p[0]! + A[1]! * p[1]! - b[0]!, A[2]! * p[0]! + A[3]! * p[1]! - b[1]!);

  it("solves a quadratic in one step", () => {
    const opt = newton({ p: [2] }, { loss: (q) => loss(q["p"] as Float64Array), hessian: (_, out) => out.set(A) });
    const params = { p: Float64Array.of(5, -7) };
    opt.step(params, { p: grad(params.p) });
    expect(params.p[0]).toBeCloseTo(1 / 11, 12);
    expect(params.p[1]).toBeCloseTo(7 / 11, 12);
  });

  it("never steps uphill: with a wrong (negative) curvature it damps until the loss falls", () => {
    const opt = newton({ p: [2] }, { loss: (q) => loss(q["p"] as Float64Array), hessian: (_, out) => out.set([-4, 0, 0, -3]) });
    const params = { p: Float64Array.of(5, -7) };
    const before = loss(params.p);
    opt.step(params, { p: grad(params.p) });
    expect(loss(params.p)).toBeLessThan(before);
    expect(opt.damping).toBeGreaterThanOrEqual(1);
  });
});

describe("schedules", () => {
  it.each([
    ["step decay", stepDecay(1, 10, 0.5), [[0, 1], [9, 1], [10, 0.5], [25, 0.25]]],
    ["exponential", exponential(2, 0.9), [[0, 2], [1, 1.8], [2, 2 * 0.81]]],
    ["cosine", cosine(1, 100, 0.1), [[0, 1], [50, 0.55], [100, 0.1], [150, 0.1]]],
    ["warm-up then constant", warmup(() => 0.4, 4), [[0, 0.1], [1, 0.2], [3, 0.4], [10, 0.4]]],
  ] as const)("%s", (_, schedule, points) => {
    for (const [t, value] of points) expect(schedule(t)).toBeCloseTo(value, 12);
  });
});

describe("clipping and stopping", () => {
  it("clips by the global norm of all gradients together", () => {
    const grads = { a: Float64Array.of(3, 0), b: Float64Array.of(0, 4) };
    expect(clipByGlobalNorm(grads, 1)).toBe(5);
    expect(globalNorm(grads)).toBeCloseTo(1, 15);
    expect(grads.a[0]).toBeCloseTo(0.6, 15);
    expect(grads.b[1]).toBeCloseTo(0.8, 15);
    expect(clipByGlobalNorm(grads, 10)).toBeCloseTo(1, 15); // under the limit: unchanged
  });

  it("stops early after `patience` checks without improvement, remembering the best", () => {
    const stop = new EarlyStopping(2);
    const losses = [1, 0.8, 0.85, 0.7, 0.75, 0.71];
    const decisions = losses.map((l, t) => stop.update(l, t));
    expect(decisions).toEqual([false, false, false, false, false, true]);
    expect([stop.best, stop.bestAt]).toEqual([0.7, 3]);
  });

  it("detects convergence by relative change or gradient norm", () => {
    expect(converged(1, 1 - 1e-12, 1)).toBe(true);
    expect(converged(1, 0.9, 1e-9)).toBe(true);
    expect(converged(1, 0.9, 1)).toBe(false);
  });
});
