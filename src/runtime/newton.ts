// Newton's method for small models, with the generated Hessian. Each step
// solves (H + λI) Δ = g by Cholesky and tries p − Δ; a step that does not
// lower the loss is taken back and λ raised (Levenberg–Marquardt damping),
// so the method never steps uphill; a step that does lowers λ again.

import type { Optimizer, OptimizerState, Params, Shapes } from "./optimizers.js";

export interface NewtonProblem {
  /** The mean loss over the data at these parameters. */
  loss(params: Params): number;
  /** The mean Hessian, P × P over all parameter entries (in the order of the shapes), row-major. */
  hessian(params: Params, out: Float64Array): void;
}

export interface NewtonOptions {
  /** The starting damping λ (0: a pure Newton step first). */
  readonly damping?: number;
  /** Tries per step before giving up on it (the parameters are then unchanged). */
  readonly maxTries?: number;
}

export function newton(shapes: Shapes, problem: NewtonProblem, o: NewtonOptions = {}): Optimizer & { readonly damping: number } {
  const names = Object.keys(shapes);
  const sizes = names.map((n) => shapes[n]!.reduce((a, b) => a * b, 1));
  const P = sizes.reduce((a, b) => a + b, 0);
  const H = new Float64Array(P * P);
  const L = new Float64Array(P * P);
  const g = new Float64Array(P);
  const delta = new Float64Array(P);
  const backup = new Float64Array(P);
  const maxTries = o.maxTries ?? 40;
  let lambda = o.damping ?? 0;
  let t = 0;

  const gather = (from: Params, into: Float64Array) => {
    let k = 0;
    for (const n of names) for (const v of from[n]!) into[k++] = v;
  };
  const scatter = (params: Params, sign: number) => {
    let k = 0;
    for (const n of names) {
      const p = params[n]!;
      for (let i = 0; i < p.length; i++, k++) p[i] = backup[k]! + sign * delta[k]!;
    }
  };

  /** Cholesky of H + λI into L, then Δ from L Lᵀ Δ = g. False if not positive definite. */
  const solve = (): boolean => {
    for (let i = 0; i < P; i++) {
      for (let j = 0; j <= i; j++) {
        let s = H[i * P + j]! + (i === j ? lambda : 0);
        for (let k = 0; k < j; k++) s -= L[i * P + k]! * L[j * P + k]!;
        if (i === j) {
          if (!(s > 0)) return false;
          L[i * P + i] = Math.sqrt(s);
        } else L[i * P + j] = s / L[j * P + j]!;
      }
    }
    for (let i = 0; i < P; i++) {
      let s = g[i]!;
      for (let k = 0; k < i; k++) s -= L[i * P + k]! * delta[k]!;
      delta[i] = s / L[i * P + i]!;
    }
    for (let i = P - 1; i >= 0; i--) {
      let s = delta[i]!;
      for (let k = i + 1; k < P; k++) s -= L[k * P + i]! * delta[k]!;
      delta[i] = s / L[i * P + i]!;
    }
    return true;
  };

  return {
    name: "newton",
    lr: 1,
    get damping() {
      return lambda;
    },
    step(params: Params, grads: Params): void {
      t++;
      gather(grads, g);
      gather(params, backup);
      problem.hessian(params, H);
      const before = problem.loss(params);
      for (let attempt = 0; attempt < maxTries; attempt++) {
        if (solve()) {
          scatter(params, -1);
          const after = problem.loss(params);
          if (after <= before) {
            lambda = lambda < 1e-12 ? 0 : lambda / 10;
            return;
          }
        }
        lambda = Math.max(lambda * 10, 1e-8);
      }
      scatter(params, 0); // no step lowered the loss: keep the parameters
    },
    state(): OptimizerState {
      return { name: "newton", step: t, slots: { damping: { lambda: [lambda] } } };
    },
    restore(state: OptimizerState): void {
      if (state.name !== "newton") throw new Error(`the saved optimizer state is ${state.name}'s, not newton's`);
      t = state.step;
      lambda = state.slots["damping"]?.["lambda"]?.[0] ?? lambda;
    },
  };
}
