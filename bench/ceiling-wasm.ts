// The WebAssembly SIMD ceiling: how fast a hand-tuned v128 kernel multiplies
// matrices here on one thread, in GFLOP/s, on the shapes a training step
// uses, f32x4 and f64x2. It is the yardstick the wasm target is read against,
// as bench/ceiling.ts is for plain JavaScript.
//
//   npx tsx bench/ceiling-wasm.ts '[[M,N,K], ...]' [--quick]
//
// C (M×N) = A (M×K) · Bᵀ, as in bench/ceiling.ts, with B packed once (not
// timed) as Bᵀ, K×N, so that a row of C is a sum of rows of Bᵀ: a block of R
// rows × V vectors of C stays in R·V v128 accumulators; each k loads V
// vectors of Bᵀ and splats R entries of A for R·V multiply-adds. The shapes
// are constants of each module (one module per shape and variant), the edges
// padded to whole blocks (the padding's work is not counted as flops: the
// ceiling is, if anything, low). Each variant is checked against a naive
// product; the best of a screening is timed (median of 5).

import { cpus } from "node:os";
import { EXTERNAL, I32, OP, SECTION, SIMD, V128, body, funcType, limits, memarg, module, name, s32, section, u32, vec, type Bytes, type ValType } from "../src/emit/wasm/encode.js";
import { loadMeter } from "./protocol.js";

type Shape = readonly [m: number, n: number, k: number];
type Lanes = "f32x4" | "f64x2";

interface Wasm {
  Memory: new (d: { initial: number }) => { buffer: ArrayBuffer };
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
  Module: new (b: Uint8Array) => object;
}
const WA = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

/** Register blocks: rows of C × vectors of C. */
const BLOCKS: readonly [r: number, v: number][] = [
  [4, 2],
  [2, 4],
  [3, 3],
  [4, 3],
  [6, 2],
  [2, 2],
  [8, 1],
];
const QUICK = new Set(["4x2", "2x4", "4x3"]);

const get = (i: number): Bytes => [OP["local.get"], ...u32(i)];
const set = (i: number): Bytes => [OP["local.set"], ...u32(i)];
const i32 = (n: number): Bytes => [OP["i32.const"], ...s32(n)];

/** for (local = 0; local < end; local += step) body */
const loop = (local: number, end: number, step: number, inner: Bytes): Bytes => [...i32(0), ...set(local), OP.block, 0x40, OP.loop, 0x40, ...get(local), ...i32(end), OP["i32.ge_s"], OP.br_if, 1, ...inner, ...get(local), ...i32(step), OP["i32.add"], ...set(local), OP.br, 0, OP.end, OP.end];

