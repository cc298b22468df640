// nndc eval FILE --model M --params P.json --example E.json [--wrt-inputs] [--hessian]
// nndc eval FILE --fn F --at '{"x": 1.5}' [--hessian]
// Runs the generated code (compiled in memory, the same code `compile`
// writes, with the extra functions asked for) and prints JSON:
// {"loss", "outputs", "grad", "inputGrad"?, "hessian"?} or {"value", "grad", "hessian"?}.

import type { CheckedProgram } from "../../check/checked.js";
import { compile } from "../../pipeline/compile.js";
import { targets, type TargetName } from "../../pipeline/targets.js";
import { error, hasErrors, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { formatShape, sizeOf, type Shape } from "../../tensor/shape.js";
import { MAX_FN_HESSIAN_ENTRIES, MAX_HESSIAN_PARAMS, MAX_JACOBIAN_ENTRIES } from "../../pipeline/derive.js";
import type { FnCode } from "../../lower/fn.js";
import { modelHash } from "../../format/hash.js";
import { loadGenerated, type GeneratedFn, type GeneratedModel } from "../../pipeline/load.js";
import { checkWeights } from "../../runtime/weights.js";
import { checkFile, type FrontEndResult } from "../frontend.js";
import { readText } from "../files.js";
import { report } from "../report.js";
import { selectTarget, type TargetOptions } from "../target.js";
import { asWeightsFile, parseJson, readValues, stringify, toNested, type Values } from "../values.js";
import { EXIT } from "../exit.js";
import { applySavedPreprocess } from "../preprocess.js";

export interface EvalOptions extends TargetOptions {
  readonly target: TargetName;
  readonly params?: string;
  readonly example?: string;
  readonly at?: string;
  /** Also print the Hessian (of the loss over the parameters, or of the fn over its arguments). */
  readonly hessian?: boolean;
  /** Also print the gradient of the loss with respect to the model's inputs, as "inputGrad". */
  readonly wrtInputs?: boolean;
}

type Expected = readonly { name: string; shape: Shape }[];
type Read = { values: Values } | { diagnostics: Diagnostic[] };

/** A JSON file of values; for --params also a weights file, which must be this model's. */
function readFileValues(path: string, flag: string, expected: Expected, model?: { model: string; hash: string }): Read {
  const text = readText(path);
  if ("diagnostic" in text) return { diagnostics: [text.diagnostic] };
  const json = parseJson(text.text, `${flag} ${path}`);
  if ("diagnostic" in json) return { diagnostics: [json.diagnostic] };
  const weights = model === undefined ? undefined : asWeightsFile(json.value);
  if (weights === undefined) return readValues(json.value, expected, `${flag} ${path}`);
  const problem = checkWeights(json.value, model!, path);
  if (problem !== undefined) return { diagnostics: [error("NND3020", undefined, problem)] };
  return readValues(weights.params, expected, `${flag} ${path}`);
}

const commandLine = (message: string) => (process.stderr.write(`nndc: ${message}\n`), EXIT.commandLine);

export async function evalCommand(file: string, options: EvalOptions): Promise<number> {
  const result = checkFile(file);
  report(result.diagnostics, result.source);
  if (result.checked === undefined || hasErrors(result.diagnostics)) return EXIT.userError;
  const target = selectTarget(result.checked, options, file);
  if ("code" in target) return report([target]), EXIT.userError;
  return target.kind === "model" ? evalModel(result, target.name, options) : evalFn(result.checked, target.name, file, options);
}

async function evalModel(result: FrontEndResult, name: string, options: EvalOptions): Promise<number> {
  if (options.params === undefined || options.example === undefined) return commandLine("eval of a model needs --params P.json and --example E.json");
  const checked = result.checked!;
  const m = checked.models.get(name)!;
  const shapeOf = (s: (typeof m.params)[number]) => ({ name: s.kind === "constant" ? s.name : s.decl.name.name, shape: "shape" in s && s.shape !== undefined ? s.shape : [] });
  const hash = modelHash(result.program!, result.source!, name);
  const params = readFileValues(options.params, "--params", m.params.map(shapeOf), { model: name, hash });
  const example = readFileValues(options.example, "--example", [...m.inputs, ...m.targets].map(shapeOf));
  const problems = [...("diagnostics" in params ? params.diagnostics : []), ...("diagnostics" in example ? example.diagnostics : [])];
  if (problems.length > 0 || !("values" in params) || !("values" in example)) return report(problems), EXIT.userError;
  const scaled = applySavedPreprocess(options.params, example.values); // raw inputs, scaled as in training
  if ("diagnostic" in scaled) return report([scaled.diagnostic]), EXIT.userError;

  const file = result.source!.name;
  const compiled = await compile(checked, { precision: "f64", source: file, target: targets[options.target], hessian: options.hessian === true, inputGrad: options.wrtInputs === true });
  const model = (await loadGenerated(compiled.code))[compiled.exports.get(name)!] as GeneratedModel & Partial<ModelExtras>;
  const code = compiled.models.find((x) => x.name === name)!;
  const entries = code.params.reduce((s, p) => s + sizeOf(p.shape), 0);
  if (options.hessian === true && model.hessian === undefined) return report([error("NND3021", undefined, "model", name, entries, MAX_HESSIAN_PARAMS)]), EXIT.userError;

  const p = Object.fromEntries(params.values);
  const batch = Object.fromEntries(example.values);
  const grads = model.zeros();
  const loss = model.lossAndGrad(p, batch, 1, grads);
  const outputs = model.forward(p, batch, 1);
  const out: Record<string, unknown> = {
    loss,
    outputs: Object.fromEntries(code.outputs.map((o) => [o.name, toNested(outputs[o.name]!, o.shape)])),
    grad: Object.fromEntries(code.params.map((x) => [x.name, toNested(grads[x.name]!, x.shape)])),
  };
  if (options.wrtInputs === true) {
    const inputs = code.data.slice(0, m.inputs.length);
    const into = Object.fromEntries(inputs.map((v) => [v.name, new Float64Array(sizeOf(v.shape))]));
    model.inputGrad!(p, batch, 1, into);
    // The model saw (x − mean) / std: by the chain rule, ∂L/∂x is its gradient divided by std.
    for (const v of inputs) scaled.preprocess?.[v.name]?.std.forEach((s, k) => (into[v.name]![k]! /= s));
    out["inputGrad"] = Object.fromEntries(inputs.map((v) => [v.name, toNested(into[v.name]!, v.shape)]));
  }
  if (options.hessian === true) {
    const h = new Float64Array(entries * entries);
    model.hessian!(p, batch, 1, h);
    out["hessian"] = toNested(h, [entries, entries]);
  }
  process.stdout.write(`${stringify(out)}\n`);
  return EXIT.ok;
}

/** What a model's module has when compiled with `hessian` and `inputGrad`. */
interface ModelExtras {
  hessian(params: object, batch: object, n: number, out: Float64Array): void;
  inputGrad(params: object, batch: object, n: number, out: Record<string, Float64Array>): void;
}

async function evalFn(checked: CheckedProgram, name: string, file: string, options: EvalOptions): Promise<number> {
  if (options.at === undefined) return commandLine("eval of a fn needs --at '{\"x\": ...}'");
  if (options.wrtInputs === true) return commandLine("--wrt-inputs is for a model; a fn's grad is already with respect to its arguments");
  const fn = checked.fns.get(name)!;
  const json = parseJson(options.at, "--at");
  if ("diagnostic" in json) return report([json.diagnostic]), EXIT.userError;
  const args = readValues(json.value, fn.args.map((a) => ({ name: a.decl.name.name, shape: a.shape })), "--at");
  if ("diagnostics" in args) return report(args.diagnostics), EXIT.userError;
  if (options.hessian === true && (fn.result?.length ?? 0) > 0) return report([error("NND3022", undefined, name, fn.result!)]), EXIT.userError;

  // Derivatives of rank above 2 (a vector of a matrix) are asked for: grad then has every argument.
  const compiled = await compile(checked, { precision: "f64", source: file, target: targets[options.target], jacobians: true, hessian: options.hessian === true });
  const generated = (await loadGenerated(compiled.code))[compiled.exports.get(name)!] as GeneratedFn & { hessian?: GeneratedFn["value"] };
  const values = fn.args.map((a) => (a.shape.length === 0 ? args.values.get(a.decl.name.name)![0]! : args.values.get(a.decl.name.name)!));
  const code = compiled.fns.find((x) => x.name === name)!;
  const entries = code.args.reduce((s, a) => s + sizeOf(a.shape), 0);
  if (options.hessian === true && code.hessianSize === undefined) return report([error("NND3021", undefined, "fn", name, entries, MAX_FN_HESSIAN_ENTRIES)]), EXIT.userError;
  const nested = (v: number | ArrayLike<number>, shape: Shape) => (typeof v === "number" ? v : toNested(v, shape));
  const grad = generated.grad(...values);
  const out: Record<string, unknown> = {
    value: nested(generated.value(...values), code.valueShape),
    grad: Object.fromEntries(code.gradEntries.map((e) => [e.name, nested(grad[e.name]!, e.shape)])),
  };
  const omitted = omittedJacobians(code, MAX_JACOBIAN_ENTRIES);
  if (Object.keys(omitted).length > 0) out["omitted"] = omitted;
  if (options.hessian === true) out["hessian"] = nested(generated.hessian!(...values), [code.hessianSize!, code.hessianSize!]);
  process.stdout.write(`${stringify(out)}\n`);
  return EXIT.ok;
}

/** Why an argument has no entry in grad: its Jacobian is too large to generate. */
function omittedJacobians(code: FnCode, limit: number): Record<string, string> {
  const present = new Set(code.gradEntries.map((e) => e.name));
  const why = (arg: string, shape: Shape) => `∂${code.name}/∂${arg} has shape ${formatShape(shape)}, ${sizeOf(shape)} entries, more than the ${limit} that eval computes`;
  return Object.fromEntries(code.args.filter((a) => !present.has(a.name)).map((a) => [a.name, why(a.name, [...code.valueShape, ...a.shape])]));
}
