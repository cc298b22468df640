// Compiles a program and imports the generated module, as `nndc eval` does.

import { compile, type Precision } from "../../src/pipeline/compile.js";
import type { CheckedProgram } from "../../src/check/checked.js";
import { loadGenerated } from "../../src/pipeline/load.js";

export async function generate(checked: CheckedProgram, precision: Precision = "f64", hessian = false) {
  const compiled = await compile(checked, { precision, source: "test.nnd", hessian });
  const module = await loadGenerated(compiled.code);
  return { compiled, module };
}
