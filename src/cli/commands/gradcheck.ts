// nndc gradcheck FILE: every derivative of every model and fn against central
// finite differences; the worst relative error per variable; exit 1 on a
// mismatch. Checked, skipped (with the reason) and failed are counted apart:
// a skipped derivative was not compared, so it never counts as agreeing.

import { Deriver } from "../../pipeline/derive.js";
import { formatShape, sizeOf } from "../../tensor/shape.js";
import { error, hasErrors, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { defaultGradcheck, gradcheck, tally, type Check, type GradcheckOptions } from "../../verify/gradcheck.js";
import type { Node } from "../../graph/node.js";
import { checkFile } from "../frontend.js";
import { report } from "../report.js";
import { EXIT } from "../exit.js";

export interface GradcheckCommandOptions {
  readonly seed?: string;
  readonly tolerance?: string;
}

/** The settings from the flags, or the diagnostics of the values that do not parse. */
export function gradcheckSettings(options: GradcheckCommandOptions): GradcheckOptions | Diagnostic[] {
  const problems: Diagnostic[] = [];
  const seed = options.seed === undefined ? defaultGradcheck.seed : Number(options.seed);
  const tolerance = options.tolerance === undefined ? defaultGradcheck.tolerance : Number(options.tolerance);
  // Number("") is 0: an empty value is a mistake, not zero.
  if (options.seed?.trim() === "" || !Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) {
    problems.push(error("NND3010", undefined, "--seed", "a whole number from 0 to 4294967295", options.seed ?? ""));
  }
  if (options.tolerance?.trim() === "" || !Number.isFinite(tolerance) || tolerance < 0) {
    problems.push(error("NND3010", undefined, "--tolerance", "a number ≥ 0 (a relative error, e.g. 1e-5)", options.tolerance ?? ""));
  }
  return problems.length > 0 ? problems : { ...defaultGradcheck, seed, tolerance };
}

export function gradcheckCommand(file: string, options: GradcheckCommandOptions): number {
  const settings = gradcheckSettings(options);
  if (Array.isArray(settings)) return report(settings), EXIT.userError;
  const result = checkFile(file);
  report(result.diagnostics, result.source);
  if (result.checked === undefined || hasErrors(result.diagnostics)) return EXIT.userError;
  const deriver = new Deriver(result.checked);
  const out: string[] = [`gradcheck ${file}: central differences (h = 1e-5) at ${settings.points} points, seed ${settings.seed}, tolerance ${settings.tolerance}`];
  const all: Check[] = [];
  const skipped: string[] = [];

  const section = (title: string, checks: Check[]) => {
    out.push("", title);
    const width = Math.max(...checks.map((c) => c.variable.length));
    for (const c of checks) {
      all.push(c);
      if (c.skipped !== undefined) skipped.push(`${title} ${c.variable}`);
      out.push(`  ${c.variable.padEnd(width)}  ${formatShape(c.shape).padEnd(10)}  ${verdict(c)}`);
    }
  };

  for (const name of result.checked.models.keys()) {
    const d = deriver.model(name);
    // Targets are probabilities or labels: draw them from [0, 1].
    const targets = new Set<Node>(d.model.targets);
    const leaves = [...d.model.inputs, ...d.model.targets, ...d.model.params];
    section(`model ${name}`, gradcheck(d, d.loss, leaves, (v) => (targets.has(v) ? [0, 1] : [-1, 1]), settings));
  }
  for (const name of result.checked.fns.keys()) {
    const d = deriver.fn(name);
    if (d.wrt.length === 0) continue;
    section(`fn ${name}`, gradcheck(d, d.value, d.wrt, () => [-1.5, 1.5], settings));
  }
  out.push("", ...summary(all, skipped));
  process.stdout.write(`${out.join("\n")}\n`);
  return tally(all).failed === 0 ? EXIT.ok : EXIT.userError;
}

function verdict(c: Check): string {
  if (c.skipped !== undefined) return `skipped: ${c.skipped}`;
  const sampled = c.entries < Math.max(1, sizeOf(c.shape)) ? ` (${c.entries} sampled entries)` : "";
  return `${c.ok ? "ok  " : "FAIL"}  worst relative error ${c.worst.toExponential(2)}${sampled}`;
}

/** The closing lines: checked and failed, then what was skipped (not compared at all). */
function summary(checks: readonly Check[], skippedNames: readonly string[]): string[] {
  const { checked, failed, skipped } = tally(checks);
  const derivatives = (n: number) => `${n} derivative${n === 1 ? "" : "s"}`;
  const lines: string[] = [];
  if (checked === 0) lines.push("No derivative was checked.");
  else if (failed > 0) lines.push(`${failed} of ${checked} checked derivatives disagree with finite differences.`);
  else if (skipped === 0) lines.push(`All ${derivatives(checked)} agree with finite differences.`);
  else lines.push(`All ${checked} checked derivatives agree with finite differences.`);
  if (skipped > 0) lines.push(`${derivatives(skipped)} skipped, not checked (reasons above): ${skippedNames.join(", ")}.`);
  return lines;
}
