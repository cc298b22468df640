// Learning-rate schedules, gradient clipping, early stopping and a
// convergence test: the small controls around an optimizer.

import type { Params } from "./optimizers.js";

/** The learning rate at step (or epoch) t, counting from 0. */
export type Schedule = (t: number) => number;

export const constant = (lr: number): Schedule => () => lr;

/** lr · factor^⌊t / every⌋ */
export const stepDecay = (lr: number, every: number, factor = 0.1): Schedule => (t) => lr * factor ** Math.floor(t / every);

/** lr · γ^t */
export const exponential = (lr: number, gamma: number): Schedule => (t) => lr * gamma ** t;

/** From lr down to min over `total` steps along half a cosine, then min. */
export const cosine = (lr: number, total: number, min = 0): Schedule => (t) =>
  t >= total ? min : min + ((lr - min) * (1 + Math.cos((Math.PI * t) / total))) / 2;

/** A linear ramp from lr/steps up to the schedule's value over the first `steps` steps. */
export const warmup = (schedule: Schedule, steps: number): Schedule => (t) => (t < steps ? (schedule(t) * (t + 1)) / steps : schedule(t));

/** The global L2 norm of all gradients. */
export function globalNorm(grads: Params): number {
  let s = 0;
  for (const g of Object.values(grads)) for (const v of g) s += v * v;
  return Math.sqrt(s);
}

/** Scales all gradients together so their global norm is at most maxNorm; returns the norm before. */
export function clipByGlobalNorm(grads: Params, maxNorm: number): number {
  const norm = globalNorm(grads);
  if (norm > maxNorm && norm > 0) {
    const scale = maxNorm / norm;
    for (const g of Object.values(grads)) for (let i = 0; i < g.length; i++) g[i]! *= scale;
  }
  return norm;
}

/** Stops when the held-out loss has not improved by minDelta for `patience` checks. */
export class EarlyStopping {
  best = Infinity;
  bestAt = -1;
  private since = 0;

  constructor(
    readonly patience: number,
    readonly minDelta = 0,
  ) {}

  /** Records the loss at check t; true when training should stop. */
  update(loss: number, t: number): boolean {
    if (loss < this.best - this.minDelta) {
      this.best = loss;
      this.bestAt = t;
      this.since = 0;
      return false;
    }
    this.since++;
    return this.since >= this.patience;
  }
}

/** Converged: the loss changed by less than relTol relative, or the gradient norm is below gradTol. */
export function converged(previous: number, current: number, gradNorm: number, relTol = 1e-10, gradTol = 1e-8): boolean {
  const change = Math.abs(previous - current) / Math.max(Math.abs(previous), Math.abs(current), 1e-300);
  return change < relTol || gradNorm < gradTol;
}