/** kernel(a, b, c): C = A · (Bᵀ packed), on padded shapes mp × np × k, bytes E per entry. */
function kernelModule(lanes: Lanes, r: number, v: number, mp: number, np: number, k: number, pages: number): Uint8Array {
  const E = lanes === "f32x4" ? 4 : 8;
  const [A, B, C, i, j, kk, pa, pb] = [0, 1, 2, 3, 4, 5, 6, 7];
  const acc = Array.from({ length: r * v }, (_, x) => 8 + x);
  const bv = Array.from({ length: v }, (_, x) => 8 + r * v + x);
  const av = 8 + r * v + v;
  const [mul, add, splat] = lanes === "f32x4" ? [SIMD["f32x4.mul"], SIMD["f32x4.add"], [...SIMD["v128.load32_splat"], ...memarg(2, 0)]] : [SIMD["f64x2.mul"], SIMD["f64x2.add"], [...SIMD["v128.load64_splat"], ...memarg(3, 0)]];
  const step: Bytes = [
    ...bv.flatMap((x, q) => [...get(pb), ...SIMD["v128.load"], ...memarg(4, 16 * q), ...set(x)]),
    ...Array.from({ length: r }, (_, p) => [...get(pa), ...(p === 0 ? [] : [...i32(p * k * E), OP["i32.add"]]), ...splat, ...set(av), ...bv.flatMap((x, q) => [...get(acc[p * v + q]!), ...get(av), ...get(x), ...mul, ...add, ...set(acc[p * v + q]!)])]).flat(),
    ...get(pa), ...i32(E), OP["i32.add"], ...set(pa),
    ...get(pb), ...i32(np * E), OP["i32.add"], ...set(pb),
  ];
  const blockCode: Bytes = [
    ...acc.flatMap((x) => [...SIMD["v128.const"], ...Array<number>(16).fill(0), ...set(x)]),
    // pa = A + i·k·E, pb = B + j·E
    ...get(A), ...get(i), ...i32(k * E), OP["i32.mul"], OP["i32.add"], ...set(pa),
    ...get(B), ...get(j), ...i32(E), OP["i32.mul"], OP["i32.add"], ...set(pb),
    ...loop(kk, k, 1, step),
    ...acc.flatMap((x, t) => {
      const [p, q] = [Math.floor(t / v), t % v];
      return [...get(C), ...get(i), ...i32(p), OP["i32.add"], ...i32(np * E), OP["i32.mul"], OP["i32.add"], ...get(j), ...i32(E), OP["i32.mul"], OP["i32.add"], ...get(x), ...SIMD["v128.store"], ...memarg(4, 16 * q)];
    }),
  ];
  const code = loop(i, mp, r, loop(j, np, v * (16 / E), blockCode));
  const locals: ValType[] = [I32, I32, I32, I32, I32, ...Array<ValType>(r * v + v + 1).fill(V128)];
  const sections = [
    section(SECTION.type, vec([funcType([I32, I32, I32], [])])),
    section(SECTION.function, vec([u32(0)])),
    section(SECTION.memory, vec([limits(pages, pages, false)])),
    section(SECTION.export, vec([[...name("kernel"), EXTERNAL.func, 0], [...name("memory"), EXTERNAL.memory, 0]])),
    section(SECTION.code, vec([body(locals, code)])),
  ];
  return module(sections);
}

interface Variant {
  readonly name: string;
  /** One product. */
  run(): void;
  /** The product's C, unpadded. */
  result(): Float64Array;
}

function variant(lanes: Lanes, r: number, v: number, shape: Shape, a: Float64Array, b: Float64Array): Variant {
  const [m, n, k] = shape;
  const E = lanes === "f32x4" ? 4 : 8;
  const width = v * (16 / E);
  const [mp, np] = [Math.ceil(m / r) * r, Math.ceil(n / width) * width];
  const bytes = (mp * k + k * np + mp * np) * E;
  const pages = Math.ceil((bytes + 64) / 65536);
  const instance = new WA.Instance(new WA.Module(kernelModule(lanes, r, v, mp, np, k, pages)), {});
  const memory = (instance.exports["memory"] as { buffer: ArrayBuffer }).buffer;
  const Arr = lanes === "f32x4" ? Float32Array : Float64Array;
  const [A, B, C] = [new Arr(memory, 0, mp * k), new Arr(memory, mp * k * E, k * np), new Arr(memory, (mp * k + k * np) * E, mp * np)];
  A.set(a);
  // Bᵀ packed: row t holds B's column t.
  for (let j = 0; j < n; j++) for (let t = 0; t < k; t++) B[t * np + j] = b[j * k + t]!;
  const kernel = instance.exports["kernel"] as (a: number, b: number, c: number) => void;
  const [pa, pb, pc] = [A.byteOffset, B.byteOffset, C.byteOffset];
  return {
    name: `${r}x${v}`,
    run: () => kernel(pa, pb, pc),
    result: () => Float64Array.from({ length: m * n }, (_, x) => C[Math.floor(x / n) * np + (x % n)]!),
  };
}

function randomMatrix(length: number, seed: number): Float64Array {
  let s = seed;
  return Float64Array.from({ length }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (2 * s) / 2147483648 - 1;
  });
}

