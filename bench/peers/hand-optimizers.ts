// The three optimizers of the benchmark for the hand-written peers, over
// Float64Array: PyTorch's formulas (see OptimizerSpec in ../protocol.ts), in
// the same evaluation order as src/runtime/optimizers.ts so the peers agree
// with the generated trainer to the last bits where they can. Updates are
// elementwise, so a peer may keep its weights in any layout as long as each
// gradient has its parameter's layout.

import type { OptimizerSpec } from "../protocol.js";

export interface HandOptimizer {
  /** One update of every parameter from its gradient, in place. */
  update(params: readonly Float64Array[], grads: readonly Float64Array[]): void;
}

class Sgd implements HandOptimizer {
  constructor(private readonly lr: number) {}

  update(params: readonly Float64Array[], grads: readonly Float64Array[]): void {
    const lr = this.lr;
    for (let p = 0; p < params.length; p++) {
      const w = params[p]!;
      const g = grads[p]!;
      for (let i = 0; i < w.length; i++) w[i]! -= lr * g[i]!;
    }
  }
}

/** Heavy ball: v = μ v + g, which from v = 0 makes v = g on the first step as PyTorch does. */
class Momentum implements HandOptimizer {
  private readonly velocity: Float64Array[];

  constructor(
    private readonly lr: number,
    private readonly mu: number,
    params: readonly Float64Array[],
  ) {
    this.velocity = params.map((w) => new Float64Array(w.length));
  }

  update(params: readonly Float64Array[], grads: readonly Float64Array[]): void {
    const { lr, mu } = this;
    for (let p = 0; p < params.length; p++) {
      const w = params[p]!;
      const g = grads[p]!;
      const v = this.velocity[p]!;
      for (let i = 0; i < w.length; i++) {
        v[i] = mu * v[i]! + g[i]!;
        w[i]! -= lr * v[i]!;
      }
    }
  }
}

class Adam implements HandOptimizer {
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private t = 0;

  constructor(
    private readonly lr: number,
    private readonly beta1: number,
    private readonly beta2: number,
    private readonly eps: number,
    params: readonly Float64Array[],
  ) {
    this.m = params.map((w) => new Float64Array(w.length));
    this.v = params.map((w) => new Float64Array(w.length));
  }

  update(params: readonly Float64Array[], grads: readonly Float64Array[]): void {
    const { lr, beta1, beta2, eps } = this;
    this.t++;
    // Bias corrections for moments that start at zero, in PyTorch's order of
    // operations: p −= (lr / c1) · m / (√v / √c2 + ε).
    const stepSize = lr / (1 - beta1 ** this.t);
    const sqrtC2 = Math.sqrt(1 - beta2 ** this.t);
    for (let p = 0; p < params.length; p++) {
      const w = params[p]!;
      const g = grads[p]!;
      const m = this.m[p]!;
      const v = this.v[p]!;
      for (let i = 0; i < w.length; i++) {
        const gi = g[i]!;
        m[i] = beta1 * m[i]! + (1 - beta1) * gi;
        v[i] = beta2 * v[i]! + (1 - beta2) * gi * gi;
        w[i]! -= stepSize * (m[i]! / (Math.sqrt(v[i]!) / sqrtC2 + eps));
      }
    }
  }
}

/** The optimizer a job asks for, with its state sized for `params`. */
export function handOptimizer(spec: OptimizerSpec, params: readonly Float64Array[]): HandOptimizer {
  switch (spec.kind) {
    case "sgd":
      return new Sgd(spec.lr);
    case "momentum":
      return new Momentum(spec.lr, spec.momentum ?? 0.9, params);
    case "adam":
      return new Adam(spec.lr, spec.beta1 ?? 0.9, spec.beta2 ?? 0.999, spec.eps ?? 1e-8, params);
  }
}
