// nndc gradcheck FILE: every derivative of every model and fn against central
// finite differences; the worst relative error per variable; exit 1 on a mismatch.

import { Deriver } from "../../derive.js";
import { formatShape } from "../../diagnostics/shape.js";
import { hasErrors } from "../../diagnostics/diagnostic.js";
import { defaultGradcheck, gradcheck, type Check } from "../../gradcheck.js";
import type { Node } from "../../graph/node.js";
import { checkFile } from "../frontend.js";
import { report } from "../report.js";
import { EXIT } from "../exit.js";

export interface GradcheckCommandOptions {
  readonly seed?: string;
  readonly tolerance?: string;
}

export function gradcheckCommand(file: string, options: GradcheckCommandOptions): number {
  const result = checkFile(file);
  report(result.diagnostics, result.source);
  if (result.checked === undefined || hasErrors(result.diagnostics)) return EXIT.userError;
  const settings = {
    ...defaultGradcheck,
    seed: options.seed === undefined ? defaultGradcheck.seed : Number(options.seed),
    tolerance: options.tolerance === undefined ? defaultGradcheck.tolerance : Number(options.tolerance),
  };
  const deriver = new Deriver(result.checked);
  const out: string[] = [`gradcheck ${file}: central differences (h = 1e-5) at ${settings.points} points, seed ${settings.seed}, tolerance ${settings.tolerance}`];
  let failures = 0;
  let total = 0;

  const section = (title: string, checks: Check[]) => {
    out.push("", title);
    const width = Math.max(...checks.map((c) => c.variable.length));
    for (const c of checks) {
      total++;
      if (!c.ok) failures++;
      const shape = formatShape(c.shape).padEnd(10);
      const verdict = c.skipped !== undefined ? `skipped: ${c.skipped}` : `${c.ok ? "ok  " : "FAIL"}  worst relative error ${c.worst.toExponential(2)}${c.entries < Math.max(1, c.shape.reduce((a, b) => a * b, 1)) ? ` (${c.entries} sampled entries)` : ""}`;
      out.push(`  ${c.variable.padEnd(width)}  ${shape}  ${verdict}`);
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
  out.push("", failures === 0 ? `All ${total} derivatives agree with finite differences.` : `${failures} of ${total} derivatives disagree with finite differences.`);
  process.stdout.write(`${out.join("\n")}\n`);
  return failures === 0 ? EXIT.ok : EXIT.userError;
}