function naive(a: Float64Array, b: Float64Array, [m, n, k]: Shape): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let t = 0; t < k; t++) c[i * n + j]! += a[i * k + t]! * b[j * k + t]!;
  return c;
}

/** GFLOP/s: repetitions enough for `ms` a timing, warmed up, the median (or fastest) of `timings`. */
function rate(v: Variant, [m, n, k]: Shape, ms: number, timings: number, pick: "median" | "fastest"): number {
  let reps = 1;
  const time = (count: number) => {
    const start = performance.now();
    for (let x = 0; x < count; x++) v.run();
    return performance.now() - start;
  };
  let t = time(reps);
  while (t < ms / 8) t = time((reps *= 2));
  if (t < ms) reps = Math.ceil((reps * ms) / t);
  time(reps);
  const times = Array.from({ length: timings }, () => time(reps)).sort((x, y) => x - y);
  const counted = times[pick === "median" ? Math.floor(timings / 2) : 0]!;
  return (2 * m * n * k * reps) / (counted * 1e6);
}

const quick = process.argv.includes("--quick");
const shapesArg = process.argv.slice(2).find((x) => x !== "--quick");
const shapes = JSON.parse(shapesArg ?? "[]") as Shape[];
if (!Array.isArray(shapes) || shapes.length === 0) {
  process.stderr.write("usage: npx tsx bench/ceiling-wasm.ts '[[M,N,K], ...]' [--quick]\n");
  process.exit(2);
}
const round = (x: number) => Number(x.toFixed(3));

function measure(lanes: Lanes) {
  const rows = new Map<string, { shape: Shape; gflops: number; kernel: string; otherLoad: number }>();
  for (const shape of shapes) {
    const key = shape.join("x");
    if (rows.has(key)) continue;
    const [a, b] = [randomMatrix(shape[0] * shape[2], 1), randomMatrix(shape[1] * shape[2], 2)];
    const want = naive(a, b, shape);
    const variants = BLOCKS.filter(([r, v]) => !quick || QUICK.has(`${r}x${v}`)).map(([r, v]) => variant(lanes, r, v, shape, a, b));
    for (const v of variants) {
      v.run();
      const got = v.result();
      const tol = (lanes === "f32x4" ? 1e-4 : 1e-12) * shape[2];
      if (!got.every((x, i) => Math.abs(x - want[i]!) <= tol)) throw new Error(`${lanes} ${v.name} on ${key}: wrong product`);
    }
    const screened = variants.map((v) => ({ v, g: rate(v, shape, quick ? 1 : 2, 3, "fastest") })).sort((x, y) => y.g - x.g);
    const load = loadMeter();
    const finals = screened.slice(0, quick ? 1 : 2).map(({ v }) => ({ v, g: rate(v, shape, quick ? 4 : 20, 5, "median") }));
    const otherLoad = load();
    const best = finals.reduce((x, y) => (y.g > x.g ? y : x));
    rows.set(key, { shape, gflops: round(best.g), kernel: best.v.name, otherLoad: round(otherLoad) });
    process.stderr.write(`${lanes} ${key.padEnd(12)} ${best.g.toFixed(2).padStart(6)} GFLOP/s ${best.v.name}  other load ${otherLoad.toFixed(2)}\n`);
  }
  const list = shapes.map((s) => rows.get(s.join("x"))!);
  return {
    method: `C = A·Bᵀ, ${lanes}, B packed as Bᵀ (not timed), ${quick ? QUICK.size : BLOCKS.length} register blocks (R rows × V vectors of C) screened, the best timed: median of 5 timings of ≥ ${quick ? 4 : 20} ms`,
    shapes: list,
    best: Math.max(...list.map((r) => r.gflops)),
  };
}

process.stdout.write(`${JSON.stringify({ node: process.version, cpu: cpus()[0]?.model ?? "unknown", quick, f32: measure("f32x4"), f64: measure("f64x2") })}\n`);
