// The machine's ceiling: how fast plain JavaScript multiplies matrices here,
// in GFLOP/s (2·M·N·K flops a product), on the shapes a training step uses.
// A generated trainer cannot beat the best kernel one can write by hand, so
// this is the yardstick its speed is read against.
//
//   npx tsx bench/ceiling.ts '[[M,N,K], ...]' [--quick]
//
// C (M×N) = A (M×K) · Bᵀ with B N×K: both operands run along K, so every entry
// of C is a contiguous dot product. Each kernel variant computes an R×C block
// of C at a time in R·C scalar accumulators (R rows of A against C rows of B:
// R + C loads feed R·C multiply-adds), the K loop unrolled by U; the edges of
// C that no whole block covers take R×1, 1×C and 1×1 blocks. The variants are
// written out from one template (variant names read RxCuU), so each is straight-line code with its own
// accumulators, as one would write it by hand.
//
// Method, per shape: fresh copies of every variant, each checked against a
// naive triple loop (summed in the same order, so they agree to the bit);
// a screening of all of them (3 timings of ≥ 2 ms); then the best three
// timed for real: a repetition count that makes one timing last ≥ 20 ms, one
// timing to warm up, the median of 5 (--quick: 1 ms, then the best two at
// 4 ms). The winner is the finalist with the highest rate. The machine's
// load from other processes during the final timings is reported beside it.
// One JSON object on stdout; progress on stderr.

import { cpus } from "node:os";
import { loadMeter } from "./protocol.js";

type Shape = readonly [m: number, n: number, k: number];
type Kernel = (a: Float64Array, b: Float64Array, c: Float64Array, m: number, n: number, k: number) => void;

interface Variant {
  readonly name: string;
  readonly run: Kernel;
}

/** Block sizes (rows of A × rows of B) and K unrolling of the variants. */
const BLOCKS: readonly [r: number, c: number, unroll: number][] = [
  [1, 4, 2],
  [4, 1, 2],
  [2, 2, 2],
  [2, 2, 4],
  [2, 4, 1],
  [2, 4, 2],
  [4, 2, 1],
  [4, 2, 2],
  [2, 3, 2],
  [3, 2, 2],
  [3, 3, 1],
  [3, 4, 1],
  [4, 3, 1],
  [4, 4, 1],
];

/** Straight-line code for one r×c block of C at (i, j), K unrolled by `unroll`. */
function blockCode(r: number, c: number, unroll: number): string {
  const rows = Array.from({ length: r }, (_, p) => p);
  const cols = Array.from({ length: c }, (_, q) => q);
  const each = (f: (p: number, q: number) => string) => rows.flatMap((p) => cols.map((q) => f(p, q))).join(" ");
  const step = (at: string) =>
    `{ ${[...rows.map((p) => `const x${p} = a[ra${p} + ${at}];`), ...cols.map((q) => `const y${q} = b[rb${q} + ${at}];`), each((p, q) => `s${p}${q} += x${p} * y${q};`)].join(" ")} }`;
  const unrolled = Array.from({ length: unroll }, (_, u) => step(u === 0 ? "kk" : `kk + ${u}`)).join("\n      ");
  return `{
    ${rows.map((p) => `const ra${p} = (i + ${p}) * k;`).join(" ")}
    ${cols.map((q) => `const rb${q} = (j + ${q}) * k;`).join(" ")}
    ${each((p, q) => `let s${p}${q} = 0;`)}
    let kk = 0;
    for (; kk + ${unroll} <= k; kk += ${unroll}) {
      ${unrolled}
    }
    for (; kk < k; kk++) ${step("kk")}
    ${each((p, q) => `c[(i + ${p}) * n + j + ${q}] = s${p}${q};`)}
  }`;
}

/** Whole R×C blocks, then the right edge in R×1 blocks, then the bottom rows in 1×C and 1×1 blocks. */
function kernelCode(r: number, c: number, unroll: number): string {
  return `let i = 0;
  for (; i + ${r} <= m; i += ${r}) {
    let j = 0;
    for (; j + ${c} <= n; j += ${c}) ${blockCode(r, c, unroll)}
    for (; j < n; j++) ${blockCode(r, 1, unroll)}
  }
  for (; i < m; i++) {
    let j = 0;
    for (; j + ${c} <= n; j += ${c}) ${blockCode(1, c, unroll)}
    for (; j < n; j++) ${blockCode(1, 1, unroll)}
  }`;
}

