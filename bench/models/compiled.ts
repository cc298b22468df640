// A benchmark network's .nnd file, checked, compiled (exactly the code
// `nndc compile` writes) and loaded in this process.

import { readFileSync } from "node:fs";
import { check } from "../../src/check/check.js";
import { compile, type Precision } from "../../src/pipeline/compile.js";
import { loadGenerated, type GeneratedModel } from "../../src/pipeline/load.js";
import { parse } from "../../src/parse/parse.js";
import { targets, type TargetName } from "../../src/pipeline/targets.js";

export async function compiledModel(file: string, precision: Precision, target: TargetName = "ts"): Promise<GeneratedModel> {
  const { checked } = check(parse(readFileSync(file, "utf8"), file).program);
  const modules = await loadGenerated((await compile(checked, { precision, source: file, target: targets[target] })).code);
  return Object.values(modules).find((m): m is GeneratedModel => typeof (m as GeneratedModel).lossAndGrad === "function")!;
}
