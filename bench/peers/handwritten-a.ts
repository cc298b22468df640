// Hand-written trainer (a): one example at a time, the way an engineer writes
// an MLP without a compiler. Weights stay out × in as in the init file (W @ x),
// so the forward pass is dot products along contiguous rows; the backward pass
// adds each example's gradient into buffers reset every step, then the
// optimizer updates. Every buffer is made in the constructor.
// `tsx bench/peers/handwritten-a.ts JOB.json`

import type { Dataset, InitialWeights, Job } from "../protocol.js";
import { readData, readInit, readJob, runPeer } from "../protocol.js";
import { activate, activationBack, lossHead } from "./hand-network.js";
import { HandTrainer } from "./hand-trainer.js";

class HandWrittenA extends HandTrainer {
  constructor(job: Job, data: Dataset, init: InitialWeights) {
    super(job, data, init, 1, (W) => W);
  }

  override predict(x: Float64Array, n: number, out: Float64Array): void {
    const inputs = this.sizes[0]!;
    const outputs = this.sizes[this.layers]!;
    const logits = this.outs[this.layers - 1]!;
    for (let e = 0; e < n; e++) {
      this.forward(x, e * inputs);
      out.set(logits, e * outputs);
    }
  }

  /** outs = the layers' outputs for the example at x[xAt, xAt + inputs). */
  private forward(x: Float64Array, xAt: number): void {
    for (let l = 0; l < this.layers; l++) {
      const input = l === 0 ? x : this.outs[l - 1]!;
      const inAt = l === 0 ? xAt : 0;
      const fanIn = this.sizes[l]!;
      const fanOut = this.sizes[l + 1]!;
      const W = this.params[2 * l]!;
      const b = this.params[2 * l + 1]!;
      const out = this.outs[l]!;
      for (let o = 0; o < fanOut; o++) {
        let s = b[o]!;
        const row = o * fanIn;
        for (let i = 0; i < fanIn; i++) s += W[row + i]! * input[inAt + i]!;
        out[o] = s;
      }
      if (l < this.layers - 1) activate(this.hidden, out, 0, fanOut);
    }
  }

  protected override lossOn(start: number, n: number): number {
    const { trainX, trainY } = this.data;
    const inputs = this.sizes[0]!;
    const outputs = this.sizes[this.layers]!;
    const logits = this.outs[this.layers - 1]!;
    const scratch = this.deltas[this.layers - 1]!;
    let loss = 0;
    for (let e = start; e < start + n; e++) {
      this.forward(trainX, e * inputs);
      loss += lossHead(this.loss, logits, scratch, 0, trainY, e * outputs, outputs, 1 / n);
    }
    return loss / n;
  }

  protected override gradient(start: number, n: number): void {
    const { trainX, trainY } = this.data;
    const inputs = this.sizes[0]!;
    const outputs = this.sizes[this.layers]!;
    for (const g of this.grads) g.fill(0);
    for (let e = start; e < start + n; e++) {
      this.forward(trainX, e * inputs);
      lossHead(this.loss, this.outs[this.layers - 1]!, this.deltas[this.layers - 1]!, 0, trainY, e * outputs, outputs, 1 / n);
      this.backward(trainX, e * inputs);
    }
  }

  /** Adds the current example's gradient into grads, from the last layer's delta back. */
  private backward(x: Float64Array, xAt: number): void {
    for (let l = this.layers - 1; l >= 0; l--) {
      const input = l === 0 ? x : this.outs[l - 1]!;
      const inAt = l === 0 ? xAt : 0;
      const fanIn = this.sizes[l]!;
      const fanOut = this.sizes[l + 1]!;
      const W = this.params[2 * l]!;
      const gW = this.grads[2 * l]!;
      const gb = this.grads[2 * l + 1]!;
      const d = this.deltas[l]!;
      // The input layer needs no delta of its own; other layers get Wᵀ d, row by row of W.
      const below = l > 0 ? this.deltas[l - 1]! : undefined;
      below?.fill(0);
      for (let o = 0; o < fanOut; o++) {
        const dO = d[o]!;
        const row = o * fanIn;
        gb[o]! += dO;
        for (let i = 0; i < fanIn; i++) gW[row + i]! += dO * input[inAt + i]!;
        if (below !== undefined) for (let i = 0; i < fanIn; i++) below[i]! += dO * W[row + i]!;
      }
      if (below !== undefined) activationBack(this.hidden, input, below, 0, fanIn);
    }
  }
}

const job = readJob();
const data = readData(job.data);
const init = readInit(job.init);
await runPeer("hand-written (a)", job, data, () => new HandWrittenA(job, data, init));
