// nndc train FILE.nnd --data FILE ...: compiles the model in memory, loads
// the data, trains with the chosen optimizer, prints the loss (and accuracy
// for a classifier) each epoch, and saves the weights atomically.

import { basename } from "node:path";
import { SingleBar } from "cli-progress";
import { compile } from "../../pipeline/compile.js";
import { targets, type TargetName } from "../../pipeline/targets.js";
import { hasErrors } from "../../diagnostics/diagnostic.js";
import { modelHash } from "../../format/hash.js";
import { loadGenerated } from "../../pipeline/load.js";
import { DataError, loadData, parseColumnMap, split, type Dataset } from "../../runtime/data.js";
import { preprocessDataset } from "../../runtime/preprocess.js";
import { error } from "../../diagnostics/diagnostic.js";
import { checkSplit, scalingRequest, trainingPreprocess } from "../training-data.js";
import { newton } from "../../runtime/newton.js";
import type { Optimizer } from "../../runtime/optimizers.js";
import { datasetLoss, NonFiniteError, train, type TrainableModel } from "../../runtime/train.js";
import { loadWeights, saveWeights } from "../../runtime/weights.js";
import { checkFile } from "../frontend.js";
import { attemptWrite, prepareOutput, writeAtomically } from "../files.js";
import { lossCurveSvg, lossCurveText } from "../plot.js";
import { report } from "../report.js";
import { selectTarget } from "../target.js";
import { EXIT } from "../exit.js";
import { classTargets } from "../accuracy.js";
import { EpochLog, logInterval } from "../epoch-log.js";
import { makeOptimizer, OPTIMIZERS, readHyperparameters, type HyperparameterOptions, type OptimizerName } from "../hyperparameters.js";

