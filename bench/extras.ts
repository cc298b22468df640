// The measurements beside the training-step race, as one JSON object on stdout
// (progress on stderr):
//
//   npx tsx bench/extras.ts [--quick] [--only=compile]
//
// compile     every examples/*.nnd checked and compiled to TypeScript in this
//             process (median of 5), and a file of 300 random functions
//             (median of 3; --quick: 75) from test/support/random-expr.ts;
// compileScaling  compile time and code size as a model grows, with and
//             without --hessian (where the model is within its limit): the
//             examples, the 8-3-8 autoencoder (bench/models/autoencoder.nnd),
//             one-hidden-layer networks of about 10, 100, 1k, 10k and 100k
//             parameters, and the logistic map iterated n = 1…30 times as a
//             one-parameter model (warm: after an untimed compile; median of
//             5, --quick: 3; wall and CPU time);
// logisticMap nodes in the derivative of the n-times iterated logistic map,
//             n = 1…30 (--quick: 1…12), counted as test/diff/quality.test.ts
//             does, beside SymPy's naive counts;
// heap        heapUsed before and after 10,000 training steps of the generated
//             digits trainer (after 1,000 warm-up steps, a full GC before each
//             reading): a step allocates nothing, so the growth should be ~0;
// flopRatio   forward and backward flops of every model and fn in the examples,
//             counted as quality.test.ts does (backward = the nodes only the
//             gradients use).
//
// --only=compile measures compile and compileScaling alone (a minute or two).

import { readdirSync, readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import fc from "fast-check";
import { check } from "../src/check/check.js";
import { compile } from "../src/pipeline/compile.js";
import { Deriver, entriesOf, MAX_HESSIAN_PARAMS } from "../src/pipeline/derive.js";
import { forwardBackwardFlops } from "../src/graph/flops.js";
import { reachable, type Node } from "../src/graph/node.js";
import { loadGenerated, type GeneratedModel } from "../src/pipeline/load.js";
import { parse } from "../src/parse/parse.js";
import { front } from "../test/support/front.js";
import { ARGS, expressions } from "../test/support/random-expr.js";
import type { ScalingRow } from "./report.js";

const quick = process.argv.includes("--quick");
const compileOnly = process.argv.includes("--only=compile");
const examples = readdirSync("examples")
  .filter((f) => f.endsWith(".nnd"))
  .sort()
  .map((f) => ({ file: `examples/${f}`, text: readFileSync(`examples/${f}`, "utf8") }));

const log = (line: string) => void process.stderr.write(`${line}\n`);
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, digits = 1) => Number(x.toFixed(digits));

/** The checked program; a file that does not check is a broken benchmark. */
function checked(text: string, file: string) {
  const result = front(text, file);
  if (result.checked === undefined) throw new Error(`${file} does not check: ${result.all.map((d) => d.message).join("; ")}`);
  return result.checked;
}

// ---- compile time -------------------------------------------------------

/** Check and compile to TypeScript, as `nndc compile` does but in this process. */
async function compileText(text: string, file: string, hessian = false) {
  const { checked: program } = check(parse(text, file).program);
  return compile(program, { precision: "f64", source: file, hessian });
}

async function compileTimes() {
  const randomFns = quick ? 75 : 300;
  const bodies = fc.sample(expressions.S, { numRuns: randomFns, seed: 9 });
  const inputs = [
    ...examples.map((e) => ({ ...e, runs: 5 })),
    { file: `${randomFns} random fns`, text: bodies.map((b, i) => `fn f${i}(${ARGS}) = ${b}`).join("\n"), runs: 3 },
  ];
  // One untimed pass first, so that the first file timed does not pay for warming up the compiler.
  for (const e of examples) await compileText(e.text, e.file);
  const rows = [];
  for (const { file, text, runs } of inputs) {
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const start = performance.now();
      await compileText(text, file);
      times.push(performance.now() - start);
    }
    const program = checked(text, file);
    const decls = program.models.size + program.fns.size;
    const ms = median(times);
    rows.push({ file, decls, kib: round(text.length / 1024), runs, medianMs: round(ms), msPerDecl: round(ms / decls, 2) });
    log(`compile ${file}: ${ms.toFixed(0)} ms (median of ${runs})`);
  }
  return rows;
}

