// What the benchmark's orchestrator (bench/run.ts) and its peers agree on.
//
// Every peer (the generated trainer, two hand-written ones, TensorFlow.js,
// PyTorch) runs in a process of its own and is handed one Job: the network,
// the optimizer, the minibatch size, a data file and the initial weights, all
// written once by the orchestrator, so every peer starts from the same
// weights and sees the same examples in the same order. The peer trains for
// `steps` steps, times the steps after the warm-up in equal segments, then
// reports its test accuracy, as one JSON line (a PeerResult) on stdout.
// bench/peers/torch_peer.py speaks the same protocol in Python.

import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";

export type Hidden = "tanh" | "relu";
/** sigmoid-bce: one output, a logit, y ∈ {0, 1}; softmax-ce: k logits, y one-hot. */
export type Loss = "sigmoid-bce" | "softmax-ce";

export interface OptimizerSpec {
  readonly kind: "sgd" | "momentum" | "adam";
  readonly lr: number;
  /** momentum: PyTorch's heavy ball, v = μ v + g (v = g on the first step), w -= lr v. */
  readonly momentum?: number;
  /** adam: PyTorch's Adam with bias correction. */
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
}

export interface Job {
  /** W1…W5. */
  readonly workload: string;
  /** Layer sizes, inputs first: [2, 4, 1] is W1 (4×2), b1 (4), W2 (1×4), b2 (1). */
  readonly sizes: readonly number[];
  /** Activation of every hidden layer; the last layer is linear (logits). */
  readonly hidden: Hidden;
  readonly loss: Loss;
  readonly optimizer: OptimizerSpec;
  readonly batch: number;
  /** Steps in all; the first `warmup` are not timed, the rest are cut into `segments` equal segments. */
  readonly steps: number;
  readonly warmup: number;
  /**
   * Before the real run, a throwaway trainer of the same code trains for this
   * long (cycling through the same minibatches), so that the timed run sees
   * code the JIT has already optimized; its weights are then discarded.
   */
  readonly warmupSeconds: number;
  /** A timed segment lasts at least about this long (see runPeer). */
  readonly minSegmentSeconds: number;
  readonly segments: number;
  /** The .nnd file of the network (for the generated peer). */
  readonly model: string;
  /** Data file (see DataHeader) and initial weights (see InitialWeights). */
  readonly data: string;
  readonly init: string;
  /** The generated peer's `--precision`; other peers run in f64 except TF.js (f32 only) and PyTorch (both, named in the peer). */
  readonly precision: "f64" | "f32";
}

/**
 * `<data>.json` describes `<data>.f64`: little-endian float64, in order
 * trainX (nTrain × inputs), trainY (nTrain × outputs), testX, testY.
 * The rows are already shuffled; a peer takes them in order.
 */
export interface DataHeader {
  readonly nTrain: number;
  readonly nTest: number;
  readonly inputs: number;
  readonly outputs: number;
  /** Where the rows came from, for the report. */
  readonly source: string;
}

/** W1, b1, W2, b2, …: W_l is out × in, row-major (W @ x, as in .nnd). */
export type InitialWeights = Record<string, number[]>;

export interface Segment {
  readonly steps: number;
  readonly examples: number;
  readonly seconds: number;
  /** Share of the machine's CPU time used by other processes during the segment (0 = quiet, 1 = all cores busy). */
  readonly otherLoad: number;
}

export interface PeerResult {
  readonly peer: string;
  readonly workload: string;
  readonly segments: readonly Segment[];
  /** Test accuracy after training (W1: on its four training points). */
  readonly accuracy: number;
  /** Largest relative difference between the peer's gradient and central differences, on the first GRADCHECK_ROWS rows (f64 peers). */
  readonly gradcheck?: number;
  readonly note?: string;
}

export interface Dataset {
  readonly header: DataHeader;
  readonly trainX: Float64Array;
  readonly trainY: Float64Array;
  readonly testX: Float64Array;
  readonly testY: Float64Array;
}

/** Rows of the first minibatch the gradient check runs on (a whole batch of W5 would take seconds per peer). */
export const GRADCHECK_ROWS = 16;

export function readJob(path = process.argv[2]): Job {
  if (path === undefined) throw new Error("usage: <peer> JOB.json");
  return JSON.parse(readFileSync(path, "utf8")) as Job;
}

