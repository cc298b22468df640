// nndc train FILE.nnd --data FILE ...: compiles the model in memory, loads
// the data, trains with the chosen optimizer, prints the loss (and accuracy
// for a classifier) each epoch, and saves the weights atomically.

import { basename } from "node:path";
import { SingleBar } from "cli-progress";
import { compile } from "../../compile.js";
import { hasErrors } from "../../diagnostics/diagnostic.js";
import { modelHash } from "../../format/hash.js";
import { loadGenerated } from "../../load.js";
import { DataError, loadData, parseColumnMap, split, standardise, type Dataset } from "../../runtime/data.js";
import { newton } from "../../runtime/newton.js";
import { adagrad, adam, adamw, rmsprop, sgd, type Optimizer, type Params } from "../../runtime/optimizers.js";
import { datasetLoss, NonFiniteError, train, type EpochReport, type TrainableModel } from "../../runtime/train.js";
import { loadWeights, saveWeights } from "../../runtime/weights.js";
import { checkFile } from "../frontend.js";
import { attemptWrite, prepareOutput, writeAtomically } from "../files.js";
import { lossCurveSvg, lossCurveText } from "../plot.js";
import { report } from "../report.js";
import { selectTarget } from "../target.js";
import { EXIT } from "../exit.js";

export interface TrainCommandOptions {
  readonly model?: string;
  readonly data: string;
  readonly optimizer: string;
  readonly lr?: string;
  readonly epochs: string;
  readonly batch: string;
  readonly seed: string;
  readonly testSplit: string;
  readonly standardize?: boolean;
  readonly patience?: string;
  readonly clip?: string;
  readonly out?: string;
  readonly resume?: string;
  readonly plot?: string;
  readonly columns?: string;
}

const DEFAULT_LR: Record<string, number> = { sgd: 0.1, momentum: 0.05, nesterov: 0.05, adagrad: 0.1, rmsprop: 0.01, adam: 0.01, adamw: 0.01, newton: 1 };

function fail(message: string, status: number = EXIT.userError): number {
  process.stderr.write(`nndc: ${message}\n`);
  return status;
}