// ---- compile time as models grow ----------------------------------------

/** A one-hidden-layer network inputs-hidden-outputs (tanh, then a linear output under mse). */
function network(inputs: number, hidden: number, outputs: number): string {
  return [
    "model net {",
    `  input  x: [${inputs}]`,
    `  target y: [${outputs}]`,
    `  param W1: [${hidden}, ${inputs}] ~ xavier`,
    `  param b1: [${hidden}] ~ zeros`,
    `  param W2: [${outputs}, ${hidden}] ~ xavier`,
    `  param b2: [${outputs}] ~ zeros`,
    "  h = tanh(W1 @ x + b1)",
    "  z = W2 @ h + b2",
    "  output z",
    "  loss = mse(z, y)",
    "}",
  ].join("\n");
}

/** Networks of about 10, 100, 1k, 10k and 100k parameters. */
const NETWORKS: readonly (readonly [number, number, number])[] = [
  [1, 3, 1],
  [8, 8, 3],
  [30, 30, 2],
  [100, 96, 4],
  [784, 128, 10],
];

/** A one-parameter model: m ← 4 m (1 − m) n times from w, the loss the last m (a straight line of 3n operations). */
function logisticMapModel(n: number): string {
  const steps = Array.from({ length: n }, (_, k) => `  m${k + 1} = 4 * m${k} * (1 - m${k})`);
  return ["model logistic_map {", "  input  x: []", "  target y: []", "  param w: [] ~ const(0.3)", "  m0 = w", ...steps, `  output m${n}`, `  loss = m${n}`, "}"].join("\n");
}

/** Warm compile time (wall and CPU, median of `runs` after one untimed compile) and the code's size. */
async function timeCompile(text: string, file: string, hessian: boolean, runs: number): Promise<{ ms: number; cpu: number; kib: number }> {
  const first = await compileText(text, file, hessian);
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let r = 0; r < runs; r++) {
    const [start, cpu] = [performance.now(), process.cpuUsage()];
    await compileText(text, file, hessian);
    const used = process.cpuUsage(cpu);
    walls.push(performance.now() - start);
    cpus.push((used.user + used.system) / 1000);
  }
  return { ms: median(walls), cpu: median(cpus), kib: first.code.length / 1024 };
}

async function compileScaling(): Promise<ScalingRow[]> {
  const runs = quick ? 3 : 5;
  const inputs = [
    ...examples.filter((e) => !e.file.endsWith("functions.nnd")).map((e) => ({ family: "example" as const, model: e.file, text: e.text })),
    { family: "example" as const, model: "bench/models/autoencoder.nnd (8-3-8)", text: readFileSync("bench/models/autoencoder.nnd", "utf8") },
    ...NETWORKS.map(([i, h, o]) => ({ family: "network" as const, model: `${i}-${h}-${o}`, text: network(i, h, o) })),
    ...Array.from({ length: 30 }, (_, k) => ({ family: "logistic map" as const, model: `logistic map, n = ${k + 1}`, text: logisticMapModel(k + 1), n: k + 1 })),
  ];
  const rows: ScalingRow[] = [];
  for (const input of inputs) {
    const program = checked(input.text, input.model);
    const params = Math.max(...[...program.models.keys()].map((name) => entriesOf(new Deriver(program).model(name).wrt)));
    for (const hessian of params <= MAX_HESSIAN_PARAMS ? [false, true] : [false]) {
      const t = await timeCompile(input.text, input.model, hessian, runs);
      const size = "n" in input ? input.n : params;
      rows.push({ family: input.family, model: input.model, size, params, hessian, kib: round(t.kib), medianMs: round(t.ms), cpuMs: round(t.cpu) });
      log(`compile ${input.model}${hessian ? " --hessian" : ""}: ${t.ms.toFixed(0)} ms (${t.cpu.toFixed(0)} ms CPU), ${t.kib.toFixed(1)} KiB`);
    }
  }
  return rows;
}

// ---- expression swell: the logistic map ---------------------------------

/** SymPy's naive derivative of the n-times iterated logistic map: operations for n = 1…6. */
const SYMPY = [0, 2, 21, 82, 264, 768];

