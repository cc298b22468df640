// A careful hand-written trainer step for a one-hidden-layer network, the
// way an engineer writes it without a compiler: weights stored out × in so
// the forward pass is dot products, typed arrays allocated once, gradients
// accumulated over the minibatch, no allocation per step.
//
// hidden = act(W1 x + b1); output: sigmoid + binary cross-entropy (1 output)
// or softmax cross-entropy (k outputs); loss = mean + reg · (|W1|² [+ |W2|²]).

export interface Shape {
  readonly inputs: number;
  readonly hidden: number;
  readonly outputs: number;
  readonly activation: "tanh" | "relu";
  /** L2 coefficient on W1 (and on W2 when regulariseW2). */
  readonly reg: number;
  readonly regulariseW2: boolean;
}

export interface Params {
  W1: Float64Array;
  b1: Float64Array;
  W2: Float64Array;
  b2: Float64Array;
}

export class HandWritten {
  private readonly z1: Float64Array;
  private readonly h: Float64Array;
  private readonly out: Float64Array;
  private readonly delta2: Float64Array;
  private readonly delta1: Float64Array;

  constructor(readonly s: Shape) {
    this.z1 = new Float64Array(s.hidden);
    this.h = new Float64Array(s.hidden);
    this.out = new Float64Array(s.outputs);
    this.delta2 = new Float64Array(s.outputs);
    this.delta1 = new Float64Array(s.hidden);
  }

  lossAndGrad(p: Params, x: Float64Array, y: Float64Array, n: number, g: Params): number {
    const { inputs: I, hidden: H, outputs: O, reg } = this.s;
    const relu = this.s.activation === "relu";
    g.W1.fill(0);
    g.b1.fill(0);
    g.W2.fill(0);
    g.b2.fill(0);
    let loss = 0;
    for (let e = 0; e < n; e++) {
      const xo = e * I;
      const yo = e * O;
      for (let j = 0; j < H; j++) {
        let s = p.b1[j]!;
        const row = j * I;
        for (let i = 0; i < I; i++) s += p.W1[row + i]! * x[xo + i]!;
        this.z1[j] = s;
        this.h[j] = relu ? (s > 0 ? s : 0) : Math.tanh(s);
      }
      for (let k = 0; k < O; k++) {
        let s = p.b2[k]!;
        const row = k * H;
        for (let j = 0; j < H; j++) s += p.W2[row + j]! * this.h[j]!;
        this.out[k] = s;
      }
      if (O === 1) {
        const z = this.out[0]!;
        const t = y[yo]!;
        loss += Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
        const sig = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
        this.delta2[0] = sig - t;
      } else {
        let m = -Infinity;
        for (let k = 0; k < O; k++) m = Math.max(m, this.out[k]!);
        let sum = 0;
        for (let k = 0; k < O; k++) sum += Math.exp(this.out[k]! - m);
        const lse = m + Math.log(sum);
        let ysum = 0;
        for (let k = 0; k < O; k++) {
          const t = y[yo + k]!;
          ysum += t;
          loss += t * (lse - this.out[k]!);
        }
        for (let k = 0; k < O; k++) this.delta2[k] = Math.exp(this.out[k]! - lse) * ysum - y[yo + k]!;
      }
      for (let k = 0; k < O; k++) {
        const d = this.delta2[k]!;
        g.b2[k]! += d;
        const row = k * H;
        for (let j = 0; j < H; j++) g.W2[row + j]! += d * this.h[j]!;
      }
      for (let j = 0; j < H; j++) {
        let s = 0;
        for (let k = 0; k < O; k++) s += p.W2[k * H + j]! * this.delta2[k]!;
        const hj = this.h[j]!;
        this.delta1[j] = relu ? (this.z1[j]! > 0 ? s : 0) : s * (1 - hj * hj);
      }
      for (let j = 0; j < H; j++) {
        const d = this.delta1[j]!;
        g.b1[j]! += d;
        const row = j * I;
        for (let i = 0; i < I; i++) g.W1[row + i]! += d * x[xo + i]!;
      }
    }
    const inv = 1 / n;
    let r = 0;
    for (let i = 0; i < g.W1.length; i++) {
      g.W1[i] = g.W1[i]! * inv + 2 * reg * p.W1[i]!;
      r += p.W1[i]! * p.W1[i]!;
    }
    for (let i = 0; i < g.b1.length; i++) g.b1[i]! *= inv;
    for (let i = 0; i < g.W2.length; i++) {
      g.W2[i] = g.W2[i]! * inv + (this.s.regulariseW2 ? 2 * reg * p.W2[i]! : 0);
      if (this.s.regulariseW2) r += p.W2[i]! * p.W2[i]!;
    }
    for (let i = 0; i < g.b2.length; i++) g.b2[i]! *= inv;
    return loss * inv + reg * r;
  }
}
