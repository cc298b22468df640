// nndc eval FILE --model M --params P.json --example E.json
// nndc eval FILE --fn F --at '{"x": 1.5}'
// Runs the generated code (compiled in memory, the same code `compile`
// writes) and prints JSON: {"loss", "outputs", "grad"} or {"value", "grad"}.

import { compile } from "../../compile.js";
import { hasErrors, type Diagnostic } from "../../diagnostics/diagnostic.js";
import type { Shape } from "../../diagnostics/shape.js";
import { loadGenerated, type GeneratedFn, type GeneratedModel } from "../../load.js";
import { checkFile } from "../frontend.js";
import { readText } from "../files.js";
import { report } from "../report.js";
import { selectTarget, type TargetOptions } from "../target.js";
import { parseJson, readValues, stringify, toNested, unwrapWeights, type Values } from "../values.js";
import { EXIT } from "../exit.js";
import { applySavedPreprocess } from "../preprocess.js";

export interface EvalOptions extends TargetOptions {
  readonly params?: string;
  readonly example?: string;
  readonly at?: string;
}

type Read = { values: Values } | { diagnostics: Diagnostic[] };

function readFileValues(path: string | undefined, flag: string, expected: readonly { name: string; shape: Shape }[], unwrap = false): Read {
  if (path === undefined) return { diagnostics: [] };
  const text = readText(path);
  if ("diagnostic" in text) return { diagnostics: [text.diagnostic] };
  const json = parseJson(text.text, `${flag} ${path}`);
  if ("diagnostic" in json) return { diagnostics: [json.diagnostic] };
  return readValues(unwrap ? unwrapWeights(json.value) : json.value, expected, `${flag} ${path}`);
}

export async function evalCommand(file: string, options: EvalOptions): Promise<number> {
  const result = checkFile(file);
  report(result.diagnostics, result.source);
  if (result.checked === undefined || hasErrors(result.diagnostics)) return EXIT.userError;
  const checked = result.checked;
  const target = selectTarget(checked, options, file);
  if ("code" in target) return report([target]), EXIT.userError;

  if (target.kind === "model") {
    if (options.params === undefined || options.example === undefined) {
      process.stderr.write("nndc: eval of a model needs --params P.json and --example E.json\n");
      return EXIT.commandLine;
    }
    const m = checked.models.get(target.name)!;
    const shapeOf = (s: (typeof m.params)[number]) => ({ name: s.kind === "constant" ? s.name : s.decl.name.name, shape: "shape" in s && s.shape !== undefined ? s.shape : [] });
    const params = readFileValues(options.params, "--params", m.params.map(shapeOf), true);
    const example = readFileValues(options.example, "--example", [...m.inputs, ...m.targets].map(shapeOf));
    const problems = [...("diagnostics" in params ? params.diagnostics : []), ...("diagnostics" in example ? example.diagnostics : [])];
    if (problems.length > 0 || !("values" in params) || !("values" in example)) return report(problems), EXIT.userError;
    const unscaled = applySavedPreprocess(options.params, example.values); // raw inputs, scaled as in training
    if (unscaled !== undefined) return report([unscaled]), EXIT.userError;

    const compiled = await compile(checked, { precision: "f64", source: file });
    const module = await loadGenerated(compiled.code);
    const model = module[compiled.exports.get(target.name)!] as GeneratedModel;
    const p = Object.fromEntries(params.values);
    const batch = Object.fromEntries(example.values);
    const grads = model.zeros();
    const loss = model.lossAndGrad(p, batch, 1, grads);
    const outputs = model.forward(p, batch, 1);
    const code = compiled.models.find((x) => x.name === target.name)!;
    const out = {
      loss,
      outputs: Object.fromEntries(code.outputs.map((o) => [o.name, toNested(outputs[o.name]!, o.shape)])),
      grad: Object.fromEntries(code.params.map((x) => [x.name, toNested(grads[x.name]!, x.shape)])),
    };
    process.stdout.write(`${stringify(out)}\n`);
    return EXIT.ok;
  }

  if (options.at === undefined) {
    process.stderr.write("nndc: eval of a fn needs --at '{\"x\": ...}'\n");
    return EXIT.commandLine;
  }
  const fn = checked.fns.get(target.name)!;
  const json = parseJson(options.at, "--at");
  if ("diagnostic" in json) return report([json.diagnostic]), EXIT.userError;
  const args = readValues(json.value, fn.args.map((a) => ({ name: a.decl.name.name, shape: a.shape })), "--at");
  if ("diagnostics" in args) return report(args.diagnostics), EXIT.userError;

  const compiled = await compile(checked, { precision: "f64", source: file });
  const module = await loadGenerated(compiled.code);
  const generated = module[compiled.exports.get(target.name)!] as GeneratedFn;
  const values = fn.args.map((a) => (a.shape.length === 0 ? args.values.get(a.decl.name.name)![0]! : args.values.get(a.decl.name.name)!));
  const value = generated.value(...values);
  const grad = generated.grad(...values);
  const code = compiled.fns.find((x) => x.name === target.name)!;
  const out = {
    value: typeof value === "number" ? value : toNested(value, code.value.shape),
    grad: Object.fromEntries(code.grad.entries.map((e) => {
      const g = grad[e.name]!;
      return [e.name, typeof g === "number" ? g : toNested(g, e.shape)];
    })),
  };
  process.stdout.write(`${stringify(out)}\n`);
  return EXIT.ok;
}
