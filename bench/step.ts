// Times one training step (loss and gradient on a minibatch) of the generated
// module against two hand-written trainers (per example; batched, i-k-j), on
// the same parameters and data, in one run. Run with `npm run bench`. A benchmark, not a test: it prints.
//
// Method: both are checked to compute the same loss and gradient first; then
// a warm-up, then 7 timed segments of equal step counts, alternating the two
// so that a noisy neighbour hurts both alike; the median time per step.

import { existsSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { check } from "../src/check/check.js";
import { compile } from "../src/compile.js";
import { loadGenerated, type GeneratedModel } from "../src/load.js";
import { parse } from "../src/parse/parse.js";
import { loadData } from "../src/runtime/data.js";
import { HandWritten, type Params, type Shape } from "./handwritten.js";
import { HandWrittenBatched } from "./handwritten-batched.js";

interface Workload {
  readonly name: string;
  readonly file: string;
  /** Real data from ../shared/data when it is there (features scaled by `scale`), else random data of the same shape. */
  readonly data?: { readonly path: string; readonly scale: number };
  readonly model: string;
  readonly batch: number;
  readonly shape: Shape;
  /** Names in the generated module: [W1, b1, W2, b2] and [x, y]. */
  readonly params: readonly [string, string, string, string];
}

const workloads: Workload[] = [
  { name: "XOR 2-4-1", file: "examples/xor.nnd", model: "xor", batch: 4, shape: { inputs: 2, hidden: 4, outputs: 1, activation: "tanh", reg: 1e-4, regulariseW2: false }, params: ["W1", "b1", "w2", "b2"] },
  { name: "digits 64-32-10", file: "examples/digits.nnd", data: { path: "../shared/data/digits/digits.csv", scale: 1 / 16 }, model: "digits", batch: 32, shape: { inputs: 64, hidden: 32, outputs: 10, activation: "relu", reg: 1e-4, regulariseW2: true }, params: ["W1", "b1", "W2", "b2"] },
  { name: "MNIST 784-128-10", file: "examples/mnist.nnd", data: { path: "../shared/data/mnist/mnist_test.csv", scale: 1 / 255 }, model: "mnist", batch: 64, shape: { inputs: 784, hidden: 128, outputs: 10, activation: "relu", reg: 0, regulariseW2: false }, params: ["W1", "b1", "W2", "b2"] },
];

function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function run(w: Workload) {
  const text = readFileSync(w.file, "utf8");
  const { checked } = check(parse(text, w.file).program);
  const compiled = await compile(checked, { precision: "f64", source: w.file });
  const generated = (await loadGenerated(compiled.code))[w.model] as GeneratedModel;

  const params = generated.init(1);
  const [pW1, pb1, pW2, pb2] = w.params.map((k) => params[k]! as Float64Array) as [Float64Array, Float64Array, Float64Array, Float64Array];
  const random = seeded(7);
  let x = Float64Array.from({ length: w.batch * w.shape.inputs }, () => random());
  let y = new Float64Array(w.batch * w.shape.outputs);
  for (let e = 0; e < w.batch; e++) {
    if (w.shape.outputs === 1) y[e] = random() < 0.5 ? 0 : 1;
    else y[e * w.shape.outputs + Math.floor(random() * w.shape.outputs)] = 1;
  }
  let source = "random data";
  if (w.data !== undefined && existsSync(w.data.path)) {
    const d = loadData([w.data.path], { inputs: [{ name: "x", shape: [w.shape.inputs] }], targets: [{ name: "y", shape: [w.shape.outputs] }] });
    x = d.values.get("x")!.slice(0, w.batch * w.shape.inputs).map((v) => v * w.data!.scale);
    y = d.values.get("y")!.slice(0, w.batch * w.shape.outputs);
    source = w.data.path.replace("../shared/data/", "");
  }
  const batch = { x, y };
  const hand = new HandWritten(w.shape);
  const handParams: Params = { W1: pW1, b1: pb1, W2: pW2, b2: pb2 };
  const handGrads: Params = { W1: new Float64Array(pW1.length), b1: new Float64Array(pb1.length), W2: new Float64Array(pW2.length), b2: new Float64Array(pb2.length) };
  const grads = generated.zeros();

  // Same arithmetic first: a fast wrong answer is no answer.
  const l1 = generated.lossAndGrad(params, batch, w.batch, grads);
  const l2 = hand.lossAndGrad(handParams, x, y, w.batch, handGrads);
  let worst = Math.abs(l1 - l2) / Math.max(1e-12, Math.abs(l2));
  if (process.env["BENCH_DEBUG"]) console.log(w.name, l1, l2, grads[w.params[0]]!.slice(0, 3), handGrads.W1.slice(0, 3));
  w.params.forEach((k, i) => {
    const a = grads[k]!;
    const b = [handGrads.W1, handGrads.b1, handGrads.W2, handGrads.b2][i]!;
    for (let j = 0; j < a.length; j++) worst = Math.max(worst, Math.abs(a[j]! - b[j]!) / Math.max(1e-9, Math.abs(b[j]!)));
  });

  // The batched trainer keeps its own (transposed) weights; compare it too.
  const batched = new HandWrittenBatched(w.shape, w.batch);
  batched.setWeights(handParams);
  const bGrads: Params = { W1: new Float64Array(pW1.length), b1: new Float64Array(pb1.length), W2: new Float64Array(pW2.length), b2: new Float64Array(pb2.length) };
  const l3 = batched.lossAndGrad(handParams, x, y, w.batch, bGrads.b1, bGrads.b2);
  batched.gradients(bGrads);
  worst = Math.max(worst, Math.abs(l3 - l2) / Math.max(1e-12, Math.abs(l2)));
  for (const [k, a] of Object.entries(bGrads)) {
    const b = handGrads[k as keyof Params];
    for (let j = 0; j < a.length; j++) worst = Math.max(worst, Math.abs(a[j]! - b[j]!) / Math.max(1e-9, Math.abs(b[j]!)));
  }

  const stepsPerSegment = Math.max(20, Math.round(2e7 / (w.batch * (w.shape.inputs * w.shape.hidden + w.shape.hidden * w.shape.outputs))));
  const time = (step: () => void) => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < stepsPerSegment; i++) step();
    return Number(process.hrtime.bigint() - start) / 1e3 / stepsPerSegment;
  };
  const gen = () => void generated.lossAndGrad(params, batch, w.batch, grads);
  const handStep = () => void hand.lossAndGrad(handParams, x, y, w.batch, handGrads);
  const batchedStep = () => void batched.lossAndGrad(handParams, x, y, w.batch, bGrads.b1, bGrads.b2);
  for (let i = 0; i < 3; i++) {
    time(gen);
    time(handStep);
    time(batchedStep);
  }
  const tg: number[] = [];
  const th: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < 7; i++) {
    tg.push(time(gen));
    th.push(time(handStep));
    tb.push(time(batchedStep));
  }
  return { name: w.name, generated: median(tg), hand: median(th), batched: median(tb), worst, source };
}

const rows = [];
for (const w of workloads) rows.push(await run(w));
console.log(`node ${process.version}, ${cpus()[0]?.model ?? "unknown cpu"}, ${cpus().length} cores; µs per training step (median of 7), f64`);
console.log("| workload | data | batch | generated | hand-written (a) per example | hand-written (b) batched | speed-up over the faster | max relative difference |");
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const [i, r] of rows.entries()) {
  const best = Math.min(r.hand, r.batched);
  console.log(`| ${r.name} | ${r.source} | ${workloads[i]!.batch} | ${r.generated.toFixed(2)} | ${r.hand.toFixed(2)} | ${r.batched.toFixed(2)} | ${(best / r.generated).toFixed(2)}× | ${r.worst.toExponential(1)} |`);
}