export function readData(path: string): Dataset {
  const header = JSON.parse(readFileSync(`${path}.json`, "utf8")) as DataHeader;
  const bytes = readFileSync(`${path}.f64`);
  const all = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
  const { nTrain, nTest, inputs, outputs } = header;
  let at = 0;
  const take = (n: number) => all.subarray(at, (at += n));
  return { header, trainX: take(nTrain * inputs), trainY: take(nTrain * outputs), testX: take(nTest * inputs), testY: take(nTest * outputs) };
}

export function readInit(path: string): InitialWeights {
  return JSON.parse(readFileSync(path, "utf8")) as InitialWeights;
}

/** Parameter names in order: W1, b1, W2, b2, … */
export function paramNames(sizes: readonly number[]): string[] {
  return sizes.slice(1).flatMap((_, l) => [`W${l + 1}`, `b${l + 1}`]);
}

/**
 * The minibatches, in order: start and size of each step's batch. Batches run
 * through the training rows in order; the last batch of a pass may be short,
 * and the next pass starts again at row 0.
 */
export function* batches(nTrain: number, batch: number, steps: number): Generator<{ start: number; n: number }> {
  let start = 0;
  for (let s = 0; s < steps; s++) {
    const n = Math.min(batch, nTrain - start);
    yield { start, n };
    start += n;
    if (start >= nTrain) start = 0;
  }
}

/** Class predicted from logits and the class in y: one logit > 0, or the largest of k. */
export function accuracyOf(logits: ArrayLike<number>, y: ArrayLike<number>, n: number, outputs: number): number {
  let right = 0;
  for (let e = 0; e < n; e++) {
    if (outputs === 1) {
      if (logits[e]! > 0 === y[e]! > 0.5) right++;
      continue;
    }
    let best = 0;
    let label = 0;
    for (let k = 1; k < outputs; k++) {
      if (logits[e * outputs + k]! > logits[e * outputs + best]!) best = k;
      if (y[e * outputs + k]! > y[e * outputs + label]!) label = k;
    }
    if (best === label) right++;
  }
  return right / n;
}

/**
 * Measures the CPU time other processes take: the machine's busy time (from
 * /proc/stat) minus this process's own, over the wall time of all cores.
 * Where /proc/stat is missing, the 1-minute load average over the core count.
 */
export function loadMeter(): () => number {
  const busy = (): number | undefined => {
    try {
      const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
      // user nice system idle iowait irq softirq steal: all but idle and iowait are busy.
      const ticks = fields.slice(0, 8).reduce((a, b) => a + b, 0) - fields[3]! - fields[4]!;
      return ticks / 100; // USER_HZ is 100 on Linux
    } catch {
      return undefined;
    }
  };
  const cores = cpus().length;
  let wall = process.hrtime.bigint();
  let machine = busy();
  let own = process.cpuUsage();
  return () => {
    const nowWall = process.hrtime.bigint();
    const nowMachine = busy();
    const nowOwn = process.cpuUsage();
    const seconds = Number(nowWall - wall) / 1e9;
    const ownSeconds = (nowOwn.user - own.user + nowOwn.system - own.system) / 1e6;
    const other = machine === undefined || nowMachine === undefined ? undefined : nowMachine - machine - ownSeconds;
    wall = nowWall;
    machine = nowMachine;
    own = nowOwn;
    if (other === undefined) return Math.min(1, loadavg()[0]! / cores);
    return Math.min(1, Math.max(0, other / (seconds * cores)));
  };
}

/** What a TypeScript peer implements; runPeer does the rest. */
export interface Trainer {
  /** One training step (gradient and optimizer update) on rows [start, start + n). */
  step(start: number, n: number): void;
  /** Logits of `n` rows of `x`, into `out` (n × outputs). */
  predict(x: Float64Array, n: number, out: Float64Array): void;
  /** Max relative difference of the gradient from central differences on rows [0, n), before training; f64 peers. */
  gradcheck?(n: number): number;
  /** Frees what the trainer holds outside the JavaScript heap (TF.js tensors). */
  dispose?(): void;
}

/**
 * Relative differences between `grad` and central differences of `loss` on
 * `samples` entries of each parameter (every entry of small ones). |d| < 1e-6
 * is compared absolutely. An entry whose step crosses a kink (a ReLU input
 * within h of 0) is skipped: there the one-sided slopes disagree, and no
 * finite difference means anything.
 */
