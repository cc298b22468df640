// The code generator's pipeline: derive (build, stabilise, differentiate,
// simplify), lower to loops tuned for the target, render them in the
// target's language (TypeScript unless told). The same input always gives
// the same bytes.

import type { CheckedProgram } from "../check/checked.js";
import { Deriver, entriesOf, MAX_HESSIAN_PARAMS, type DerivedModel, type HessianVectorProduct } from "./derive.js";
import { error, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceFile } from "../diagnostics/source.js";
import type { Target } from "../emit/target.js";
import { typescript } from "../emit/typescript.js";
import { modelHash } from "../format/hash.js";
import type { Node } from "../graph/node.js";
import { formatName } from "../graph/notation.js";
import { printFormula, writtenOutSize } from "../graph/print.js";
import { lowerFn, type FnCode } from "../lower/fn.js";
import { lowerModel, type ModelCode } from "../lower/model.js";
import { lowerInputGrad } from "../lower/input-grad.js";
import { Renamer } from "../lower/names.js";
import { formatSchedule, type FunctionSchedule } from "../lower/schedule.js";
import { helpers } from "../lower/scalar-ops.js";
import { generator, RANDOM_STATE } from "../lower/init.js";

export type { Precision } from "../ir/ir.js";
import type { Precision } from "../ir/ir.js";

export interface CompileOptions {
  readonly precision: Precision;
  /** The .nnd file's name, for the header. */
  readonly source: string;
  /**
   * Also emit each model's Hessian function (for Newton's method); off by
   * default. A model above MAX_HESSIAN_PARAMS parameter entries gets none and
   * an NND3060 error in `diagnostics`.
   */
  readonly hessian?: boolean;
  /** Also return each example's loss from forward, as the output of this name (for `predict`, which needs no gradient). */
  readonly lossOutput?: string;
  /** The parsed file's text: with it, each model exports its hash (`xor.hash`), the one its weights files hold. */
  readonly sourceFile?: SourceFile;
  /** Also emit each model's inputGrad (the gradient of each example's loss with respect to its inputs); off by default. */
  readonly inputGrad?: boolean;
  /** Also give each fn's derivatives of rank above 2 in its grad (one gradient per entry of the value); off by default. */
  readonly jacobians?: boolean;
  /** Also print each model's and fn's schedule (Compiled.schedules). */
  readonly schedule?: boolean;
  /** What to generate: TypeScript (emit/typescript.ts) unless told. */
  readonly target?: Target;
  /** Derive with this one (its derivations are kept), so that a caller's own derivations afterwards are not made twice. */
  readonly deriver?: Deriver;
}

export interface Compiled {
  readonly code: string;
  readonly models: readonly ModelCode[];
  readonly fns: readonly FnCode[];
  /** Milliseconds per stage. */
  readonly timings: readonly { readonly stage: string; readonly ms: number }[];
  /** Bytes of the scratch arrays the module allocates once. */
  readonly bufferBytes: number;
  /** The export name of each model and fn. */
  readonly exports: ReadonlyMap<string, string>;
  /** When asked for: each model's and fn's schedule as a table (lower/schedule.ts). */
  readonly schedules: readonly string[];
  /** Why something asked for was left out: a Hessian above MAX_HESSIAN_PARAMS entries (NND3060). */
  readonly diagnostics: readonly Diagnostic[];
}

/** Functions the module defines itself; a user's name never takes them. */
const MODULE_NAMES = [RANDOM_STATE.name, ...generator.keys(), ...helpers.keys()];
/** The generated functions' own parameters and locals; no local of a model or fn takes them (an export may). */
const FUNCTION_NAMES = ["params", "batch", "grads", "n", "out", "seed", "k"];

/**
 * Formulas in comments are printed only up to this many operations written
 * out: a graph shares its subexpressions, but a formula repeats them, so the
 * gradient of a long chain (the iterated logistic map) written out grows
 * exponentially with its length.
 */
const MAX_COMMENT_OPS = 100;

/** n as a formula for a comment, or a note that it is too long to show. */
function commentFormula(n: Node, names: ReadonlyMap<Node, string>): string {
  if (writtenOutSize(n, names, MAX_COMMENT_OPS) > MAX_COMMENT_OPS) return `(a formula of more than ${MAX_COMMENT_OPS} operations written out)`;
  return printFormula(n, { notation: "math", names });
}