/** l ← 4 l (1 − l), n times, and its derivative (the source quality.test.ts differentiates). */
function logisticMap(n: number): string {
  const lines = ["fn l0(x) = x"];
  for (let k = 1; k <= n; k++) lines.push(`fn l${k}(x) = 4 * l${k - 1}(x) * (1 - l${k - 1}(x))`);
  return [...lines, `fn d(x) = diff(l${n}(x), x)`].join("\n");
}

function logisticMapSizes() {
  return Array.from({ length: quick ? 12 : 30 }, (_, i) => {
    const n = i + 1;
    const d = new Deriver(checked(logisticMap(n), `logistic-${n}.nnd`)).fn("d");
    return { n, nodes: reachable([d.value]).length, sympy: SYMPY[i] ?? null };
  });
}

// ---- heap growth over training steps ------------------------------------

/** A full collection: node's gc when run with --expose-gc, else switched on here. */
function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

function seeded(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

async function heapGrowth() {
  const file = "examples/digits.nnd";
  const compiled = await compileText(readFileSync(file, "utf8"), file);
  const digits = (await loadGenerated(compiled.code))["digits"] as GeneratedModel;
  const [inputs, classes, batchSize, lr] = [64, 10, 32, 0.01];
  const random = seeded(3);
  const x = Float64Array.from({ length: batchSize * inputs }, () => random());
  const y = new Float64Array(batchSize * classes);
  for (let e = 0; e < batchSize; e++) y[e * classes + Math.floor(random() * classes)] = 1;
  const batch = { x, y };
  const params = digits.init(1);
  const grads = digits.zeros();
  const names = Object.keys(params);
  let loss = Number.NaN;
  const train = (steps: number) => {
    for (let s = 0; s < steps; s++) {
      loss = digits.lossAndGrad(params, batch, batchSize, grads);
      for (const name of names) {
        const p = params[name]!;
        const g = grads[name]!;
        for (let i = 0; i < p.length; i++) p[i] = p[i]! - lr * g[i]!;
      }
    }
  };
  const gc = collector();
  const heapAfterGc = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const [warmup, steps] = [1000, 10_000];
  train(warmup);
  const firstLoss = loss;
  const before = heapAfterGc();
  const start = performance.now();
  train(steps);
  const ms = performance.now() - start;
  const after = heapAfterGc();
  log(`heap: ${before} → ${after} bytes over ${steps} steps (${((ms * 1000) / steps).toFixed(1)} µs a step)`);
  return { model: "digits", batch: batchSize, warmup, steps, before, after, growth: after - before, usPerStep: round((ms * 1000) / steps), lossAfterWarmup: firstLoss, lossAtEnd: loss };
}

// ---- backward / forward flops -------------------------------------------

function flopRatios() {
  const rows = [];
  for (const { file, text } of examples) {
    const program = checked(text, file);
    const deriver = new Deriver(program);
    const row = (kind: "model" | "fn", name: string, forwardRoots: readonly Node[], grads: readonly (Node | null)[]) => {
      const { forward, backward } = forwardBackwardFlops(forwardRoots, grads.filter((g): g is Node => g !== null));
      return { file, kind, name, forward, backward, ratio: forward > 0 ? round(backward / forward, 3) : null };
    };
    for (const name of program.models.keys()) {
      const d = deriver.model(name);
      rows.push(row("model", name, [d.loss], d.grads));
    }
    for (const name of program.fns.keys()) {
      const d = deriver.fn(name);
      rows.push(row("fn", name, [d.value], d.grads));
    }
  }
  return rows;
}

if (compileOnly) {
  const compileRows = await compileTimes();
  const scaling = await compileScaling();
  process.stdout.write(`${JSON.stringify({ node: process.version, quick, only: "compile", compile: compileRows, compileScaling: scaling })}\n`);
} else {
  const flopRatio = flopRatios();
  log(`flops: ${flopRatio.length} models and fns`);
  const logisticMapRows = logisticMapSizes();
  log(`logistic map: ${logisticMapRows.map((r) => r.nodes).join(" ")}`);
  const heap = await heapGrowth();
  const compileRows = await compileTimes();
  const compileScalingRows = await compileScaling();
  process.stdout.write(`${JSON.stringify({ node: process.version, quick, compile: compileRows, compileScaling: compileScalingRows, logisticMap: logisticMapRows, heap, flopRatio })}\n`);
}
