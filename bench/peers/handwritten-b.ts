// Hand-written trainer (b): the minibatch as matrices, n rows at a time, with
// i-k-j loops so that every innermost loop runs along contiguous memory. The
// weights are kept in × out (transposed once from the init file), which makes
// the forward pass Z += x_ik · Wᵀ[k, :] and the weight gradient
// gWᵀ[k, :] += x_ik · D[i, :] contiguous axpys, and the delta sent back,
// D[i, :] Wᵀ[k, :], a contiguous dot product. Every buffer is made in the
// constructor for job.batch rows.
// `tsx bench/peers/handwritten-b.ts JOB.json`

import type { Dataset, InitialWeights, Job } from "../protocol.js";
import { readData, readInit, readJob, runPeer } from "../protocol.js";
import { activate, activationBack, lossHead } from "./hand-network.js";
import { HandTrainer } from "./hand-trainer.js";

/** W (out × in, row-major) as a new in × out array. */
function transposed(W: Float64Array, fanOut: number, fanIn: number): Float64Array {
  const Wt = new Float64Array(W.length);
  for (let o = 0; o < fanOut; o++) for (let i = 0; i < fanIn; i++) Wt[i * fanOut + o] = W[o * fanIn + i]!;
  return Wt;
}

class HandWrittenB extends HandTrainer {
  private readonly batch: number;

  constructor(job: Job, data: Dataset, init: InitialWeights) {
    super(job, data, init, job.batch, transposed);
    this.batch = job.batch;
  }

  override predict(x: Float64Array, n: number, out: Float64Array): void {
    const outputs = this.sizes[this.layers]!;
    for (let start = 0; start < n; start += this.batch) {
      const rows = Math.min(this.batch, n - start);
      this.forward(x, start, rows);
      out.set(this.outs[this.layers - 1]!.subarray(0, rows * outputs), start * outputs);
    }
  }

  /** outs = the layers' outputs for rows [start, start + n) of x. */
  private forward(x: Float64Array, start: number, n: number): void {
    for (let l = 0; l < this.layers; l++) {
      const fanIn = this.sizes[l]!;
      const fanOut = this.sizes[l + 1]!;
      const input = l === 0 ? x : this.outs[l - 1]!;
      const inAt = l === 0 ? start * fanIn : 0;
      const Wt = this.params[2 * l]!;
      const b = this.params[2 * l + 1]!;
      const out = this.outs[l]!;
      for (let i = 0; i < n; i++) {
        const zi = i * fanOut;
        const xi = inAt + i * fanIn;
        for (let j = 0; j < fanOut; j++) out[zi + j] = b[j]!;
        for (let k = 0; k < fanIn; k++) {
          const xik = input[xi + k]!;
          const wk = k * fanOut;
          for (let j = 0; j < fanOut; j++) out[zi + j]! += xik * Wt[wk + j]!;
        }
      }
      if (l < this.layers - 1) activate(this.hidden, out, 0, n * fanOut);
    }
  }

  /** Sum of the losses of rows [start, start + n), after forward; the last delta gets their gradient over n. */
  private head(start: number, n: number): number {
    const outputs = this.sizes[this.layers]!;
    const logits = this.outs[this.layers - 1]!;
    const d = this.deltas[this.layers - 1]!;
    let loss = 0;
    for (let i = 0; i < n; i++) loss += lossHead(this.loss, logits, d, i * outputs, this.data.trainY, (start + i) * outputs, outputs, 1 / n);
    return loss;
  }

  protected override lossOn(start: number, n: number): number {
    this.forward(this.data.trainX, start, n);
    return this.head(start, n) / n;
  }

  protected override gradient(start: number, n: number): void {
    const x = this.data.trainX;
    this.forward(x, start, n);
    this.head(start, n);
    for (let l = this.layers - 1; l >= 0; l--) {
      const fanIn = this.sizes[l]!;
      const fanOut = this.sizes[l + 1]!;
      const input = l === 0 ? x : this.outs[l - 1]!;
      const inAt = l === 0 ? start * fanIn : 0;
      const Wt = this.params[2 * l]!;
      const gWt = this.grads[2 * l]!;
      const gb = this.grads[2 * l + 1]!;
      const D = this.deltas[l]!;
      // The input layer needs no delta of its own.
      const below = l > 0 ? this.deltas[l - 1]! : undefined;
      gWt.fill(0);
      gb.fill(0);
      for (let i = 0; i < n; i++) {
        const di = i * fanOut;
        const xi = inAt + i * fanIn;
        for (let j = 0; j < fanOut; j++) gb[j]! += D[di + j]!;
        for (let k = 0; k < fanIn; k++) {
          const xik = input[xi + k]!;
          const wk = k * fanOut;
          if (below === undefined) {
            for (let j = 0; j < fanOut; j++) gWt[wk + j]! += xik * D[di + j]!;
            continue;
          }
          let s = 0;
          for (let j = 0; j < fanOut; j++) {
            gWt[wk + j]! += xik * D[di + j]!;
            s += Wt[wk + j]! * D[di + j]!;
          }
          below[i * fanIn + k] = s;
        }
      }
      if (below !== undefined) activationBack(this.hidden, input, below, 0, n * fanIn);
    }
  }
}

const job = readJob();
const data = readData(job.data);
const init = readInit(job.init);
await runPeer("hand-written (b)", job, data, () => new HandWrittenB(job, data, init));
