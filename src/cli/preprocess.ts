// The preprocessing saved in a weights file, applied where the weights are
// used: `eval --params W.json` takes raw inputs, as `predict` does.

import { readFileSync } from "node:fs";
import { error, type Diagnostic } from "../diagnostics/diagnostic.js";
import { applyPreprocess, PreprocessError, readPreprocess, type Preprocess } from "../runtime/preprocess.js";

/**
 * Scales the inputs in `values` (one example) as the weights file at
 * `paramsPath` says, replacing them in the map. A plain map of params has no
 * preprocessing; a file that cannot be read was reported by its reader.
 * Returns the preprocessing applied (undefined for none), or a diagnostic.
 */
export function applySavedPreprocess(paramsPath: string, values: Map<string, Float64Array>): { diagnostic: Diagnostic } | { preprocess: Preprocess | undefined } {
  let saved: unknown;
  try {
    const file = JSON.parse(readFileSync(paramsPath, "utf8")) as { format?: unknown; preprocess?: unknown } | null;
    // A plain map of params may well have a param named "preprocess".
    if (typeof file?.format !== "string" || !file.format.startsWith("nndc-weights/")) return { preprocess: undefined };
    saved = file.preprocess;
  } catch {
    return { preprocess: undefined };
  }
  try {
    const preprocess = readPreprocess(saved, paramsPath);
    const scaled = applyPreprocess(preprocess, Object.fromEntries(values), 1);
    for (const [name, v] of Object.entries(scaled)) values.set(name, v);
    return { preprocess };
  } catch (e) {
    if (!(e instanceof PreprocessError)) throw e;
    return { diagnostic: error("NND3037", undefined, paramsPath, e.message.startsWith(`${paramsPath}: `) ? e.message.slice(paramsPath.length + 2) : e.message) };
  }
}
