// What the two hand-written peers share besides the optimizer: the initial
// parameters, the hidden activation and its derivative, and the loss head.
// Each works on a range or row of a Float64Array given by offset, so the
// per-example peer (a) and the minibatch peer (b) call the very same code and
// neither allocates a view per step.

import type { DataHeader, Hidden, InitialWeights, Job, Loss } from "../protocol.js";
import { paramNames } from "../protocol.js";

/** W1, b1, W2, b2, … from the init file (W_l out × in), checked against the job and the data. */
export function initialParams(job: Job, header: DataHeader, init: InitialWeights): Float64Array[] {
  const { sizes } = job;
  if (sizes.length < 2 || sizes[0] !== header.inputs || sizes[sizes.length - 1] !== header.outputs) {
    throw new Error(`sizes [${sizes.join(", ")}] do not fit data with ${header.inputs} inputs and ${header.outputs} outputs`);
  }
  if (job.loss === "sigmoid-bce" && header.outputs !== 1) throw new Error("sigmoid-bce needs exactly one output");
  return paramNames(sizes).map((name, i) => {
    const l = i >> 1;
    const length = i % 2 === 0 ? sizes[l]! * sizes[l + 1]! : sizes[l + 1]!;
    const values = init[name];
    if (values?.length !== length) throw new Error(`the init file's ${name} should have ${length} numbers`);
    return Float64Array.from(values);
  });
}

/** h[from, to) = act(h), in place. */
export function activate(hidden: Hidden, h: Float64Array, from: number, to: number): void {
  if (hidden === "relu") for (let i = from; i < to; i++) h[i] = h[i]! > 0 ? h[i]! : 0;
  else for (let i = from; i < to; i++) h[i] = Math.tanh(h[i]!);
}

/**
 * d[from, to) *= act'(z), from the activation's output h = act(z) alone:
 * relu' is h > 0, tanh' is 1 − h². So the pre-activations need not be kept.
 */
export function activationBack(hidden: Hidden, h: Float64Array, d: Float64Array, from: number, to: number): void {
  if (hidden === "relu") {
    for (let i = from; i < to; i++) if (!(h[i]! > 0)) d[i] = 0;
  } else {
    for (let i = from; i < to; i++) d[i]! *= 1 - h[i]! * h[i]!;
  }
}

/**
 * Loss of one example from its logits z[at, at + outputs) and targets
 * y[yAt, …); writes its gradient with respect to the logits, times `scale`
 * (1/n, for the mean over the batch), into d[at, …). Both forms are stable:
 * sigmoid-bce is log(1 + e^z) − y z as max(z, 0) + log1p(e^−|z|) − y z;
 * softmax-ce is logsumexp(z) − Σ y z with the largest logit subtracted.
 */
export function lossHead(loss: Loss, z: Float64Array, d: Float64Array, at: number, y: Float64Array, yAt: number, outputs: number, scale: number): number {
  if (loss === "sigmoid-bce") {
    const zi = z[at]!;
    const t = y[yAt]!;
    const sigmoid = zi >= 0 ? 1 / (1 + Math.exp(-zi)) : Math.exp(zi) / (1 + Math.exp(zi));
    d[at] = (sigmoid - t) * scale;
    return Math.max(zi, 0) + Math.log1p(Math.exp(-Math.abs(zi))) - zi * t;
  }
  let max = -Infinity;
  for (let k = 0; k < outputs; k++) max = Math.max(max, z[at + k]!);
  let sum = 0;
  for (let k = 0; k < outputs; k++) sum += Math.exp(z[at + k]! - max);
  const lse = max + Math.log(sum);
  let yz = 0;
  for (let k = 0; k < outputs; k++) {
    const t = y[yAt + k]!;
    yz += t * z[at + k]!;
    d[at + k] = (Math.exp(z[at + k]! - lse) - t) * scale;
  }
  return lse - yz;
}
