// nndc grad FILE (--model M | --fn F) [--wrt NAME] [--latex]: the simplified
// derivatives in matrix form, with the forward definitions they refer to
// (explain/grad.ts).

import { formatGrad, type GradFormatOptions } from "../../explain/grad.js";
import { report } from "../report.js";
import { loadTarget, type TargetOptions } from "../target.js";
import { EXIT } from "../exit.js";

export interface GradOptions extends TargetOptions, GradFormatOptions {}

export function gradCommand(file: string, options: GradOptions): number {
  const text = gradText(file, options);
  if (typeof text === "number") return text;
  process.stdout.write(text);
  return EXIT.ok;
}

/** What `nndc grad` prints, or the exit status after a diagnostic. */
export function gradText(file: string, options: GradOptions): string | number {
  const loaded = loadTarget(file, options);
  if (typeof loaded === "number") return loaded;
  const text = formatGrad(loaded, options);
  if (typeof text === "string") return text;
  report([text]);
  return EXIT.userError;
}
