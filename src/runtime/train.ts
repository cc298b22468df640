// The training loop: seeded shuffling into minibatches (copied into arrays
// made once), an optimizer step per minibatch, the loss and, for a
// classifier, the accuracy each epoch; early stopping and a convergence test.
// A non-finite loss or gradient stops training before the step that would
// have spoiled the weights, naming the epoch, step and parameter.
//
// What an epoch's report measures, and when:
//   several steps an epoch   loss: the mean over the epoch's steps, as the weights moved;
//                            test loss and accuracies: after the epoch
//   one step an epoch        everything after the step (the mean over one step would be
//   (full batch, Newton)     the loss before it); and an epoch-0 report of the start

import type { Dataset } from "./data.js";
import { shuffled } from "./data.js";
import type { Optimizer, OptimizerState, Params, Shapes, Tensor } from "./optimizers.js";
import { clipByGlobalNorm, converged, EarlyStopping, globalNorm, type Schedule } from "./schedule.js";

/** What the runtime needs of a generated model (docs/module.md). */
export interface TrainableModel {
  readonly shapes: Shapes;
  /** The model's hash, as its weights files hold it. */
  readonly hash?: string;
  init(seed: number): Params;
  zeros(): Params;
  lossAndGrad(params: Params, batch: Record<string, Tensor>, n: number, grads: Params): number;
  /** The batch needs the inputs only. */
  forward(params: Params, batch: Record<string, Tensor>, n: number): Record<string, Tensor>;
  hessian?(params: Params, batch: Record<string, Tensor>, n: number, out: Float64Array): void;
}

export interface EpochReport {
  /** From 1; 0 is the starting point, reported (to onEpoch only) when an epoch is one step. */
  readonly epoch: number;
  /** Mean training loss over the epoch's steps. */
  readonly loss: number;
  readonly testLoss?: number;
  readonly trainAccuracy?: number;
  readonly testAccuracy?: number;
  readonly gradNorm: number;
}

export interface TrainOptions {
  readonly epochs: number;
  readonly batch: number;
  /** Seeds the shuffling; 0 when absent. */
  readonly seed?: number;
  /** The learning rate by epoch; the optimizer's own when absent. */
  readonly schedule?: Schedule;
  readonly clip?: number;
  /**
   * Stop when the test loss (the training loss without a test set) has not
   * improved for this many epochs; the parameters and the optimizer's state
   * are then those of the best epoch (TrainResult.bestEpoch), whether training
   * stopped early or ran out of epochs.
   */
  readonly patience?: number;
  /** Stop when the loss stops changing (relative) or the gradient vanishes. */
  readonly tolerance?: { readonly relative: number; readonly gradient: number };
  /** For accuracy: the output and target compared (argmax, or 0.5 for a single probability). */
  readonly classify?: { readonly output: string; readonly target: string };
  /** The first epoch (after a resume). */
  readonly startEpoch?: number;
  /** After each step: its number, the steps per epoch, the epoch, and the epoch's mean loss so far. */
  readonly onStep?: (step: number, steps: number, epoch: number, loss: number) => void;
  readonly onEpoch?: (report: EpochReport) => void;
}

export interface TrainResult {
  readonly history: readonly EpochReport[];
  readonly stopped: "epochs" | "early stopping" | "converged";
  readonly bestEpoch: number;
  readonly seconds: number;
  readonly examples: number;
}

export class NonFiniteError extends Error {
  constructor(
    readonly epoch: number,
    readonly step: number,
    readonly parameter: string | undefined,
  ) {
    super(
      parameter === undefined
        ? `the loss became non-finite at epoch ${epoch}, step ${step}; training stopped and the last good weights were kept`
        : `the gradient of '${parameter}' became non-finite at epoch ${epoch}, step ${step}; training stopped and the last good weights were kept`,
    );
  }
}

/** Mean loss over a whole dataset, in chunks. */
export function datasetLoss(model: TrainableModel, params: Params, data: Dataset, grads: Params, chunk = 256): number {
  let total = 0;
  for (let start = 0; start < data.n; start += chunk) {
    const n = Math.min(chunk, data.n - start);
    total += model.lossAndGrad(params, view(data, start, n), n, grads) * n;
  }
  return total / data.n;
}

/** Fraction of examples whose predicted class is the target's. */
export function accuracy(model: TrainableModel, params: Params, data: Dataset, output: string, target: string, chunk = 256): number {
  let right = 0;
  const targets = data.values.get(target)!;
  const width = targets.length / data.n;
  for (let start = 0; start < data.n; start += chunk) {
    const n = Math.min(chunk, data.n - start);
    const out = model.forward(params, view(data, start, n), n)[output]!;
    const outWidth = out.length / n;
    for (let i = 0; i < n; i++) {
      const t = targets.subarray((start + i) * width, (start + i + 1) * width);
      const o = out.subarray(i * outWidth, (i + 1) * outWidth);
      const predicted = outWidth === 1 ? (o[0]! >= 0.5 ? 1 : 0) : argmax(o);
      const actual = width === 1 ? (t[0]! >= 0.5 ? 1 : 0) : argmax(t);
      if (predicted === actual) right++;
    }
  }
  return right / data.n;
}

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

/** Examples start..start+n as a batch, without copying. */
export function view(data: Dataset, start: number, n: number): Record<string, Float64Array> {
  const batch: Record<string, Float64Array> = {};
  for (const [name, all] of data.values) {
    const width = all.length / data.n;
    batch[name] = all.subarray(start * width, (start + n) * width);
  }
  return batch;
}

