// The common start of grad, explain and graph: check the file, pick the
// model or fn (explain/target.ts), derive it. Problems are reported.

import { hasErrors } from "../diagnostics/diagnostic.js";
import { derivation, selectTarget, type Loaded, type TargetOptions } from "../explain/target.js";
import { checkFile } from "./frontend.js";
import { report } from "./report.js";
import { EXIT } from "./exit.js";

export * from "../explain/target.js";

/** The file's model or fn, derived; or, after a reported diagnostic, the exit status. */
export function loadTarget(file: string, options: TargetOptions): Loaded | number {
  const result = checkFile(file);
  report(result.diagnostics, result.source);
  if (result.checked === undefined || hasErrors(result.diagnostics)) return EXIT.userError;
  const target = selectTarget(result.checked, options, file);
  if ("code" in target) {
    report([target]);
    return EXIT.userError;
  }
  return derivation(result.checked, target);
}
