// nndc explain FILE (--model M | --fn F) --wrt NAME: the derivation step by
// step, naming the rule applied at each step, then the simplified result.

import { FnExplainer } from "../../explain/fn.js";
import { explainModel } from "../../explain/model.js";
import { formatName } from "../../graph/notation.js";
import { printFormula } from "../../graph/print.js";
import { report } from "../report.js";
import type { DerivedModel } from "../../pipeline/derive.js";
import { readable } from "../../simplify/readable.js";
import { formatGrad } from "../../explain/grad.js";
import { loadTarget, selectWrt, withDataGradients, type TargetOptions } from "../target.js";
import { EXIT } from "../exit.js";

export interface ExplainOptions extends TargetOptions {
  readonly wrt?: string;
}

export function explainCommand(file: string, options: ExplainOptions): number {
  const loaded = loadTarget(file, options);
  if (typeof loaded === "number") return loaded;
  const { checked, target } = loaded;
  const derived = withDataGradients(loaded, options.wrt);
  const variables = derived.wrt.map((v) => v.attrs.name!);
  const picked = selectWrt(variables, options.wrt ?? (variables.length === 1 ? variables[0] : undefined), `${target.kind} '${target.name}'`);
  if ("code" in picked) return report([picked]), EXIT.userError;
  if (picked.length !== 1) {
    process.stderr.write(`nndc: explain needs --wrt (one of: ${variables.join(", ")})\n`);
    return EXIT.commandLine;
  }
  const i = picked[0]!;
  const variable = variables[i]!;
  const out: string[] = [];
  const table = (rows: { a: string; b: string; c?: string }[]) => {
    const wa = Math.max(...rows.map((r) => [...r.a].length));
    const wb = Math.max(...rows.map((r) => [...r.b].length));
    for (const r of rows) out.push(`  ${r.a.padEnd(wa + (r.a.length - [...r.a].length))}  ${r.c === undefined ? r.b : `${r.b.padEnd(wb + (r.b.length - [...r.b].length))}  ${r.c}`}`.trimEnd());
  };

  if (target.kind === "fn") {
    const fn = checked.fns.get(target.name)!;
    const steps = new FnExplainer(checked).explain(fn, variable);
    out.push(`the derivative of ${target.name} with respect to ${variable}, rule by rule`, "");
    table(steps.map((s, k) => ({ a: `${k + 1}.`, b: s.rule, c: s.text })));
    const grad = derived.grads[i];
    const simplified = grad === null || grad === undefined ? "(rank above 2: see nndc grad, which prints it entry by entry)" : printFormula(readable(loaded.deriver.graph, [grad]).roots[0]!, { notation: "math", names: new Map() });
    out.push("", "simplified", `  ∂${formatName(target.name, "math")}/∂${formatName(variable, "math")} = ${simplified}`);
  } else {
    const model = derived as DerivedModel;
    const { forward, backward } = explainModel(model, i);
    out.push(`model ${target.name}: backpropagation from the loss L to ${variable}, rule by rule`, "", "forward");
    table(forward.map((l) => ({ a: l.lhs, b: `= ${l.rhs}` })));
    out.push("", "backward (each line adds one term to a gradient)");
    table(backward.map((l) => ({ a: l.lhs, b: l.rhs, c: l.rule })));
    // The result as grad prints it: rewritten for a reader, one δ per layer
    // (δ_h after the user's name of the layer), the forward terms it uses.
    const simplified = formatGrad(loaded, { wrt: variable });
    if (typeof simplified !== "string") return report([simplified]), EXIT.userError;
    out.push("", "simplified, as nndc grad prints it", "", ...simplified.trimEnd().split("\n").slice(2));
  }
  process.stdout.write(`${out.join("\n")}\n`);
  return EXIT.ok;
}
