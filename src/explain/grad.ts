// The derivatives of a model or fn in matrix form, with the forward
// definitions they refer to, as `nndc grad` prints them: rewritten for a
// reader first (simplify/readable.ts; the compiled code is not), shared
// parts named (δ for the error flowing into each layer), in Unicode or LaTeX.

import { chooseNames } from "../graph/formulas.js";
import type { DerivedFn, DerivedModel } from "../pipeline/derive.js";
import { sizeOf } from "../tensor/shape.js";
import { reachable, type Node } from "../graph/node.js";
import { constantValue } from "../graph/rewrite.js";
import { formatName, subscript, type Notation } from "../graph/notation.js";
import { printBlock, printFormula, writtenOutSize } from "../graph/print.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { childExprs } from "../parse/walk.js";
import type { Expr } from "../parse/ast.js";
import { carryNames, layoutRules, readable } from "../simplify/readable.js";
import { classTargets, selectWrt, withDataGradients, type Loaded } from "./target.js";

export interface GradFormatOptions {
  /** One variable's derivative; every variable's when absent. */
  readonly wrt?: string;
  readonly latex?: boolean;
}

/** What `nndc grad` prints for a derived model or fn (explain ends with it too), or why not (an unknown --wrt). */
export function formatGrad(loaded: Loaded, options: GradFormatOptions): string | Diagnostic {
  const { target } = loaded;
  const derived = withDataGradients(loaded, options.wrt);
  const variables = derived.wrt.map((w) => w.attrs.name!);
  const picked = selectWrt(variables, options.wrt, `${target.kind} '${target.name}'`);
  if ("code" in picked) return picked;

  const notation: Notation = options.latex ? "latex" : "math";
  const of = target.kind === "model" ? "L" : target.name;
  const results = picked.flatMap((i) => resultsFor(loaded, derived, i, of, notation));
  // What is printed is rewritten for a reader first (simplify/readable.ts): the compiled code is not.
  const present = results.filter((r) => r.node !== null);
  const oneHot = classTargets(loaded);
  const tidy = readable(loaded.deriver.graph, [derived.forward[0]!.node, ...present.map((r) => r.node!)], oneHot);
  // A fn's value is shown as written (laid out, not refactored), unless it is itself a derivative.
  const asWritten = target.kind === "fn" && !callsDiff(loaded.checked.fns.get(target.name)!.decl.body);
  const value = asWritten ? readable(loaded.deriver.graph, [derived.forward[0]!.node], oneHot, layoutRules).roots[0]! : tidy.roots[0]!;
  const tidied = new Map(present.map((r, k) => [r, tidy.roots[k + 1]!]));
  // For a fn, its value is shown as a definition; inside the derivatives the
  // fn's name would hide the formula a learner wants to see.
  const userNames = target.kind === "model" ? carryNames(derived.names, tidy) : new Map<Node, string>();
  // A fn's formulas are short: only longer shared parts are worth a name.
  const worthNaming = target.kind === "model" ? () => true : (n: Node) => worthANameInFn(n, userNames);
  // A fn's value is printed with its shared parts named too: written out, an
  // iterated map (l₁₀ = 4 l₉ (1 − l₉)) doubles at every step.
  const printedRoots = [...(target.kind === "fn" ? [value] : []), ...tidied.values()];
  const adjoints = new Map([...derived.adjoints].map(([n, into]) => [tidy.mapping.get(n) ?? n, tidy.mapping.get(into) ?? into]));
  const formulas = chooseNames([value], userNames, printedRoots, { worthNaming, adjoints, everyAdjoint: target.kind === "model" });
  const print = (n: Node) => printBlock(n, { notation, names: formulas.names }).join("\n");
  // A definition prints its own node in full; one copy of the names, with that
  // node left out while it prints (a copy per definition was quadratic).
  const definitionNames = new Map(formulas.names);
  const printDefinition = (n: Node) => {
    const own = definitionNames.get(n);
    definitionNames.delete(n);
    const text = printBlock(n, { notation, names: definitionNames }).join("\n");
    if (own !== undefined) definitionNames.set(n, own);
    return text;
  };

  const lines: { lhs: string; rhs: string }[] = [];
  const section = (title: string) => lines.push({ lhs: "", rhs: title });
  if (target.kind === "fn") {
    section(`fn ${target.name}`);
    lines.push({ lhs: formatName(target.name, notation), rhs: printDefinition(value) });
  } else {
    section(`model ${target.name}: the gradient of the loss L for one example`);
  }
  if (formulas.forward.length > 0) section("forward");
  for (const d of formulas.forward) lines.push({ lhs: formatName(d.name, notation), rhs: printDefinition(d.node) });
  if (formulas.backward.length > 0) section("backward");
  for (const d of formulas.backward) lines.push({ lhs: formatName(d.name, notation), rhs: printDefinition(d.node) });
  section("gradient");
  for (const r of results) lines.push({ lhs: r.lhs, rhs: tidied.has(r) ? print(tidied.get(r)!) : r.note! });
  if (usesIndices(printedRoots)) lines.push({ lhs: "", rhs: notation === "latex" ? INDEX_NOTE_LATEX : INDEX_NOTE });

  return notation === "latex" ? renderLatex(lines) : renderText(lines);
}

