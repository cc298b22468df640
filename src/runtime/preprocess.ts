// Input preprocessing, saved in the weights file beside the parameters so
// that whoever uses the weights feeds the model what it was trained on:
//
//   "preprocess": { "x": { "mean": [..], "std": [..] } }
//
// one entry per entry of the input (row-major), applied as x' = (x − mean) / std.
// `train --standardize` takes mean and std from the training rows;
// `train --scale 'x=1/16'` is fixed scaling, mean 0 and std 16.

import type { Dataset } from "./data.js";
import type { Tensor } from "./optimizers.js";

export interface Scaling {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** Per input name, how its values are scaled before the model sees them. */
export type Preprocess = Readonly<Record<string, Scaling>>;

/** A weights file's preprocessing that does not fit the data or the model. */
export class PreprocessError extends Error {}

/** Mean and standard deviation of each entry of the named fields, over the rows of `data`. */
export function standardisation(data: Dataset, names: readonly string[]): Record<string, Scaling> {
  const out: Record<string, Scaling> = {};
  for (const name of names) {
    const all = data.values.get(name)!;
    const width = all.length / data.n;
    const mean = new Array<number>(width).fill(0);
    const variance = new Array<number>(width).fill(0);
    for (let i = 0; i < data.n; i++) for (let k = 0; k < width; k++) mean[k]! += all[i * width + k]! / data.n;
    // Deviations are scaled by the largest one before squaring, so that tiny or
    // huge values neither underflow nor overflow (the std is scaled back).
    const scale = new Array<number>(width).fill(0);
    for (let i = 0; i < data.n; i++) for (let k = 0; k < width; k++) scale[k] = Math.max(scale[k]!, Math.abs(all[i * width + k]! - mean[k]!));
    for (let i = 0; i < data.n; i++) for (let k = 0; k < width; k++) if (scale[k]! > 0) variance[k]! += ((all[i * width + k]! - mean[k]!) / scale[k]!) ** 2 / data.n;
    // A constant column stays as it is, shifted to 0, rather than divided by 0;
    // so does one whose spread is within the rounding error of its mean (as
    // scikit-learn's StandardScaler decides), where dividing would only blow
    // rounding up into values of order 1.
    const eps = Number.EPSILON;
    const std = variance.map((v, k) => scale[k]! * Math.sqrt(v));
    // (A spread below the smallest normal number has no precision left at all.)
    const constant = (sd: number, m: number) => sd <= data.n * Math.abs(m) * eps || sd < 2.2250738585072014e-308;
    out[name] = { mean, std: std.map((sd, k) => (constant(sd, mean[k]!) ? 1 : sd)) };
  }
  return out;
}

/** Fixed scaling by `numerator / denominator`: mean 0, std `denominator / numerator`. */
export function fixedScaling(numerator: number, denominator: number, width: number): Scaling {
  return { mean: new Array<number>(width).fill(0), std: new Array<number>(width).fill(denominator / numerator) };
}

/**
 * A batch with its inputs preprocessed: new arrays for the inputs that have
 * an entry, the others as they are. The batch itself is not changed.
 */
export function applyPreprocess<T extends Tensor>(preprocess: Preprocess | undefined, batch: Readonly<Record<string, T>>, n: number): Record<string, T> {
  const out: Record<string, T> = { ...batch };
  for (const [name, { mean, std }] of Object.entries(preprocess ?? {})) {
    const values = batch[name];
    if (values === undefined) throw new PreprocessError(`the preprocessing names input '${name}', which the batch does not have (it has: ${Object.keys(batch).join(", ")})`);
    const width = mean.length;
    if (values.length !== n * width) throw new PreprocessError(`the preprocessing of '${name}' has ${width} entries, but the input has ${values.length / Math.max(n, 1)}`);
    const scaled = values.slice() as T;
    for (let i = 0; i < n; i++) for (let k = 0; k < width; k++) scaled[i * width + k] = (values[i * width + k]! - mean[k]!) / std[k]!;
    out[name] = scaled;
  }
  return out;
}

/** A dataset with its inputs preprocessed. */
export function preprocessDataset(preprocess: Preprocess | undefined, data: Dataset): Dataset {
  if (preprocess === undefined || Object.keys(preprocess).length === 0 || data.n === 0) return data;
  const scaled = applyPreprocess(preprocess, Object.fromEntries(data.values), data.n);
  return { n: data.n, values: new Map(Object.entries(scaled)) };
}

/** The `preprocess` field of a weights file, checked: every entry a mean and a std of equal length, std finite and not 0. */
export function readPreprocess(v: unknown, where: string): Preprocess | undefined {
  if (v === undefined) return undefined;
  const bad = (detail: string) => new PreprocessError(`${where}: 'preprocess' ${detail}`);
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw bad(`must be an object mapping input names to {"mean": [...], "std": [...]}`);
  const out: Record<string, Scaling> = {};
  for (const [name, entry] of Object.entries(v as Record<string, unknown>)) {
    const { mean, std } = (typeof entry === "object" && entry !== null ? entry : {}) as { mean?: unknown; std?: unknown };
    const numbers = (x: unknown): x is number[] => Array.isArray(x) && x.every((y) => typeof y === "number" && Number.isFinite(y));
    if (!numbers(mean) || !numbers(std) || mean.length !== std.length) throw bad(`of '${name}' must be {"mean": [...], "std": [...]}, two lists of finite numbers of the same length`);
    if (std.some((s) => s === 0)) throw bad(`of '${name}' has a std of 0`);
    out[name] = { mean, std };
  }
  return out;
}
