// The generated trainer as a benchmark peer: compiles the job's .nnd file
// in-process (exactly the code `nndc compile` writes), and trains it with the
// runtime's optimizers, as `nndc train` does.
//
//   npx tsx bench/peers/generated.ts JOB.json [wasm]   (the TypeScript target unless told)

import { compiledModel } from "../models/compiled.js";
import { adam, sgd, type Optimizer, type Params, type Tensor } from "../../src/runtime/optimizers.js";
import { centralDifferences, paramNames, readData, readInit, readJob, runPeer, type Job, type Trainer } from "../protocol.js";

const job = readJob();
const data = readData(job.data);

const target = process.argv[3] === "wasm" ? "wasm" : "ts";
const model = await compiledModel(job.model, job.precision, target);

/** A trainer of the module compiled above (every trainer runs the same code). */
function generatedTrainer(job: Job): Trainer {
  const params = model.zeros() as Params;
  const init = readInit(job.init);
  for (const name of paramNames(job.sizes)) params[name]!.set(init[name]!);
  const grads = model.zeros() as Params;
  const o = job.optimizer;
  const optimizer: Optimizer = o.kind === "adam" ? adam(model.shapes, { lr: o.lr, beta1: o.beta1, beta2: o.beta2, eps: o.eps }) : sgd(model.shapes, { lr: o.lr, momentum: o.momentum ?? 0 });
  // f32 modules take Float32Array batches: convert the rows once.
  const rows = (a: Float64Array): Tensor => (job.precision === "f32" ? Float32Array.from(a) : a);
  const x = rows(data.trainX);
  const y = rows(data.trainY);
  const [inputs, outputs] = [data.header.inputs, data.header.outputs];
  // The minibatches as views, made once (as a user would): a step allocates nothing, like the hand-written peers'.
  // (A batch starting at a given row always has the same size: the plan walks the rows in order.)
  const views: ({ x: Tensor; y: Tensor } | undefined)[] = [];
  const view = (start: number, n: number) => ({ x: x.subarray(start * inputs, (start + n) * inputs), y: y.subarray(start * outputs, (start + n) * outputs) });
  const batch = (start: number, n: number) => (views[start] ??= view(start, n));
  return {
    step(start, n) {
      model.lossAndGrad(params, batch(start, n), n, grads);
      optimizer.step(params, grads);
    },
    predict(xs, n, out) {
      const all = rows(xs);
      for (let start = 0; start < n; start += job.batch) {
        const m = Math.min(job.batch, n - start);
        out.set(model.forward(params, { x: all.subarray(start * inputs, (start + m) * inputs) }, m)["z"]!, start * outputs);
      }
    },
    ...(job.precision === "f64" ? { gradcheck } : {}),
  };
  function gradcheck(n: number): number {
    const first = view(0, n);
    const loss = () => model.lossAndGrad(params, first, n, model.zeros());
    model.lossAndGrad(params, first, n, grads);
    const names = paramNames(job.sizes);
    return centralDifferences(names.map((k) => params[k] as Float64Array), names.map((k) => grads[k] as Float64Array), loss);
  }
}

const name = `generated ${target === "wasm" ? "wasm " : ""}${job.precision}`;
if (job.precision === "f32") await runPeer(name, job, data, () => generatedTrainer(job), "gradient checked in f64 only");
else await runPeer(name, job, data, () => generatedTrainer(job));
