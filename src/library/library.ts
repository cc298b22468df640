// The compiler as a library, on strings: no file system, no process. Each
// function takes a .nnd source text and returns what the matching command
// prints, with the diagnostics as data and as rendered code frames.

import { targetNamed, type TargetName } from "../pipeline/targets.js";
import { check as checkProgram } from "../check/check.js";
import type { CheckedProgram } from "../check/checked.js";
import { hasErrors, type Diagnostic } from "../diagnostics/diagnostic.js";
import { renderDiagnostic } from "../diagnostics/render.js";
import type { SourceFile } from "../diagnostics/source.js";
import { formatGrad } from "../explain/grad.js";
import { derivation, selectTarget, type Target } from "../explain/target.js";
import { format as formatProgram } from "../format/format.js";
import { parse } from "../parse/parse.js";
import { compile as compileProgram, type Precision } from "../pipeline/compile.js";
import { Deriver } from "../pipeline/derive.js";

export interface SourceOptions {
  /** The name diagnostics and the module's header give the source; "input.nnd" when absent. */
  readonly filename?: string;
}

/** A diagnostic, and its text as nndc prints it: position, message and code frame (no colour). */
export interface Reported extends Diagnostic {
  readonly rendered: string;
}

export interface Checked {
  /** The checked program, when there is no error. */
  readonly program?: CheckedProgram;
  readonly diagnostics: readonly Reported[];
}

/** Parses and checks a .nnd text, as `nndc check`. */
export function check(source: string, options: SourceOptions = {}): Checked {
  return front(source, options).result;
}

/** The text in nndc fmt's layout, as `nndc fmt`; none when it does not parse. */
export function format(source: string, options: SourceOptions = {}): { readonly text?: string; readonly diagnostics: readonly Reported[] } {
  const parsed = parse(source, filename(options));
  const diagnostics = reported(parsed.diagnostics, parsed.source);
  if (parsed.program === undefined || hasErrors(parsed.diagnostics)) return { diagnostics };
  return { text: formatProgram(parsed.program, parsed.source), diagnostics };
}

/** The derivatives of one model or fn, as `nndc grad` prints them. */
export interface Formulas {
  readonly kind: "model" | "fn";
  readonly name: string;
  /** Unicode, as in a terminal. */
  readonly math: string;
  /** One LaTeX `aligned` block. */
  readonly latex: string;
}

export interface DeriveOptions extends SourceOptions {
  /** One model or fn by name; every model and fn in the file when neither is given. */
  readonly model?: string;
  readonly fn?: string;
  /** One variable's derivative; every variable's when absent. */
  readonly wrt?: string;
}

/** The derived formulas, as `nndc grad`: none when there is an error. */
export function derive(source: string, options: DeriveOptions = {}): { readonly formulas: readonly Formulas[]; readonly diagnostics: readonly Reported[] } {
  const { result, file } = front(source, options);
  if (result.program === undefined) return { formulas: [], diagnostics: result.diagnostics };
  const named = options.model !== undefined || options.fn !== undefined ? selectTarget(result.program, options, filename(options)) : undefined;
  if (named !== undefined && "code" in named) return { formulas: [], diagnostics: [...result.diagnostics, ...reported([named], file)] };
  const formulas = formulasOf(result.program, named !== undefined ? [named] : everyTarget(result.program), options.wrt, new Deriver(result.program));
  if ("code" in formulas) return { formulas: [], diagnostics: [...result.diagnostics, ...reported([formulas], file)] };
  return { formulas, diagnostics: result.diagnostics };
}

/** What `nndc grad` prints for each target, derived with one Deriver; or why not (a `wrt` it does not have). */
function formulasOf(program: CheckedProgram, targets: readonly Target[], wrt: string | undefined, deriver: Deriver): Formulas[] | Diagnostic {
  const formulas: Formulas[] = [];
  for (const target of targets) {
    const loaded = derivation(program, target, deriver);
    const math = formatGrad(loaded, { wrt });
    const latex = formatGrad(loaded, { wrt, latex: true });
    if (typeof math !== "string") return math;
    if (typeof latex !== "string") return latex;
    formulas.push({ ...target, math, latex });
  }
  return formulas;
}

export interface CompileOptions extends SourceOptions {
  /** TypeScript loops (`ts`, the default) or WebAssembly run from a TypeScript wrapper (`wasm`): the same module interface. */
  readonly target?: TargetName;
  /** With `target: "wasm"`: every model in WebAssembly, even one too small for a call into it to pay (XOR in a browser test). */
  readonly wasmAlways?: boolean;
  /** f64 (the default) or f32 arrays. */
  readonly precision?: Precision;
}

export interface CompileResult {
  /** The generated module's text (docs/module.md), when there is no error. */
  readonly code?: string;
  /** The export name of each model and fn. */
  readonly exports: ReadonlyMap<string, string>;
  readonly diagnostics: readonly Reported[];
  /** Every model's and fn's derivatives. */
  readonly formulas: readonly Formulas[];
}

/** The generated module, as `nndc compile`, with the formulas `nndc grad` prints. */
export async function compile(source: string, options: CompileOptions = {}): Promise<CompileResult> {
  const { result, file } = front(source, options);
  if (result.program === undefined) return { exports: new Map(), diagnostics: result.diagnostics, formulas: [] };
  // One derivation for the code and the formulas.
  const deriver = new Deriver(result.program);
  const compiled = await compileProgram(result.program, { precision: options.precision ?? "f64", source: filename(options), sourceFile: file, deriver, target: targetNamed(options.target ?? "ts", options) });
  const diagnostics = [...result.diagnostics, ...reported(compiled.diagnostics, file)];
  const formulas = formulasOf(result.program, everyTarget(result.program), undefined, deriver);
  return { code: compiled.code, exports: compiled.exports, diagnostics, formulas: "code" in formulas ? [] : formulas };
}

const filename = (options: SourceOptions) => options.filename ?? "input.nnd";

function front(source: string, options: SourceOptions): { result: Checked; file: SourceFile } {
  const parsed = parse(source, filename(options));
  if (parsed.program === undefined || hasErrors(parsed.diagnostics)) return { result: { diagnostics: reported(parsed.diagnostics, parsed.source) }, file: parsed.source };
  const { checked, diagnostics } = checkProgram(parsed.program);
  const all = [...parsed.diagnostics, ...diagnostics];
  const result = hasErrors(all) || checked === undefined ? { diagnostics: reported(all, parsed.source) } : { program: checked, diagnostics: reported(all, parsed.source) };
  return { result, file: parsed.source };
}

const reported = (diagnostics: readonly Diagnostic[], source: SourceFile | undefined): Reported[] =>
  diagnostics.map((d) => ({ ...d, rendered: renderDiagnostic(d, source) }));

const everyTarget = (program: CheckedProgram): Target[] => [
  ...[...program.models.keys()].map((name) => ({ kind: "model" as const, name })),
  ...[...program.fns.keys()].map((name) => ({ kind: "fn" as const, name })),
];
