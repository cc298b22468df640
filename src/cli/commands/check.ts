// nndc check FILE...: parse, resolve names and check shapes; writes nothing.
// With --verbose, also says what it found, for a learner to confirm the shapes.

import type { CheckedProgram, ValueSymbol } from "../../check/checked.js";
import { hasErrors, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { formatShape, sizeOf, type Shape } from "../../tensor/shape.js";
import { checkFile } from "../frontend.js";
import { renderSummary, report } from "../report.js";
import { EXIT } from "../exit.js";

export interface CheckOptions {
  readonly verbose?: boolean;
}

export function checkCommand(files: readonly string[], options: CheckOptions = {}): number {
  const all: Diagnostic[] = [];
  for (const file of files) {
    const result = checkFile(file);
    report(result.diagnostics, result.source);
    all.push(...result.diagnostics);
    if (options.verbose && result.checked !== undefined && !hasErrors(result.diagnostics)) {
      process.stdout.write(`${file}: ok\n${describeProgram(result.checked)}`);
    }
  }
  const summary = renderSummary(all);
  if (summary !== "") process.stderr.write(`${summary}\n`);
  return hasErrors(all) ? EXIT.userError : EXIT.ok;
}

const shapeOf = (s: ValueSymbol): Shape => ("shape" in s && s.shape !== undefined ? s.shape : []);
const name = (s: ValueSymbol): string => (s.kind === "constant" ? s.name : s.decl.name.name);
/** A class target reads `y class[3]`. */
const shapeText = (s: ValueSymbol) => (s.kind === "target" && s.decl.classes === true ? `class${formatShape(shapeOf(s))}` : formatShape(shapeOf(s)));
const list = (symbols: readonly ValueSymbol[]) => symbols.map((s) => `${name(s)} ${shapeText(s)}`).join(", ");

export function describeProgram(p: CheckedProgram): string {
  const lines: string[] = [];
  for (const [dim, value] of p.dims) lines.push(`  dim ${dim} = ${value}`);
  for (const [modelName, m] of p.models) {
    const count = m.params.reduce((n, s) => n + sizeOf(shapeOf(s)), 0);
    lines.push(`  model ${modelName}: ${count} parameter${count === 1 ? "" : "s"}`);
    if (m.inputs.length > 0) lines.push(`    inputs   ${list(m.inputs)}`);
    if (m.targets.length > 0) lines.push(`    targets  ${list(m.targets)}`);
    const params = m.params.map((s) => {
      const init = s.kind === "param" ? s.init : undefined;
      const args = init && init.args.length > 0 ? `(${init.args.join(", ")})` : "";
      return `${name(s)} ${formatShape(shapeOf(s))} ~ ${init?.scheme}${args}`;
    });
    if (params.length > 0) lines.push(`    params   ${params.join(", ")}`);
    if (m.outputs.length > 0) lines.push(`    outputs  ${list(m.outputs)}`);
  }
  for (const [fnName, fn] of p.fns) {
    const args = fn.args.map((a) => `${a.decl.name.name}: ${formatShape(a.shape)}`).join(", ");
    lines.push(`  fn ${fnName}(${args}) -> ${fn.result === undefined ? "?" : formatShape(fn.result)}`);
  }
  return lines.map((l) => `${l}\n`).join("");
}