export async function compile(checked: CheckedProgram, options: CompileOptions): Promise<Compiled> {
  const timings: { stage: string; ms: number }[] = [];
  const time = <T>(stage: string, run: () => T): T => {
    const start = performance.now();
    const result = run();
    timings.push({ stage, ms: performance.now() - start });
    return result;
  };

  const target = options.target ?? typescript;
  const renamer = new Renamer(target.reserved);
  renamer.reserve(...MODULE_NAMES);
  const exports = new Map<string, string>();
  for (const name of [...checked.models.keys(), ...checked.fns.keys()]) exports.set(name, renamer.fresh(name));
  // One scope per model and fn, after the module's names are all reserved.
  const scopes = new Map(
    [...exports].map(([name, exported]) => {
      const scope = renamer.scope(exported);
      scope.reserve(...FUNCTION_NAMES);
      return [name, scope];
    }),
  );

  const deriver = options.deriver ?? new Deriver(checked);
  const derivedModels = time("derive", () => [...checked.models.keys()].map((name) => ({ name, d: deriver.model(name) })));
  const diagnostics: Diagnostic[] = [];
  const hessians = new Map<string, HessianVectorProduct>();
  if (options.hessian === true) {
    time("derive hessians", () => {
      for (const { name, d } of derivedModels) {
        const entries = entriesOf(d.wrt);
        if (entries > MAX_HESSIAN_PARAMS) diagnostics.push(error("NND3060", undefined, name, entries, MAX_HESSIAN_PARAMS));
        else hessians.set(name, deriver.hessianVectorProduct(d));
      }
    });
  }
  const derivedFns = time("derive fns", () => [...checked.fns.keys()].map((name) => ({ name, d: deriver.fn(name) })));

  const helpersUsed = new Set<string>();
  const models = time("lower", () =>
    derivedModels.map(({ name, d }) => {
      // Comments tie stored values to the line of the .nnd file that defines them.
      const lines = new Map<string, number>();
      for (const b of checked.models.get(name)!.bindings) if (b.kind === "binding") lines.set(b.decl.name.name, b.decl.span.line);
      // A named node's definition in terms of the other names: the map is
      // copied once and the node left out while it is printed.
      const others = new Map(d.names);
      const describe = (n: Node) => {
        const user = d.names.get(n);
        if (user === undefined) return undefined;
        others.delete(n);
        const formula = commentFormula(n, others);
        others.set(n, user);
        const line = lines.get(user);
        return `${formatName(user, "math")} = ${formula}${line === undefined ? "" : `  (${options.source}:${line})`}`;
      };
      return lowerModel(
        {
          name,
          loss: d.loss,
          outputs: options.lossOutput === undefined ? d.outputs : [...d.outputs, { name: options.lossOutput, node: d.loss }],
          params: d.model.params,
          inputs: d.model.inputs,
          targets: d.model.targets,
          grads: d.grads,
          inits: checked.models.get(name)!.params.map((p) => (p.kind === "param" ? p.init : { scheme: "zeros", args: [] })),
          names: d.names,
          describe,
          formula: (n: Node) => commentFormula(n, d.names),
          ...(hessians.get(name) === undefined ? {} : { hessian: hessians.get(name)! }),
        },
        scopes.get(name)!,
        helpersUsed,
        target.tuning,
      );
    }).map((code, k) => (options.inputGrad === true ? withInputGrad(code, deriver, derivedModels[k]!.d, scopes.get(derivedModels[k]!.name)!, helpersUsed, target) : code)),
  );
  const fns = time("lower fns", () =>
    derivedFns.map(({ name, d }) => {
      const jacobians = options.jacobians === true ? { jacobians: deriver.fnJacobians(name) } : {};
      const hessian = options.hessian === true ? deriver.fnHessian(name) : undefined;
      const extra = { ...jacobians, ...(hessian === undefined ? {} : { hessian }) };
      return lowerFn({ name, args: d.wrt, value: d.value, grads: d.grads, names: new Map(), describe: () => undefined, ...extra }, scopes.get(name)!, helpersUsed, target.tuning);
    }),
  );

  const code = time(`render (${target.name})`, () =>
    target.render({
      source: options.source,
      precision: options.precision,
      models,
      fns,
      helpersUsed,
      exportName: (n) => exports.get(n)!,
      inputNames: (n) => derivedModels.find((m) => m.name === n)!.d.model.inputs.map((x) => x.attrs.name!),
      hash: (n) => (options.sourceFile === undefined ? undefined : modelHash(checked.program, options.sourceFile, n)),
    }),
  );
  const bytesPer = options.precision === "f32" ? 4 : 8;
  const bufferBytes = [...models, ...fns].reduce((sum, m) => sum + m.buffers.reduce((s, b) => s + b.size * bytesPer, 0), 0);
  const schedules =
    options.schedule !== true
      ? []
      : [
          ...models.map((m, k) => scheduleTable(`model ${m.name}`, m.schedule, derivedModels[k]!.d.names, target.tuning.chunk)),
          ...fns.map((fn) => scheduleTable(`fn ${fn.name}`, fn.schedule, new Map(), target.tuning.chunk)),
        ];
  return { code, models, fns, timings, bufferBytes, exports, diagnostics, schedules };
}

/** A schedule with each value named as the user named it, or written as a formula. */
function scheduleTable(title: string, schedule: readonly FunctionSchedule[], names: ReadonlyMap<Node, string>, chunk: number): string {
  return formatSchedule(title, schedule, (n) => (names.has(n) ? formatName(names.get(n)!, "math") : commentFormula(n, names)), chunk);
}

/** The model with its inputGrad function (and that function's scratch arrays). */
function withInputGrad(code: ModelCode, deriver: Deriver, d: DerivedModel, renamer: Renamer, helpersUsed: Set<string>, target: Target): ModelCode {
  const { wrt, grads } = deriver.dataGradients(code.name);
  const inputs = grads.slice(0, d.model.inputs.length);
  const inputGrad = lowerInputGrad({ params: d.model.params, data: wrt, grads: inputs, names: d.names }, code, renamer, helpersUsed, target.tuning);
  return { ...code, functions: [...code.functions, inputGrad.func], buffers: [...code.buffers, ...inputGrad.buffers] };
}