export function train(model: TrainableModel, params: Params, optimizer: Optimizer, data: { train: Dataset; test?: Dataset }, o: TrainOptions): TrainResult {
  const started = performance.now();
  const { train: set, test } = data;
  const size = Math.min(o.batch, set.n);
  const steps = Math.ceil(set.n / size);
  // Minibatch arrays, made once and refilled each step.
  const batch: Record<string, Float64Array> = {};
  const widths = new Map<string, number>();
  for (const [name, all] of set.values) {
    widths.set(name, all.length / set.n);
    batch[name] = new Float64Array(size * widths.get(name)!);
  }
  const grads = model.zeros();
  const scratch = model.zeros();
  const stopper = o.patience === undefined ? undefined : new EarlyStopping(o.patience);
  const best = o.patience === undefined ? undefined : new BestEpoch(params, optimizer);
  const measure = (epoch: number, loss: number, gradNorm: number) => measured(model, params, { train: set, test }, o.classify, scratch, { epoch, loss, gradNorm });
  const history: EpochReport[] = [];
  let stopped: TrainResult["stopped"] = "epochs";
  let examples = 0;
  const first = o.startEpoch ?? 0;
  const fullBatch = steps === 1;
  let previous = Infinity;
  if (fullBatch && first === 0 && first < o.epochs) {
    const start = measure(0, datasetLoss(model, params, set, scratch), NaN);
    o.onEpoch?.(start);
    previous = start.loss;
  }

  for (let epoch = first; epoch < o.epochs; epoch++) {
    const order = shuffled(set.n, (o.seed ?? 0) * 100003 + epoch);
    const lr = o.schedule?.(epoch) ?? optimizer.lr;
    let sum = 0;
    let norm = 0;
    for (let step = 0; step < steps; step++) {
      const from = step * size;
      const n = Math.min(size, set.n - from);
      for (const [name, all] of set.values) {
        const w = widths.get(name)!;
        const target = batch[name]!;
        for (let i = 0; i < n; i++) target.set(all.subarray(order[from + i]! * w, (order[from + i]! + 1) * w), i * w);
      }
      const loss = model.lossAndGrad(params, batch, n, grads);
      if (!Number.isFinite(loss)) throw new NonFiniteError(epoch + 1, step + 1, undefined);
      for (const [name, g] of Object.entries(grads)) if (!g.every(Number.isFinite)) throw new NonFiniteError(epoch + 1, step + 1, name);
      norm = o.clip === undefined ? globalNorm(grads) : clipByGlobalNorm(grads, o.clip);
      optimizer.step(params, grads, lr);
      sum += loss * n;
      examples += n;
      o.onStep?.(step + 1, steps, epoch + 1, sum / (from + n));
    }
    const loss = fullBatch ? datasetLoss(model, params, set, scratch) : sum / set.n;
    const report = measure(epoch + 1, loss, norm);
    history.push(report);
    o.onEpoch?.(report);
    best?.update(heldOut(report), report.epoch);
    if (stopper !== undefined && stopper.update(heldOut(report), report.epoch)) {
      stopped = "early stopping";
      break;
    }
    if (o.tolerance !== undefined && converged(previous, loss, norm, o.tolerance.relative, o.tolerance.gradient)) {
      stopped = "converged";
      break;
    }
    previous = loss;
  }
  best?.restore(history.at(-1)?.epoch);
  const bestEpoch = best?.epoch ?? history.reduce((b, r) => (b === undefined || heldOut(r) < heldOut(b) ? r : b), undefined as EpochReport | undefined)?.epoch;
  return { history, stopped, bestEpoch: bestEpoch ?? 0, seconds: (performance.now() - started) / 1000, examples };
}

/** What early stopping and the best epoch go by: the test loss, or the training loss without a test set. */
const heldOut = (r: EpochReport) => r.testLoss ?? r.loss;

/** An epoch's report: the loss given, the test loss and the accuracies measured now. */
function measured(model: TrainableModel, params: Params, data: { train: Dataset; test: Dataset | undefined }, classify: TrainOptions["classify"], scratch: Params, r: Pick<EpochReport, "epoch" | "loss" | "gradNorm">): EpochReport {
  const { train: set, test } = data;
  const held = test !== undefined && test.n > 0 ? test : undefined;
  return {
    ...r,
    ...(held === undefined ? {} : { testLoss: datasetLoss(model, params, held, scratch) }),
    ...(classify === undefined ? {} : { trainAccuracy: accuracy(model, params, set, classify.output, classify.target) }),
    ...(classify === undefined || held === undefined ? {} : { testAccuracy: accuracy(model, params, held, classify.output, classify.target) }),
  };
}

/** The parameters and optimizer state of the best epoch so far, to return to when training ends. */
class BestEpoch {
  epoch: number | undefined;
  private loss = Infinity;
  private readonly saved: Record<string, Float64Array>;
  private state: OptimizerState | undefined;

  constructor(
    private readonly params: Params,
    private readonly optimizer: Optimizer,
  ) {
    this.saved = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, new Float64Array(v.length)]));
  }

  update(loss: number, epoch: number): void {
    if (!(loss < this.loss)) return;
    this.loss = loss;
    this.epoch = epoch;
    for (const [k, v] of Object.entries(this.params)) this.saved[k]!.set(v);
    // A copy: a user-written optimizer may hand out its live arrays.
    this.state = structuredClone(this.optimizer.state());
  }

  /** Back to the best epoch, unless that is the last one. */
  restore(last: number | undefined): void {
    if (this.epoch === undefined || this.epoch === last) return;
    for (const [k, v] of Object.entries(this.saved)) this.params[k]!.set(v);
    this.optimizer.restore(this.state!);
  }
}