/** Shared parts of a fn's formulas are named from this many characters printed. */
const FN_NAME_FROM = 16;

/** Whether a shared part of a fn's formula prints long enough to name (measured without writing out a long one). */
function worthANameInFn(n: Node, names: ReadonlyMap<Node, string>): boolean {
  if (writtenOutSize(n, names, FN_NAME_FROM) > FN_NAME_FROM) return true;
  return printFormula(n, { notation: "math", names }).length >= FN_NAME_FROM;
}

const INDEX_NOTE = "(indices count from 0, as in the .nnd file: x₀ is x[0])";
const INDEX_NOTE_LATEX = "(indices count from 0, as in the .nnd file)";

interface Result {
  readonly lhs: string;
  readonly node: Node | null;
  /** Why there is no formula, when node is null. */
  readonly note?: string;
}

/** Derivatives printed one per entry of the value, up to this many. */
const MAX_ENTRY_RESULTS = 16;

/**
 * The derivative with respect to variable i: one formula, or, for a
 * derivative of rank above 2 (a vector-valued fn of a matrix), the gradient
 * of each entry of the value, ∂F₀/∂W, ∂F₁/∂W, … (a rank-3 tensor as a list
 * of matrices).
 */
function resultsFor(loaded: Loaded, derived: DerivedModel | DerivedFn, i: number, of: string, notation: Notation): Result[] {
  const variable = derived.wrt[i]!.attrs.name!;
  const grad = derived.grads[i];
  const x = formatName(variable, notation);
  if (grad !== null && grad !== undefined) return [{ lhs: partial(formatName(of, notation), x, notation), node: grad }];
  const value = derived.forward[0]!.node;
  const shape = [...value.shape, ...derived.wrt[i]!.shape];
  const entries = sizeOf(value.shape);
  const what = `a tensor of rank ${shape.length}, shape [${shape.join(", ")}]`;
  const rows = entries <= MAX_ENTRY_RESULTS ? loaded.deriver.fnJacobians(loaded.target.name)[i] : null;
  if (rows === null || rows === undefined) {
    const note = `(${what}, ${entries} matrices; printed entry by entry up to ${MAX_ENTRY_RESULTS})`;
    return [{ lhs: partial(formatName(of, notation), x, notation), node: null, note: notation === "latex" ? `\\text{${note}}` : note }];
  }
  // A tensor of zeros is one line, not one per entry.
  if (rows.every((r) => constantValue(r) === 0)) return [{ lhs: partial(formatName(of, notation), x, notation), node: null, note: `0 (${what})` }];
  return rows.map((node, k) => ({ lhs: partial(entryName(of, value.shape, k, notation), x, notation), node }));
}

/** F₀, F₁,₂ (F_{0}, F_{1,2}): entry k (row-major) of a value of this shape. */
function entryName(of: string, shape: readonly number[], k: number, notation: Notation): string {
  const idx = shape.length === 2 ? [Math.floor(k / shape[1]!), k % shape[1]!] : [k];
  const name = formatName(of, notation);
  return notation === "latex" ? `${name}_{${idx.join(",")}}` : `${name}${idx.map((j) => subscript(String(j))).join(",")}`;
}

/** Whether an expression calls diff anywhere: such a fn's value is a derivative, and printed as one. */
function callsDiff(e: Expr): boolean {
  const stack = [e];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (x.kind === "call" && x.callee.name === "diff") return true;
    stack.push(...childExprs(x));
  }
  return false;
}

const usesIndices = (roots: readonly Node[]) => reachable(roots).some((n) => n.op === "index");

/** ∂f/∂x of two names as printed. */
function partial(f: string, x: string, notation: Notation): string {
  return notation === "latex" ? `\\frac{\\partial ${f}}{\\partial ${x}}` : `∂${f}/∂${x}`;
}

function renderText(lines: readonly { lhs: string; rhs: string }[]): string {
  const out: string[] = [];
  for (const l of lines) {
    if (l.lhs === "") out.push(out.length === 0 ? l.rhs : `\n${l.rhs}`);
    else out.push(...equation(l.lhs, l.rhs.split("\n")));
  }
  return `${out.join("\n")}\n`;
}

/** lhs = rhs, a grid of several lines with the name beside its middle row. */
function equation(lhs: string, rhs: readonly string[]): string[] {
  const middle = (rhs.length - 1) >> 1;
  const pad = " ".repeat([...`  ${lhs} = `].length);
  return rhs.map((line, i) => (i === middle ? `  ${lhs} = ${line}` : `${pad}${line}`));
}

/** One aligned block, ready to paste into a document; section titles become \text lines. */
function renderLatex(lines: readonly { lhs: string; rhs: string }[]): string {
  const rows = lines.map((l) => (l.lhs === "" ? `&\\text{${l.rhs.replace(/[{}\\_&%$#^~]/g, (c) => `\\${c}`)}}` : `${l.lhs} &= ${l.rhs}`));
  return `\\begin{aligned}\n${rows.map((r) => `  ${r}`).join(" \\\\\n")}\n\\end{aligned}\n`;
}
