// The data side of `train`: the flags that scale inputs (--standardize,
// --scale), the check that a split leaves rows on both sides, and the
// preprocessing that is saved with the weights (taken from the resumed file
// when there is one, so a resumed run sees its inputs as the first run did).

import { readFileSync } from "node:fs";
import { error, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Dataset } from "../runtime/data.js";
import { fixedScaling, PreprocessError, readPreprocess, standardisation, type Preprocess, type Scaling } from "../runtime/preprocess.js";

/** What the command line asks for: inputs to standardise, and fixed factors (numerator / denominator). */
export interface ScalingRequest {
  readonly standardize: readonly string[];
  readonly scale: ReadonlyMap<string, { readonly numerator: number; readonly denominator: number }>;
}

/** Reads --standardize and --scale against the model's inputs; a mistake is a command-line diagnostic. */
export function scalingRequest(o: { standardize?: boolean; scale?: string }, model: string, inputs: readonly string[]): ScalingRequest | Diagnostic {
  const scale = o.scale === undefined ? new Map() : parseScale(o.scale);
  if (!(scale instanceof Map)) return scale;
  for (const name of scale.keys()) {
    if (!inputs.includes(name)) return error("NND3033", undefined, name, model, inputs);
    if (o.standardize === true) return error("NND3034", undefined, name);
  }
  return { standardize: o.standardize === true ? inputs : [], scale };
}

/** `x=1/16;z=2`: per input, a factor written as a number or a fraction. */
export function parseScale(text: string): Map<string, { numerator: number; denominator: number }> | Diagnostic {
  const out = new Map<string, { numerator: number; denominator: number }>();
  const parts = text.split(";").map((p) => p.trim()).filter((p) => p !== "");
  if (parts.length === 0) return error("NND3032", undefined, text, "no input given; write it as 'x=1/16' (several as 'x=1/16;z=2')");
  for (const part of parts) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([^/=]+?)\s*(?:\/\s*([^/=]+?)\s*)?$/.exec(part);
    const numerator = Number(match?.[2]);
    const denominator = match?.[3] === undefined ? 1 : Number(match[3]);
    if (match === null || !isFactor(numerator) || !isFactor(denominator)) {
      return error("NND3032", undefined, part, "expected input=factor, with a factor such as 2, 0.5 or 1/16 (not 0)");
    }
    if (out.has(match[1]!)) return error("NND3032", undefined, part, `input '${match[1]}' is given twice`);
    out.set(match[1]!, { numerator, denominator });
  }
  return out;
}

const isFactor = (v: number) => Number.isFinite(v) && v !== 0;

/** A split must leave training rows, and test rows when a test split was asked for. */
export function checkSplit(data: { train: Dataset; test: Dataset }, fraction: number, flag: string): Diagnostic | undefined {
  if (data.train.n > 0 && (fraction === 0 || data.test.n > 0)) return undefined;
  return error("NND3031", undefined, flag, data.train.n + data.test.n, data.train.n, data.test.n);
}

/**
 * The preprocessing of this run: the resumed file's when resuming (the flags,
 * if given, must agree with it), else computed from the training rows.
 */
export function trainingPreprocess(request: ScalingRequest, train: Dataset, resume: { path: string; model: string; hash: string } | undefined): { preprocess: Preprocess } | Diagnostic {
  const asked: Record<string, Scaling> = standardisation(train, request.standardize);
  const width = (name: string) => train.values.get(name)!.length / Math.max(train.n, 1);
  for (const [name, f] of request.scale) asked[name] = fixedScaling(f.numerator, f.denominator, width(name));
  if (resume === undefined) return { preprocess: asked };
  let saved: Preprocess;
  try {
    const file = JSON.parse(readFileSync(resume.path, "utf8")) as { model?: unknown; hash?: unknown; preprocess?: unknown };
    // Weights of another model are refused when the weights themselves are read, as is a file that cannot be.
    if (file.model !== resume.model || file.hash !== resume.hash) return { preprocess: asked };
    saved = readPreprocess(file.preprocess, resume.path) ?? {};
  } catch (e) {
    if (e instanceof PreprocessError) return error("NND3037", undefined, resume.path, e.message.slice(resume.path.length + 2));
    return { preprocess: asked };
  }
  const flags = request.standardize.length + request.scale.size > 0;
  if (flags && !agrees(saved, asked, request)) return error("NND3035", undefined, resume.path, describe(saved), describe(asked));
  return { preprocess: saved };
}

/** The same inputs preprocessed, and the same factors (standardisation may differ: the rows may). */
function agrees(saved: Preprocess, asked: Preprocess, request: ScalingRequest): boolean {
  const names = (p: Preprocess) => Object.keys(p).sort().join(",");
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  return names(saved) === names(asked) && [...request.scale.keys()].every((name) => same(saved[name]!.mean, asked[name]!.mean) && same(saved[name]!.std, asked[name]!.std));
}

/** In words, input by input. */
function describe(p: Preprocess): string {
  const parts = Object.entries(p).map(([name, { mean, std }]) =>
    mean.every((m) => m === 0) && std.every((d) => d === std[0]) ? `${name} divided by ${std[0]}` : `${name} standardised`,
  );
  return parts.length === 0 ? "no preprocessing" : `preprocessing (${parts.sort().join(", ")})`;
}