export interface TrainCommandOptions extends HyperparameterOptions {
  readonly model?: string;
  readonly target: TargetName;
  readonly data: string;
  readonly optimizer: string;
  readonly epochs: string;
  readonly batch: string;
  readonly seed: string;
  readonly testSplit: string;
  readonly standardize?: boolean;
  readonly scale?: string;
  readonly patience?: string;
  readonly clip?: string;
  readonly out?: string;
  readonly resume?: string;
  readonly plot?: string;
  readonly columns?: string;
}

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
  if (!(o.optimizer in OPTIMIZERS)) return fail(`unknown optimizer '${o.optimizer}' (${Object.keys(OPTIMIZERS).join(", ")})`, EXIT.commandLine);
  const hyper = readHyperparameters(o.optimizer as OptimizerName, o, numbers.epochs);
  if ("code" in hyper) return report([hyper]), EXIT.commandLine;

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

  const scaling = scalingRequest(o, target.name, fields.inputs.map((f) => f.name));
  if ("code" in scaling) return report([scaling]), EXIT.commandLine;

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
  } catch (e) {
    if (e instanceof DataError) return report([error("NND3030", undefined, e.message)]), EXIT.userError;
    throw e;
  }
  // Inputs scaled as saved with the weights (and taken from them on --resume).
  const scaled = checkSplit(data, numbers.testSplit, o.testSplit) ?? trainingPreprocess(scaling, data.train, o.resume === undefined ? undefined : { path: o.resume, model: target.name, hash: modelHash(result.program, result.source, target.name) });
  if (!("preprocess" in scaled)) return report([scaled]), EXIT.userError;
  const { preprocess } = scaled;
  data = { train: preprocessDataset(preprocess, data.train), test: preprocessDataset(preprocess, data.test) };

  const compiled = await compile(checked, { precision: "f64", source: file, target: targets[o.target], hessian: o.optimizer === "newton" });
  const model = (await loadGenerated(compiled.code))[compiled.exports.get(target.name)!] as TrainableModel;
  const hash = modelHash(result.program, result.source, target.name);

  const params = model.init(numbers.seed);
  const optimizer = o.optimizer === "newton" ? newtonFor(model, data.train) : makeOptimizer(hyper, model.shapes);
  if (optimizer === undefined) return report(compiled.diagnostics, result.source), EXIT.userError;
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

  const classify = classTargets(checked, m, data.train);
  const batch = o.optimizer === "newton" ? data.train.n : numbers.batch;
  const out = o.out ?? `${basename(file).replace(/\.nnd$/, "")}.weights.json`;
  // Before training: an output that cannot be written is found now, not after the last epoch.
  const unwritable = [out, ...(o.plot === undefined ? [] : [o.plot])].map(prepareOutput).filter((d) => d !== undefined);
  if (unwritable.length > 0) return report(unwritable), EXIT.userError;

  const tty = process.stdout.isTTY === true;
  const bar = tty ? new SingleBar({ format: "epoch {epoch} [{bar}] {percentage}% | loss {loss}", hideCursor: true, clearOnComplete: true }) : undefined;
  const log = new EpochLog((text) => process.stdout.write(`${text}\n`), numbers.epochs, startEpoch + 1, hyper.logEvery ?? (tty ? 1 : logInterval(numbers.epochs - startEpoch)));
  let lastGood = 0;
  const save = (epoch: number) => attemptWrite(out, () => saveWeights(out, { model: target.name, hash, shapes: model.shapes, params, epoch, seed: numbers.seed, optimizer: optimizer.state(), preprocess }));

  process.stdout.write(`training ${target.name} on ${data.train.n} examples${data.test.n > 0 ? ` (${data.test.n} held out)` : ""} with ${hyper.description}, batch ${batch}\n`);
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
      ...(hyper.schedule === undefined ? {} : { schedule: hyper.schedule }),
      ...(classify === undefined ? {} : { classify }),
      onStep: (step, steps, epoch, loss) => {
        if (bar === undefined) return;
        const payload = { epoch: `${epoch}/${numbers.epochs}`, loss: loss.toPrecision(4) };
        if (step === 1) bar.start(steps, 0, payload);
        bar.update(step, payload);
      },
      onEpoch: (r) => {
        bar?.stop();
        log.epoch(r);
        lastGood = r.epoch;
      },
    });
  } catch (e) {
    bar?.stop();
    log.finish();
    if (e instanceof NonFiniteError) {
      const failed = save(lastGood);
      if (failed !== undefined) report([failed]);
      return fail(`${e.message}${failed === undefined ? ` (saved in ${out})` : ""}`);
    }
    throw e;
  }
  log.finish();
  const last = trained.history[trained.history.length - 1];
  const best = o.patience === undefined ? undefined : trained.history.find((r) => r.epoch === trained.bestEpoch);
  const kept = best ?? last;
  const unsaved = save(kept?.epoch ?? startEpoch);
  if (unsaved !== undefined) return report([unsaved]), EXIT.userError;
  const rate = trained.examples / Math.max(trained.seconds, 1e-9);
  process.stdout.write(
    `done: ${trained.stopped === "epochs" ? `${trained.history.length} epochs` : `stopped (${trained.stopped}) after epoch ${last?.epoch}`}, ${trained.seconds.toFixed(2)} s, ${Math.round(rate)} examples/s, best epoch ${trained.bestEpoch}\n`,
  );
  if (best !== undefined && best !== last) process.stdout.write(`restored the weights of epoch ${best.epoch}, ${best.testLoss === undefined ? "loss" : "test loss"} ${(best.testLoss ?? best.loss).toPrecision(6)} (the best; the last epoch was ${last!.epoch})\n`);
  const total = Object.values(params).reduce((s, p) => s + p.length, 0);
  if (total <= 8) process.stdout.write(`${Object.entries(params).map(([k, v]) => `${k} = ${v.length === 1 ? v[0] : `[${Array.from(v).join(", ")}]`}`).join("  ")}\n`);
  const chart = lossCurveText(trained.history);
  if (chart !== "") process.stdout.write(`\ntraining loss by epoch\n${chart}\n\n`);
  if (kept?.testAccuracy !== undefined) process.stdout.write(`test accuracy ${(100 * kept.testAccuracy).toFixed(1)} %\n`);
  else if (kept?.trainAccuracy !== undefined) process.stdout.write(`train accuracy ${(100 * kept.trainAccuracy).toFixed(1)} %\n`);
  process.stdout.write(`weights saved to ${out}\n`);
  if (o.plot !== undefined) {
    const failed = writeAtomically(o.plot, await lossCurveSvg(`${target.name}: loss by epoch`, trained.history));
    if (failed !== undefined) return report([failed]), EXIT.userError;
    process.stdout.write(`loss curve written to ${o.plot}\n`);
  }
  return EXIT.ok;
}

/** Newton's method on the whole training set, from the generated Hessian; undefined without one. */
function newtonFor(model: TrainableModel, data: Dataset): Optimizer | undefined {
  if (model.hessian === undefined) return undefined;
  const scratch = model.zeros();
  const all: Record<string, Float64Array> = Object.fromEntries(data.values);
  return newton(model.shapes, {
    loss: (p) => datasetLoss(model, p, data, scratch),
    hessian: (p, h) => model.hessian!(p, all, data.n, h),
  });
}