function variant(r: number, c: number, unroll: number): Variant {
  const run = new Function("a", "b", "c", "m", "n", "k", kernelCode(r, c, unroll)) as Kernel;
  return { name: `${r}x${c}u${unroll}`, run };
}

/** The reference: one dot product an entry, summed in K order like every variant (so they agree to the bit). */
function naive(a: Float64Array, b: Float64Array, c: Float64Array, m: number, n: number, k: number): void {
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += a[i * k + t]! * b[j * k + t]!;
      c[i * n + j] = s;
    }
}

function randomMatrix(length: number, seed: number): Float64Array {
  let s = seed;
  return Float64Array.from({ length }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (2 * s) / 2147483648 - 1;
  });
}

interface Operands {
  readonly shape: Shape;
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly c: Float64Array;
  /** The naive product. */
  readonly want: Float64Array;
}

function operands(shape: Shape): Operands {
  const [m, n, k] = shape;
  const ops = { shape, a: randomMatrix(m * k, 1), b: randomMatrix(n * k, 2), c: new Float64Array(m * n), want: new Float64Array(m * n) };
  naive(ops.a, ops.b, ops.want, m, n, k);
  return ops;
}

/** The largest difference of the variant's product from the naive one; an error if it is not tiny. */
function checked(v: Variant, { shape, a, b, c, want }: Operands): number {
  const [m, n, k] = shape;
  c.fill(Number.NaN);
  v.run(a, b, c, m, n, k);
  const diff = c.reduce((worst, x, i) => Math.max(worst, Math.abs(x - want[i]!)), 0);
  if (!(diff <= 1e-12 * k)) throw new Error(`kernel ${v.name} on ${shape.join("×")}: max abs difference ${diff} from the naive product`);
  return diff;
}

/** Milliseconds for `reps` products. */
function timeReps(v: Variant, { shape: [m, n, k], a, b, c }: Operands, reps: number): number {
  const start = performance.now();
  for (let r = 0; r < reps; r++) v.run(a, b, c, m, n, k);
  return performance.now() - start;
}

interface Rate {
  readonly gflops: number;
  /** Milliseconds of the timing that counts (`reps` products): the median, or in the screening the fastest. */
  readonly ms: number;
  readonly reps: number;
}

interface Plan {
  /** Milliseconds one timing lasts at the least. */
  readonly ms: number;
  readonly timings: number;
  /** Milliseconds a variant runs before the timings count (a fresh function runs interpreted until the JIT has compiled it). */
  readonly warmMs: number;
  /** Which timing counts: the median, or the fastest (in the screening, so that one timing disturbed by a neighbour does not drop a variant). */
  readonly pick: "median" | "fastest";
}

/** Repetitions enough for `plan.ms` a timing, a warm-up, then the timings. */
function rate(v: Variant, ops: Operands, plan: Plan): Rate {
  const started = performance.now();
  let reps = 1;
  let ms = timeReps(v, ops, reps);
  while (ms < plan.ms / 8) ms = timeReps(v, ops, (reps *= 2));
  if (ms < plan.ms) reps = Math.ceil((reps * plan.ms) / ms);
  while (performance.now() - started < plan.warmMs) timeReps(v, ops, reps);
  const times = Array.from({ length: plan.timings }, () => timeReps(v, ops, reps)).sort((x, y) => x - y);
  const counted = times[plan.pick === "median" ? Math.floor(plan.timings / 2) : 0]!;
  const [m, n, k] = ops.shape;
  return { gflops: (2 * m * n * k * reps) / (counted * 1e6), ms: counted, reps };
}

