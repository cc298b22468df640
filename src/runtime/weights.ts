// Weights files: JSON with the model's name and hash, the parameters as
// nested arrays (as `nndc eval` takes them), and what a resume needs. Saved
// atomically: written to a temporary file, flushed, then renamed over the
// old one, so an interrupted save never leaves a broken file.

import { readFileSync } from "node:fs";
import { toNested, writeFileAtomically } from "./files.js";
import type { OptimizerState, Params, Shapes } from "./optimizers.js";
import { readPreprocess, type Preprocess } from "./preprocess.js";

export const WEIGHTS_FORMAT = "nndc-weights/1";

export interface WeightsFile {
  readonly format: typeof WEIGHTS_FORMAT;
  readonly model: string;
  readonly hash: string;
  readonly params: Record<string, unknown>;
  readonly epoch: number;
  readonly seed: number;
  readonly optimizer?: OptimizerState;
  /** How the inputs were scaled in training; apply it with `applyPreprocess`. */
  readonly preprocess?: Preprocess;
}

export function saveWeights(
  path: string,
  w: { model: string; hash: string; shapes: Shapes; params: Params; epoch: number; seed: number; optimizer?: OptimizerState; preprocess?: Preprocess },
): void {
  const file: WeightsFile = {
    format: WEIGHTS_FORMAT,
    model: w.model,
    hash: w.hash,
    params: Object.fromEntries(Object.keys(w.shapes).map((name) => [name, toNested(w.params[name]!, w.shapes[name]!)])),
    epoch: w.epoch,
    seed: w.seed,
    ...(w.optimizer === undefined ? {} : { optimizer: w.optimizer }),
    ...(w.preprocess === undefined || Object.keys(w.preprocess).length === 0 ? {} : { preprocess: w.preprocess }),
  };
  writeFileAtomically(path, `${JSON.stringify(file)}\n`);
}

/**
 * Reads a weights file for this model; a file of another model, or a broken
 * one, is an error. The file's `preprocess` (checked) says how to scale inputs.
 */
export function loadWeights(path: string, expected: { model: string; hash: string; shapes: Shapes }, into: Params): WeightsFile {
  let file: WeightsFile;
  try {
    file = JSON.parse(readFileSync(path, "utf8")) as WeightsFile;
  } catch (e) {
    throw new Error(`cannot read weights '${path}': ${(e as Error).message}`);
  }
  const problem = checkWeights(file, expected, path);
  if (problem !== undefined) throw new Error(problem);
  for (const [name, shape] of Object.entries(expected.shapes)) {
    const flat = [file.params[name]].flat(3) as number[];
    const target = into[name]!;
    if (flat.length !== target.length || !flat.every((x) => typeof x === "number")) throw new Error(`${path}: '${name}' does not have shape [${shape.join(", ")}]`);
    target.set(flat);
  }
  const preprocess = readPreprocess((file as { preprocess?: unknown }).preprocess, path);
  return preprocess === undefined ? file : { ...file, preprocess };
}

/**
 * Whether a parsed weights file is for this model (same name, same hash):
 * undefined when it is, else the message saying which model the file is for
 * and which model this is. Every reader of weights asks this one function,
 * so that all of them refuse the same files with the same words.
 */
export function checkWeights(file: unknown, expected: { readonly model: string; readonly hash: string }, path: string): string | undefined {
  const w = (typeof file === "object" && file !== null ? file : {}) as Partial<Record<keyof WeightsFile, unknown>>;
  if (w.format !== WEIGHTS_FORMAT) return `${path} is not an nndc weights file (format ${JSON.stringify(w.format) ?? "missing"}, expected "${WEIGHTS_FORMAT}")`;
  if (w.model === expected.model && w.hash === expected.hash) return undefined;
  if (w.model !== expected.model) return `${path} holds the weights of ${typeof w.model === "string" ? `model '${w.model}'` : "no named model"}, not of this model '${expected.model}'`;
  return `${path} holds the weights of another version of model '${expected.model}' (hash ${JSON.stringify(w.hash)}), not of this one (hash "${expected.hash}"): the model changed since they were saved`;
}
