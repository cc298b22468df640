// nndc predict FILE --params W.json --data DATA [--model M] [--columns MAP] [--out preds.csv|preds.json]
// Runs a trained model over every row of a data file in one process: the
// inputs scaled as the weights file says, the generated `forward` over the
// whole data in chunks. Every output is written per row (CSV, or JSON by
// extension; CSV on stdout without --out). When the data has the targets,
// the loss and, for class targets, the accuracy go to stderr, so that
// stdout stays data.

import { compile } from "../../pipeline/compile.js";
import { targets, type TargetName } from "../../pipeline/targets.js";
import { error, hasErrors } from "../../diagnostics/diagnostic.js";
import { modelHash } from "../../format/hash.js";
import { loadGenerated } from "../../pipeline/load.js";
import { DataError, loadData, parseColumnMap, type ColumnMap, type Dataset } from "../../runtime/data.js";
import { preprocessDataset, PreprocessError } from "../../runtime/preprocess.js";
import { view, type TrainableModel } from "../../runtime/train.js";
import { loadWeights } from "../../runtime/weights.js";
import { checkFile } from "../frontend.js";
import { writeAtomically } from "../files.js";
import { report } from "../report.js";
import { selectTarget } from "../target.js";
import { EXIT } from "../exit.js";
import { formatPredictions, type Column } from "../predictions.js";
import { classTargets } from "../accuracy.js";

export interface PredictOptions {
  readonly model?: string;
  readonly target: TargetName;
  readonly params: string;
  readonly data: string;
  readonly columns?: string;
  readonly out?: string;
}

/** Rows per call of the generated forward: large enough to amortise the call, small enough to stay in cache. */
const CHUNK = 1024;

export async function predictCommand(file: string, o: PredictOptions): Promise<number> {
  const format = o.out === undefined ? "csv" : /\.csv$/i.test(o.out) ? "csv" : /\.json$/i.test(o.out) ? "json" : undefined;
  if (format === undefined) return report([error("NND3036", undefined, o.out!)]), EXIT.commandLine;
  let columns: ColumnMap | undefined;
  try {
    columns = o.columns === undefined ? undefined : parseColumnMap(o.columns);
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    return report([error("NND3030", undefined, e.message)]), EXIT.commandLine;
  }

  const result = checkFile(file);
  report(result.diagnostics, result.source);
  if (result.checked === undefined || result.program === undefined || result.source === undefined || hasErrors(result.diagnostics)) return EXIT.userError;
  const target = selectTarget(result.checked, { ...(o.model === undefined ? {} : { model: o.model }) }, file);
  if ("code" in target) return report([target]), EXIT.commandLine;
  const m = result.checked.models.get(target.name)!;
  const field = (s: (typeof m.inputs)[number]) => ({ name: s.kind === "constant" ? s.name : s.decl.name.name, shape: "shape" in s && s.shape !== undefined ? s.shape : [] });
  const fields = { inputs: m.inputs.map(field), targets: m.targets.map(field) };

  let raw: Dataset;
  try {
    raw = loadData(o.data.split(","), fields, columns, { optionalTargets: true });
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    return report([error("NND3030", undefined, e.message)]), EXIT.userError;
  }

  // With the targets, forward also returns each row's loss: no gradient is computed.
  const hasTargets = fields.targets.length > 0 && fields.targets.every((t) => raw.values.has(t.name));
  const outputNames = new Set(m.outputs.map((x) => field(x).name));
  const lossName = hasTargets ? ["loss", "loss_", "loss__", "row_loss"].find((x) => !outputNames.has(x)) : undefined;
  const compiled = await compile(result.checked, { precision: "f64", source: file, target: targets[o.target], ...(lossName === undefined ? {} : { lossOutput: lossName }) });
  const model = (await loadGenerated(compiled.code))[compiled.exports.get(target.name)!] as TrainableModel;
  const params = model.zeros();
  let data: Dataset;
  try {
    const weights = loadWeights(o.params, { model: target.name, hash: modelHash(result.program, result.source, target.name), shapes: model.shapes }, params);
    data = preprocessDataset(weights.preprocess, raw);
  } catch (e) {
    if (e instanceof PreprocessError) return report([error("NND3037", undefined, o.params, e.message)]), EXIT.userError;
    process.stderr.write(`nndc: ${(e as Error).message}\n`);
    return EXIT.userError;
  }

  const started = performance.now();
  const code = compiled.models.find((x) => x.name === target.name)!;
  const outputs = forwardAll(model, params, data, code.outputs.map((x) => x.name));
  const scored = lossName === undefined ? undefined : score(data, outputs, lossName, classTargets(result.checked, m, data));
  const seconds = (performance.now() - started) / 1000;

  const table: Column[] = code.outputs.filter((x) => x.name !== lossName).map((x) => ({ name: x.name, shape: x.shape, values: outputs.get(x.name)! }));
  const text = formatPredictions(table, data.n, format);
  if (o.out === undefined) process.stdout.write(text);
  else {
    const failed = writeAtomically(o.out, text);
    if (failed !== undefined) return report([failed]), EXIT.userError;
  }
  const summary = [`${data.n} rows`, ...(scored === undefined ? [] : [`loss ${scored.loss.toPrecision(6)}`]), ...(scored?.accuracy === undefined ? [] : [`accuracy ${(100 * scored.accuracy).toFixed(1)} %`])];
  process.stderr.write(`${summary.join("  ")}  (${seconds.toFixed(3)} s)${o.out === undefined ? "" : `; predictions written to ${o.out}`}\n`);
  return EXIT.ok;
}

/** Every named output over every row, calling the generated forward on chunks of rows. */
function forwardAll(model: TrainableModel, params: ReturnType<TrainableModel["zeros"]>, data: Dataset, names: readonly string[]): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (let start = 0; start < data.n; start += CHUNK) {
    const n = Math.min(CHUNK, data.n - start);
    const results = model.forward(params, view(data, start, n), n);
    for (const name of names) {
      const chunk = results[name]!;
      if (!out.has(name)) out.set(name, new Float64Array((chunk.length / n) * data.n));
      out.get(name)!.set(chunk, (chunk.length / n) * start);
    }
  }
  return out;
}


/** The mean loss, and the accuracy when the model predicts classes (the rule train uses: cli/accuracy.ts). */
function score(data: Dataset, outputs: Map<string, Float64Array>, lossName: string, classify: { output: string; target: string } | undefined): { loss: number; accuracy?: number } {
  const loss = outputs.get(lossName)!.reduce((a, b) => a + b, 0) / data.n;
  outputs.delete(lossName);
  if (classify === undefined) return { loss };
  const output = outputs.get(classify.output)!;
  const target = data.values.get(classify.target)!;
  const width = target.length / data.n;
  let right = 0;
  for (let i = 0; i < data.n; i++) {
    const predicted = width === 1 ? Number(output[i]! >= 0.5) : argmax(output, i * width, width);
    const actual = width === 1 ? target[i]! : argmax(target, i * width, width);
    if (predicted === actual) right++;
  }
  return { loss, accuracy: right / data.n };
}

function argmax(v: Float64Array, from: number, width: number): number {
  let best = 0;
  for (let k = 1; k < width; k++) if (v[from + k]! > v[from + best]!) best = k;
  return best;
}
