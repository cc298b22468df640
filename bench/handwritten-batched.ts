// The second hand-written trainer: the minibatch as matrices, i-k-j loops
// (the innermost loop runs along contiguous rows), weights kept in × out so
// that every inner loop is a contiguous axpy. Same network and loss as
// handwritten.ts; typed arrays allocated once.

import type { Params, Shape } from "./handwritten.js";

export class HandWrittenBatched {
  private readonly W1t: Float64Array; // inputs × hidden
  private readonly W2t: Float64Array; // hidden × outputs
  private readonly Z1: Float64Array;
  private readonly H: Float64Array;
  private readonly Z2: Float64Array;
  private readonly D2: Float64Array;
  private readonly D1: Float64Array;
  readonly gW1t: Float64Array;
  readonly gW2t: Float64Array;

  constructor(
    readonly s: Shape,
    readonly batch: number,
  ) {
    this.W1t = new Float64Array(s.inputs * s.hidden);
    this.W2t = new Float64Array(s.hidden * s.outputs);
    this.Z1 = new Float64Array(batch * s.hidden);
    this.H = new Float64Array(batch * s.hidden);
    this.Z2 = new Float64Array(batch * s.outputs);
    this.D2 = new Float64Array(batch * s.outputs);
    this.D1 = new Float64Array(batch * s.hidden);
    this.gW1t = new Float64Array(s.inputs * s.hidden);
    this.gW2t = new Float64Array(s.hidden * s.outputs);
  }

  /** Takes the weights in the generated module's out × in layout. */
  setWeights(p: Params): void {
    const { inputs: I, hidden: H, outputs: O } = this.s;
    for (let j = 0; j < H; j++) for (let k = 0; k < I; k++) this.W1t[k * H + j] = p.W1[j * I + k]!;
    for (let o = 0; o < O; o++) for (let j = 0; j < H; j++) this.W2t[j * O + o] = p.W2[o * H + j]!;
  }

  /** Gradients in the out × in layout, for comparison (not timed). */
  gradients(g: Params): void {
    const { inputs: I, hidden: H, outputs: O } = this.s;
    for (let j = 0; j < H; j++) for (let k = 0; k < I; k++) g.W1[j * I + k] = this.gW1t[k * H + j]!;
    for (let o = 0; o < O; o++) for (let j = 0; j < H; j++) g.W2[o * H + j] = this.gW2t[j * O + o]!;
  }

  lossAndGrad(p: Params, x: Float64Array, y: Float64Array, n: number, gb1: Float64Array, gb2: Float64Array): number {
    const { inputs: I, hidden: H, outputs: O, reg } = this.s;
    const relu = this.s.activation === "relu";
    const { W1t, W2t, Z1, Hs, Z2, D2, D1, gW1t, gW2t } = { ...this, Hs: this.H };
    // Z1 = X W1ᵀ + b1, row by row, i-k-j.
    for (let i = 0; i < n; i++) {
      const zi = i * H;
      for (let j = 0; j < H; j++) Z1[zi + j] = p.b1[j]!;
      for (let k = 0; k < I; k++) {
        const xik = x[i * I + k]!;
        const wk = k * H;
        for (let j = 0; j < H; j++) Z1[zi + j]! += xik * W1t[wk + j]!;
      }
      for (let j = 0; j < H; j++) {
        const z = Z1[zi + j]!;
        Hs[zi + j] = relu ? (z > 0 ? z : 0) : Math.tanh(z);
      }
    }
    // Z2 = H W2ᵀ + b2.
    for (let i = 0; i < n; i++) {
      const zi = i * O;
      for (let o = 0; o < O; o++) Z2[zi + o] = p.b2[o]!;
      for (let j = 0; j < H; j++) {
        const hij = Hs[i * H + j]!;
        const wj = j * O;
        for (let o = 0; o < O; o++) Z2[zi + o]! += hij * W2t[wj + o]!;
      }
    }
    // Loss and the output error D2.
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const zi = i * O;
      if (O === 1) {
        const z = Z2[zi]!;
        const t = y[i]!;
        loss += Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
        D2[zi] = (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z))) - t;
      } else {
        let m = -Infinity;
        for (let o = 0; o < O; o++) m = Math.max(m, Z2[zi + o]!);
        let sum = 0;
        for (let o = 0; o < O; o++) sum += Math.exp(Z2[zi + o]! - m);
        const lse = m + Math.log(sum);
        let ysum = 0;
        for (let o = 0; o < O; o++) {
          ysum += y[zi + o]!;
          loss += y[zi + o]! * (lse - Z2[zi + o]!);
        }
        for (let o = 0; o < O; o++) D2[zi + o] = Math.exp(Z2[zi + o]! - lse) * ysum - y[zi + o]!;
      }
    }
    // Gradients: gW2ᵀ = Hᵀ D2, gb2 = Σ D2, D1 = (D2 W2) ⊙ act', gW1ᵀ = Xᵀ D1, gb1 = Σ D1.
    gW2t.fill(0);
    gW1t.fill(0);
    gb1.fill(0);
    gb2.fill(0);
    for (let i = 0; i < n; i++) {
      const di = i * O;
      for (let o = 0; o < O; o++) gb2[o]! += D2[di + o]!;
      for (let j = 0; j < H; j++) {
        const hij = Hs[i * H + j]!;
        const wj = j * O;
        let s = 0;
        for (let o = 0; o < O; o++) {
          gW2t[wj + o]! += hij * D2[di + o]!;
          s += W2t[wj + o]! * D2[di + o]!;
        }
        D1[i * H + j] = relu ? (Z1[i * H + j]! > 0 ? s : 0) : s * (1 - hij * hij);
      }
    }
    for (let i = 0; i < n; i++) {
      const di = i * H;
      for (let j = 0; j < H; j++) gb1[j]! += D1[di + j]!;
      for (let k = 0; k < I; k++) {
        const xik = x[i * I + k]!;
        const gk = k * H;
        for (let j = 0; j < H; j++) gW1t[gk + j]! += xik * D1[di + j]!;
      }
    }
    const inv = 1 / n;
    let r = 0;
    for (let k = 0; k < I * H; k++) {
      gW1t[k] = gW1t[k]! * inv + 2 * reg * W1t[k]!;
      r += W1t[k]! * W1t[k]!;
    }
    for (let k = 0; k < H * O; k++) {
      gW2t[k] = gW2t[k]! * inv + (this.s.regulariseW2 ? 2 * reg * W2t[k]! : 0);
      if (this.s.regulariseW2) r += W2t[k]! * W2t[k]!;
    }
    for (let j = 0; j < H; j++) gb1[j]! *= inv;
    for (let o = 0; o < O; o++) gb2[o]! *= inv;
    return loss * inv + reg * r;
  }
}