export function centralDifferences(params: readonly Float64Array[], grads: readonly Float64Array[], loss: () => number, samples = 24): number {
  let worst = 0;
  const here = loss();
  params.forEach((p, i) => {
    const g = grads[i]!;
    const step = Math.max(1, Math.floor(p.length / samples));
    for (let j = (7 * i) % step; j < p.length; j += step) {
      const keep = p[j]!;
      const h = 1e-5 * Math.max(1, Math.abs(keep));
      p[j] = keep + h;
      const up = loss();
      p[j] = keep - h;
      const down = loss();
      p[j] = keep;
      const [right, left] = [(up - here) / h, (here - down) / h];
      if (Math.abs(right - left) > 1e-8 + 1e-3 * Math.max(Math.abs(right), Math.abs(left))) continue;
      const fd = (up - down) / (2 * h);
      worst = Math.max(worst, Math.abs(fd - g[j]!) / Math.max(1e-6, Math.abs(fd), Math.abs(g[j]!)));
    }
  });
  return worst;
}

/**
 * Runs a Job with a Trainer and prints the PeerResult as one JSON line.
 *
 * Warm-up: throwaway trainers of the same code train on the plan for
 * `warmupSeconds`, which also estimates the time of one training run. Then
 * a run that lasts long enough is timed from the inside: its first `warmup`
 * steps untimed, the rest in `segments` equal segments. A short run (under
 * `segments` × `minSegmentSeconds`) is repeated instead, each time by a
 * fresh trainer from the same initial weights, and a segment is a number of
 * whole runs, so a fast peer is timed over as long as a slow one while every
 * peer trains exactly the same steps. The load from other processes is
 * recorded for each segment; the accuracy is that of the (last) run.
 */
export async function runPeer(peer: string, job: Job, data: Dataset, make: () => Trainer | Promise<Trainer>, note?: string): Promise<void> {
  const plan = [...batches(data.header.nTrain, job.batch, job.steps)];
  const now = () => Number(process.hrtime.bigint()) / 1e9;
  const warmStart = now();
  let warmSteps = 0;
  while (now() - warmStart < job.warmupSeconds) {
    const throwaway = await make();
    for (let s = 0; s < plan.length && now() - warmStart < job.warmupSeconds; s++, warmSteps++) throwaway.step(plan[s]!.start, plan[s]!.n);
    throwaway.dispose?.();
  }
  const runSeconds = ((now() - warmStart) / Math.max(1, warmSteps)) * plan.length;
  const load = loadMeter();
  const segments: Segment[] = [];
  const timed = (trainer: Trainer, from: number, to: number): { examples: number; seconds: number } => {
    let examples = 0;
    const start = now();
    for (let s = from; s < to; s++) {
      trainer.step(plan[s]!.start, plan[s]!.n);
      examples += plan[s]!.n;
    }
    return { examples, seconds: now() - start };
  };
  let trainer = await make();
  const gradcheck = trainer.gradcheck?.(Math.min(GRADCHECK_ROWS, job.batch, data.header.nTrain));
  if (runSeconds >= job.segments * job.minSegmentSeconds) {
    const perSegment = Math.floor((job.steps - job.warmup) / job.segments);
    const timedFrom = job.steps - perSegment * job.segments;
    timed(trainer, 0, timedFrom);
    for (let k = 0; k < job.segments; k++) {
      load();
      const t = timed(trainer, timedFrom + k * perSegment, timedFrom + (k + 1) * perSegment);
      segments.push({ steps: perSegment, ...t, otherLoad: load() });
    }
  } else {
    const runs = Math.ceil(job.minSegmentSeconds / runSeconds);
    for (let k = 0; k < job.segments; k++) {
      let [examples, seconds] = [0, 0];
      load();
      for (let r = 0; r < runs; r++) {
        trainer.dispose?.();
        trainer = await make();
        const t = timed(trainer, 0, plan.length);
        examples += t.examples;
        seconds += t.seconds;
      }
      segments.push({ steps: runs * plan.length, examples, seconds, otherLoad: load() });
    }
  }
  const { header } = data;
  const evalX = job.workload === "W1" ? data.trainX : data.testX;
  const evalY = job.workload === "W1" ? data.trainY : data.testY;
  const n = job.workload === "W1" ? header.nTrain : header.nTest;
  const logits = new Float64Array(n * header.outputs);
  trainer.predict(evalX, n, logits);
  const result: PeerResult = { peer, workload: job.workload, segments, accuracy: accuracyOf(logits, evalY, n, header.outputs), ...(gradcheck === undefined ? {} : { gradcheck }), ...(note === undefined ? {} : { note }) };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
