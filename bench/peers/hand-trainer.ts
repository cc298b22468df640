// What the two hand-written trainers hold alike: the network's shape, the
// parameters and their gradients, the optimizer, and per layer a buffer of
// outputs and one of deltas. A step is the gradient then the update; the
// gradient check compares it with central differences of the same loss.
// Each trainer supplies the loops: its weight layout and how many rows its
// buffers hold.

import type { Dataset, Hidden, InitialWeights, Job, Loss, Trainer } from "../protocol.js";
import { centralDifferences } from "../protocol.js";
import { initialParams } from "./hand-network.js";
import { handOptimizer, type HandOptimizer } from "./hand-optimizers.js";

export abstract class HandTrainer implements Trainer {
  protected readonly sizes: readonly number[];
  protected readonly layers: number;
  protected readonly hidden: Hidden;
  protected readonly loss: Loss;
  /** W1, b1, W2, b2, …, each W in the layout `layout` gives it; grads alike. */
  protected readonly params: Float64Array[];
  protected readonly grads: Float64Array[];
  private readonly optimizer: HandOptimizer;
  /** Per layer, `rows` × its width: its outputs (act(W x + b), logits last) and the loss's gradient there. */
  protected readonly outs: Float64Array[];
  protected readonly deltas: Float64Array[];

  /** `layout` turns W_l from the init file's out × in into the trainer's own layout. */
  constructor(
    job: Job,
    protected readonly data: Dataset,
    init: InitialWeights,
    rows: number,
    layout: (W: Float64Array, fanOut: number, fanIn: number) => Float64Array,
  ) {
    const { sizes } = job;
    this.sizes = sizes;
    this.layers = sizes.length - 1;
    this.hidden = job.hidden;
    this.loss = job.loss;
    this.params = initialParams(job, data.header, init).map((p, i) => (i % 2 === 0 ? layout(p, sizes[(i >> 1) + 1]!, sizes[i >> 1]!) : p));
    this.grads = this.params.map((p) => new Float64Array(p.length));
    this.optimizer = handOptimizer(job.optimizer, this.params);
    this.outs = sizes.slice(1).map((width) => new Float64Array(rows * width));
    this.deltas = sizes.slice(1).map((width) => new Float64Array(rows * width));
  }

  step(start: number, n: number): void {
    this.gradient(start, n);
    this.optimizer.update(this.params, this.grads);
  }

  gradcheck(n: number): number {
    this.gradient(0, n);
    return centralDifferences(this.params, this.grads, () => this.lossOn(0, n));
  }

  abstract predict(x: Float64Array, n: number, out: Float64Array): void;

  /** Mean loss over rows [start, start + n) of the training set; grads untouched. */
  protected abstract lossOn(start: number, n: number): number;

  /** grads = gradient of the mean loss over rows [start, start + n). */
  protected abstract gradient(start: number, n: number): void;
}