export async function trainCommand(file: string, o: TrainCommandOptions): Promise<number> {
  const numbers = { epochs: Number(o.epochs), batch: Number(o.batch), seed: Number(o.seed), testSplit: Number(o.testSplit) };
  const flags = { epochs: o.epochs, batch: o.batch, seed: o.seed, testSplit: o.testSplit };
  for (const [k, v] of Object.entries(numbers)) if (!Number.isFinite(v) || v < 0) return fail(`--${k.replace("testSplit", "test-split")} must be a number ≥ 0, not '${flags[k as keyof typeof flags]}'`, EXIT.commandLine);
  if (!Number.isInteger(numbers.epochs) || !Number.isInteger(numbers.batch) || numbers.batch < 1) return fail(`--epochs and --batch must be whole numbers, and --batch at least 1`, EXIT.commandLine);
  if (numbers.testSplit >= 1) return fail(`--test-split is the fraction held out, from 0 up to (not including) 1, not ${o.testSplit}`, EXIT.commandLine);
  if (o.lr !== undefined && !(Number(o.lr) > 0)) return fail(`--lr must be a number above 0, not '${o.lr}'`, EXIT.commandLine);
  if (!(o.optimizer in DEFAULT_LR)) return fail(`unknown optimizer '${o.optimizer}' (${Object.keys(DEFAULT_LR).join(", ")})`, EXIT.commandLine);
  const lr = o.lr === undefined ? DEFAULT_LR[o.optimizer]! : Number(o.lr);

  const result = checkFile(file);
  report(result.diagnostics, result.source);
  if (result.checked === undefined || result.program === undefined || result.source === undefined || hasErrors(result.diagnostics)) return EXIT.userError;
  const target = selectTarget(result.checked, o, file);
  if ("code" in target) return report([target]), EXIT.userError;
  if (target.kind !== "model") return fail("train takes a model, not a fn", EXIT.commandLine);
  const checked = result.checked;
  const m = checked.models.get(target.name)!;
  const field = (s: (typeof m.inputs)[number]) => ({ name: s.kind === "constant" ? s.name : s.decl.name.name, shape: "shape" in s && s.shape !== undefined ? s.shape : [] });
  const fields = { inputs: m.inputs.map(field), targets: m.targets.map(field) };

  // A malformed --columns, or one naming no input or target, is a bad command line (exit 2).
  let columns;
  try {
    columns = o.columns === undefined ? undefined : parseColumnMap(o.columns);
  } catch (e) {
    if (e instanceof DataError) return fail(e.message, EXIT.commandLine);
    throw e;
  }
  const known = [...fields.inputs, ...fields.targets].map((f) => f.name);
  const unknown = [...(columns?.keys() ?? [])].find((name) => !known.includes(name));
  if (unknown !== undefined) return fail(`--columns: the model has no input or target '${unknown}' (it has: ${known.join(", ")})`, EXIT.commandLine);

  let data: { train: Dataset; test: Dataset };
  try {
    const all = loadData(o.data.split(","), fields, columns);
    data = numbers.testSplit > 0 ? split(all, numbers.testSplit, numbers.seed) : { train: all, test: { n: 0, values: new Map() } };
    if (o.standardize) standardise(data.train, data.test.n > 0 ? [data.test] : [], fields.inputs.map((f) => f.name));
  } catch (e) {
    if (e instanceof DataError) return fail(e.message);
    throw e;
  }

  const compiled = await compile(checked, { precision: "f64", source: file, hessian: o.optimizer === "newton" });
  const model = (await loadGenerated(compiled.code))[compiled.exports.get(target.name)!] as TrainableModel;
  const hash = modelHash(result.program, result.source, target.name);

  const params = model.init(numbers.seed);
  const optimizer = makeOptimizer(o.optimizer, model, data.train, lr);
  if (optimizer === undefined) return fail(`Newton's method needs the model's Hessian, which nndc generates only for models of at most 64 parameters`);
  let startEpoch = 0;
  if (o.resume !== undefined) {
    try {
      const saved = loadWeights(o.resume, { model: target.name, hash, shapes: model.shapes }, params);
      if (saved.optimizer !== undefined) optimizer.restore(saved.optimizer);
      startEpoch = saved.epoch;
    } catch (e) {
      return fail((e as Error).message);
    }
  }

  const [output] = compiled.models.find((x) => x.name === target.name)!.outputs;
  const [targetField] = fields.targets;
  const targets = targetField === undefined ? undefined : data.train.values.get(targetField.name)!;
  const isClassifier = targetField !== undefined && output !== undefined && (targetField.shape.length === 1 ? targetField.shape[0]! > 1 : targets!.every((v) => v === 0 || v === 1));
  const batch = o.optimizer === "newton" ? data.train.n : numbers.batch;
  const out = o.out ?? `${basename(file).replace(/\.nnd$/, "")}.weights.json`;
  // Before training: an output that cannot be written is found now, not after the last epoch.
  const unwritable = [out, ...(o.plot === undefined ? [] : [o.plot])].map(prepareOutput).filter((d) => d !== undefined);
  if (unwritable.length > 0) return report(unwritable), EXIT.userError;

  const tty = process.stdout.isTTY === true;
  const bar = tty ? new SingleBar({ format: "epoch {epoch} [{bar}] {percentage}% | loss {loss}", hideCursor: true, clearOnComplete: true }) : undefined;
  const line = (r: EpochReport) => {
    const parts = [`epoch ${String(r.epoch).padStart(String(numbers.epochs).length)}/${numbers.epochs}`, `loss ${r.loss.toPrecision(6)}`];
    if (r.testLoss !== undefined) parts.push(`test loss ${r.testLoss.toPrecision(6)}`);
    if (r.trainAccuracy !== undefined) parts.push(`train acc ${(100 * r.trainAccuracy).toFixed(1)} %`);
    if (r.testAccuracy !== undefined) parts.push(`test acc ${(100 * r.testAccuracy).toFixed(1)} %`);
    return parts.join("  ");
  };
  let lastGood = 0;
  const save = (epoch: number) => attemptWrite(out, () => saveWeights(out, { model: target.name, hash, shapes: model.shapes, params, epoch, seed: numbers.seed, optimizer: optimizer.state() }));

  process.stdout.write(`training ${target.name} on ${data.train.n} examples${data.test.n > 0 ? ` (${data.test.n} held out)` : ""} with ${o.optimizer}, lr ${lr}, batch ${batch}\n`);
  let trained;
  try {
    trained = train(model, params, optimizer, data, {
      epochs: numbers.epochs,
      batch,
      seed: numbers.seed,
      startEpoch,
      ...(o.clip === undefined ? {} : { clip: Number(o.clip) }),
      ...(o.patience === undefined ? {} : { patience: Number(o.patience) }),
      ...(o.optimizer === "newton" ? { tolerance: { relative: 1e-10, gradient: 1e-10 } } : {}),
      ...(isClassifier ? { classify: { output: output!.name, target: targetField!.name } } : {}),
      onStep: (step, steps, epoch, loss) => {
        if (bar === undefined) return;
        const payload = { epoch: `${epoch}/${numbers.epochs}`, loss: loss.toPrecision(4) };
        if (step === 1) bar.start(steps, 0, payload);
        bar.update(step, payload);
      },
      onEpoch: (r) => {
        bar?.stop();
        process.stdout.write(`${line(r)}\n`);
        lastGood = r.epoch;
      },
    });
  } catch (e) {
    bar?.stop();
    if (e instanceof NonFiniteError) {
      const failed = save(lastGood);
      if (failed !== undefined) report([failed]);
      return fail(`${e.message}${failed === undefined ? ` (saved in ${out})` : ""}`);
    }
    throw e;
  }
  const last = trained.history[trained.history.length - 1];
  const unsaved = save(last?.epoch ?? startEpoch);
  if (unsaved !== undefined) return report([unsaved]), EXIT.userError;
  const rate = trained.examples / Math.max(trained.seconds, 1e-9);
  process.stdout.write(
    `done: ${trained.stopped === "epochs" ? `${trained.history.length} epochs` : `stopped (${trained.stopped}) after epoch ${last?.epoch}`}, ${trained.seconds.toFixed(2)} s, ${Math.round(rate)} examples/s, best epoch ${trained.bestEpoch}\n`,
  );
  const total = Object.values(params).reduce((s, p) => s + p.length, 0);
  if (total <= 8) process.stdout.write(`${Object.entries(params).map(([k, v]) => `${k} = ${v.length === 1 ? v[0] : `[${Array.from(v).join(", ")}]`}`).join("  ")}\n`);
  const chart = lossCurveText(trained.history);
  if (chart !== "") process.stdout.write(`\ntraining loss by epoch\n${chart}\n\n`);
  if (last?.testAccuracy !== undefined) process.stdout.write(`test accuracy ${(100 * last.testAccuracy).toFixed(1)} %\n`);
  else if (last?.trainAccuracy !== undefined) process.stdout.write(`train accuracy ${(100 * last.trainAccuracy).toFixed(1)} %\n`);
  process.stdout.write(`weights saved to ${out}\n`);
  if (o.plot !== undefined) {
    const failed = writeAtomically(o.plot, await lossCurveSvg(`${target.name}: loss by epoch`, trained.history));
    if (failed !== undefined) return report([failed]), EXIT.userError;
    process.stdout.write(`loss curve written to ${o.plot}\n`);
  }
  return EXIT.ok;
}

function makeOptimizer(name: string, model: TrainableModel, data: Dataset, lr: number): Optimizer | undefined {
  const shapes = model.shapes;
  switch (name) {
    case "sgd":
      return sgd(shapes, { lr });
    case "momentum":
      return sgd(shapes, { lr, momentum: 0.9 });
    case "nesterov":
      return sgd(shapes, { lr, momentum: 0.9, nesterov: true });
    case "adagrad":
      return adagrad(shapes, { lr });
    case "rmsprop":
      return rmsprop(shapes, { lr });
    case "adam":
      return adam(shapes, { lr });
    case "adamw":
      return adamw(shapes, { lr });
    case "newton": {
      if (model.hessian === undefined) return undefined;
      const scratch = model.zeros();
      const all: Record<string, Float64Array> = Object.fromEntries(data.values);
      return newton(shapes, {
        loss: (p) => datasetLoss(model, p, data, scratch),
        hessian: (p, h) => model.hessian!(p, all, data.n, h),
      });
    }
  }
  return undefined;
}