function parseShapes(arg: string | undefined): Shape[] {
  let shapes: unknown;
  try {
    shapes = JSON.parse(arg ?? "null");
  } catch {
    shapes = null;
  }
  const valid = (s: unknown): s is Shape => Array.isArray(s) && s.length === 3 && s.every((x) => Number.isInteger(x) && x > 0);
  if (!Array.isArray(shapes) || !shapes.every(valid)) {
    process.stderr.write("usage: npx tsx bench/ceiling.ts '[[M,N,K], ...]' [--quick]   (positive whole numbers)\n");
    process.exit(2);
  }
  return shapes;
}

const round = (x: number, digits = 3) => Number(x.toFixed(digits));
const rates = (rs: readonly ({ kernel: string } & Rate)[]) => Object.fromEntries(rs.map((r) => [r.kernel, round(r.gflops)]));

const quick = process.argv.includes("--quick");
const shapes = parseShapes(process.argv.slice(2).find((a) => a !== "--quick"));
/** Screening: every variant (--quick: those in QUICK), the fastest of 3 short timings; the best few go on to the real measurement. */
const screen: Plan = { ms: quick ? 1 : 2, timings: 3, warmMs: quick ? 4 : 8, pick: "fastest" };
const final: Plan & { variants: number } = { ms: quick ? 4 : 20, timings: 5, warmMs: quick ? 4 : 20, pick: "median", variants: quick ? 2 : 3 };
/** The variants --quick screens: those that won some shape in full runs. */
const QUICK = new Set(["1x4u2", "4x1u2", "2x4u1", "4x2u1", "2x3u2", "3x2u2", "3x4u1", "4x3u1"]);

function measureShape(shape: Shape) {
  const ops = operands(shape);
  // Fresh functions for every shape: what the JIT learnt on one shape does not help or hurt the next.
  const variants = BLOCKS.map(([r, c, u]) => variant(r, c, u));
  const candidates = variants.filter((v) => !quick || QUICK.has(v.name));
  const maxAbsDiff = Math.max(...candidates.map((v) => checked(v, ops)));
  const screened = candidates.map((v) => ({ v, kernel: v.name, ...rate(v, ops, screen) })).sort((x, y) => y.gflops - x.gflops);
  const load = loadMeter();
  const finals = screened.slice(0, final.variants).map(({ v, kernel }) => ({ kernel, ...rate(v, ops, final) }));
  const otherLoad = load();
  const best = finals.reduce((x, y) => (y.gflops > x.gflops ? y : x));
  return {
    shape,
    gflops: round(best.gflops),
    kernel: best.kernel,
    medianMs: round(best.ms),
    reps: best.reps,
    maxAbsDiff,
    /** Share of the machine's CPU time other processes took during the final timings. */
    otherLoad: round(otherLoad, 2),
    finalists: rates(finals),
    screened: rates(screened),
  };
}

// A shape asked for twice (two layers' products can coincide) is measured once.
const results = new Map<string, ReturnType<typeof measureShape>>();
for (const shape of shapes) {
  const key = shape.join("x");
  if (results.has(key)) continue;
  const started = performance.now();
  const r = measureShape(shape);
  results.set(key, r);
  const took = `${(performance.now() - started).toFixed(0)} ms`;
  process.stderr.write(`${key.padEnd(12)} ${r.gflops.toFixed(2).padStart(5)} GFLOP/s ${r.kernel.padEnd(5)}  other load ${r.otherLoad.toFixed(2)}  finalists ${JSON.stringify(r.finalists)}  (${took})\n`);
}

const rows = shapes.map((s) => results.get(s.join("x"))!);
const top = rows.reduce((x, y) => (y.gflops > x.gflops ? y : x));
process.stdout.write(
  `${JSON.stringify({
    node: process.version,
    cpu: cpus()[0]?.model ?? "unknown",
    quick,
    method: `C = A·Bᵀ in f64; ${quick ? QUICK.size : BLOCKS.length} register-blocked variants (RxC block, K unrolled by U) screened, the best ${final.variants} timed: median of ${final.timings} timings of ≥ ${final.ms} ms after a warm-up`,
    shapes: rows,
    best: top.gflops,
    bestShape: top.shape,
    bestKernel: top.kernel,
  })}\n`,
);
