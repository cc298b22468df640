// nndc grad FILE (--model M | --fn F) [--wrt NAME] [--latex]: the simplified
// derivatives in matrix form, with the forward definitions they refer to.

import { chooseNames } from "../../graph/formulas.js";
import type { Node } from "../../graph/node.js";
import { formatName, type Notation } from "../../graph/notation.js";
import { printFormula } from "../../graph/print.js";
import { report } from "../report.js";
import { loadTarget, selectWrt, withDataGradients, type TargetOptions } from "../target.js";
import { EXIT } from "../exit.js";

export interface GradOptions extends TargetOptions {
  readonly wrt?: string;
  readonly latex?: boolean;
}

export function gradCommand(file: string, options: GradOptions): number {
  const loaded = loadTarget(file, options);
  if (typeof loaded === "number") return loaded;
  const { target } = loaded;
  const derived = withDataGradients(loaded, options.wrt);
  const variables = derived.wrt.map((w) => w.attrs.name!);
  const picked = selectWrt(variables, options.wrt, `${target.kind} '${target.name}'`);
  if ("code" in picked) return report([picked]), EXIT.userError;

  const notation: Notation = options.latex ? "latex" : "math";
  const of = target.kind === "model" ? "L" : target.name;
  const results = picked.map((i) => ({ variable: variables[i]!, node: derived.grads[i]! }));
  // For a fn, its value is shown as a definition; inside the derivatives the
  // fn's name would hide the formula a learner wants to see.
  const userNames = target.kind === "model" ? derived.names : new Map<Node, string>();
  const roots = [derived.forward[0]!.node];
  // A fn's formulas are short: only longer shared parts are worth a name.
  const worthNaming = target.kind === "model" ? undefined : (n: Node) => printFormula(n, { notation: "math", names: userNames }).length >= 16;
  const formulas = chooseNames(roots, userNames, results.flatMap((r) => (r.node === null ? [] : [r.node])), worthNaming);
  const print = (n: Node) => printFormula(n, { notation, names: formulas.names });
  // A definition prints its own node in full; one copy of the names, with that
  // node left out while it prints (a copy per definition was quadratic).
  const definitionNames = new Map(formulas.names);
  const printDefinition = (n: Node) => {
    const own = definitionNames.get(n);
    definitionNames.delete(n);
    const text = printFormula(n, { notation, names: definitionNames });
    if (own !== undefined) definitionNames.set(n, own);
    return text;
  };

  const lines: { lhs: string; rhs: string }[] = [];
  const section = (title: string) => lines.push({ lhs: "", rhs: title });
  if (target.kind === "fn") {
    section(`fn ${target.name}`);
    lines.push({ lhs: formatName(target.name, notation), rhs: printFormula(derived.forward[0]!.node, { notation, names: new Map() }) });
  } else {
    section(`model ${target.name}: the gradient of the loss L for one example`);
  }
  if (formulas.forward.length > 0) section("forward");
  for (const d of formulas.forward) lines.push({ lhs: formatName(d.name, notation), rhs: printDefinition(d.node) });
  if (formulas.backward.length > 0) section("backward");
  for (const d of formulas.backward) lines.push({ lhs: formatName(d.name, notation), rhs: printDefinition(d.node) });
  section("gradient");
  for (const r of results) {
    const rhs = r.node === null ? rankNote(notation) : print(r.node);
    lines.push({ lhs: partial(of, r.variable, notation), rhs });
  }

  process.stdout.write(notation === "latex" ? renderLatex(lines) : renderText(lines));
  return EXIT.ok;
}

/** A derivative of rank 3 or more (a Jacobian of a matrix, say) is outside what nndc represents. */
const rankNote = (notation: Notation) =>
  notation === "latex" ? "\\text{(rank above 2: not represented)}" : "(rank above 2: not represented)";

function partial(of: string, variable: string, notation: Notation): string {
  const f = formatName(of, notation);
  const x = formatName(variable, notation);
  return notation === "latex" ? `\\frac{\\partial ${f}}{\\partial ${x}}` : `∂${f}/∂${x}`;
}

function renderText(lines: readonly { lhs: string; rhs: string }[]): string {
  const out: string[] = [];
  for (const l of lines) {
    if (l.lhs === "") out.push(out.length === 0 ? l.rhs : `\n${l.rhs}`);
    else out.push(`  ${l.lhs} = ${l.rhs}`);
  }
  return `${out.join("\n")}\n`;
}

/** One aligned block, ready to paste into a document; section titles become \text lines. */
function renderLatex(lines: readonly { lhs: string; rhs: string }[]): string {
  const rows = lines.map((l) => (l.lhs === "" ? `&\\text{${l.rhs.replace(/[{}\\_&%$#^~]/g, (c) => `\\${c}`)}}` : `${l.lhs} &= ${l.rhs}`));
  return `\\begin{aligned}\n${rows.map((r) => `  ${r}`).join(" \\\\\n")}\n\\end{aligned}\n`;
}
