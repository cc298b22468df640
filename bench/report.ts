// Turns one run's results (bench/results/*.json) into the README's tables.
// `npx tsx bench/report.ts bench/results/FILE.json [--readme]` prints them
// again (and puts them into README.md).

import type { SympySize } from "./sympy-size.js";
import { readFileSync } from "node:fs";
import { writeFileAtomically } from "../src/runtime/files.js";
import type { PeerResult } from "./protocol.js";

export type PeerOutcome = PeerResult | { readonly peer: string; readonly error: string };

export interface WorkloadResult {
  readonly id: string;
  readonly title: string;
  readonly sizes: readonly number[];
  readonly batch: number;
  readonly steps: number;
  readonly source: string;
  readonly peers: readonly PeerOutcome[];
}

export interface CeilingResult {
  readonly method: string;
  readonly shapes: readonly { readonly shape: readonly [number, number, number]; readonly gflops: number; readonly kernel: string; readonly otherLoad: number }[];
  readonly best: number;
}

export interface ScalingRow {
  readonly family: "example" | "network" | "logistic map";
  readonly model: string;
  /** The logistic map's n; the parameter entries otherwise. */
  readonly size: number;
  readonly params: number;
  readonly hessian: boolean;
  readonly kib: number;
  readonly medianMs: number;
  readonly cpuMs: number;
}

export interface Extras {
  readonly compile: readonly { readonly file: string; readonly decls: number; readonly kib: number; readonly runs: number; readonly medianMs: number; readonly msPerDecl: number }[];
  /** Absent in results from before it was measured. */
  readonly compileScaling?: readonly ScalingRow[];
  readonly logisticMap: readonly { readonly n: number; readonly nodes: number; readonly sympy: number | null }[];
  readonly heap: { readonly model: string; readonly batch: number; readonly steps: number; readonly before: number; readonly after: number; readonly growth: number; readonly usPerStep: number };
  readonly flopRatio: readonly { readonly file: string; readonly kind: "model" | "fn"; readonly name: string; readonly forward: number; readonly backward: number; readonly ratio: number | null }[];
}

export interface Results {
  readonly date: string;
  readonly quick: boolean;
  readonly seconds: number;
  readonly machine: { readonly cpu: string; readonly cores: number; readonly memoryGiB: number; readonly node: string; readonly platform: string };
  readonly versions: Readonly<Record<string, string>>;
  readonly workloads: readonly WorkloadResult[];
  readonly ceiling?: CeilingResult;
  /** The wasm SIMD ceiling (bench/ceiling-wasm.ts), f32x4 and f64x2. */
  readonly wasmCeiling?: { readonly f32: CeilingResult; readonly f64: CeilingResult };
  readonly extras?: Extras;
}

export interface Summary {
  /** µs per step: median, min, max over the timed segments. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly examplesPerSecond: number;
  readonly otherLoad: number;
  readonly accuracy: number;
  readonly gradcheck?: number;
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export function summarise(r: PeerOutcome): Summary | undefined {
  if ("error" in r) return undefined;
  const perStep = r.segments.map((s) => (s.seconds / s.steps) * 1e6);
  const perExample = r.segments.map((s) => s.examples / s.seconds);
  return { median: median(perStep), min: Math.min(...perStep), max: Math.max(...perStep), examplesPerSecond: median(perExample), otherLoad: Math.max(...r.segments.map((s) => s.otherLoad)), accuracy: r.accuracy, ...(r.gradcheck === undefined ? {} : { gradcheck: r.gradcheck }) };
}

/** Nominal training flops per example: 3 × the forward pass's 2 · in · out per layer. */
export const nominalFlops = (sizes: readonly number[]) => 6 * sizes.slice(1).reduce((sum, out, l) => sum + out * sizes[l]!, 0);

const us = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const times = (v: number) => `${v >= 10 ? v.toFixed(0) : v.toFixed(2)}×`;
const row = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
const table = (head: readonly string[], rows: readonly (readonly string[])[]) => [row(head), row(head.map(() => "---")), ...rows.map(row)].join("\n");

function peerNames(results: Results): string[] {
  return [...new Set(results.workloads.flatMap((w) => w.peers.map((p) => p.peer)))];
}

function cell(w: WorkloadResult, peer: string, show: (s: Summary) => string): string {
  const r = w.peers.find((p) => p.peer === peer);
  if (r === undefined) return "–";
  const s = summarise(r);
  return s === undefined ? "failed" : show(s);
}

/** How many times more time per example `peer` takes than `ours` (the generated f64 trainer unless told). */
export function ratio(w: WorkloadResult, peer: string, ours = "generated f64"): number | undefined {
  const find = (name: string) => {
    const r = w.peers.find((p) => p.peer === name);
    return r === undefined ? undefined : summarise(r);
  };
  const [a, b] = [find(ours), find(peer)];
  return a === undefined || b === undefined ? undefined : a.examplesPerSecond / b.examplesPerSecond;
}

function fasterHand(w: WorkloadResult): number | undefined {
  const rs = ["hand-written (a)", "hand-written (b)"].map((p) => ratio(w, p)).filter((r): r is number => r !== undefined);
  return rs.length === 0 ? undefined : Math.min(...rs);
}

interface Target {
  readonly what: string;
  readonly workloads: readonly string[];
  readonly measure: (w: WorkloadResult, results: Results) => number | undefined;
  readonly atLeast: number;
}

const targets: readonly Target[] = [
  { what: "generated f64 vs the faster hand-written trainer", workloads: ["W3", "W4", "W5"], measure: fasterHand, atLeast: 1.5 },
  { what: "generated f64 vs the faster hand-written trainer", workloads: ["W1", "W2"], measure: fasterHand, atLeast: 1.3 },
  { what: "generated f64 vs TensorFlow.js cpu", workloads: ["W1", "W2"], measure: (w) => ratio(w, "TensorFlow.js cpu"), atLeast: 30 },
  { what: "generated f64 vs TensorFlow.js wasm", workloads: ["W1", "W2"], measure: (w) => ratio(w, "TensorFlow.js wasm"), atLeast: 30 },
  { what: "generated f64 vs TensorFlow.js cpu", workloads: ["W3", "W4", "W5"], measure: (w) => ratio(w, "TensorFlow.js cpu"), atLeast: 3 },
  { what: "generated f64 vs TensorFlow.js wasm (reported)", workloads: ["W3", "W4", "W5"], measure: (w) => ratio(w, "TensorFlow.js wasm"), atLeast: 0 },
  { what: "generated f64 vs PyTorch f32, one thread (reported)", workloads: ["W1", "W2", "W3", "W4", "W5"], measure: (w) => ratio(w, "PyTorch f32"), atLeast: 0 },
  // The WebAssembly target's bars.
  { what: "wasm f32, share of the wasm f32x4 ceiling (nominal)", workloads: ["W4", "W5"], measure: (w, r) => share(w, r, "generated wasm f32", "f32"), atLeast: 0.5 },
  { what: "wasm f32 relaxed SIMD, share of the wasm f32x4 ceiling (reported)", workloads: ["W4", "W5"], measure: (w, r) => share(w, r, "generated wasm f32 relaxed", "f32"), atLeast: 0 },
  { what: "wasm f64, share of the wasm f64x2 ceiling (reported)", workloads: ["W4", "W5"], measure: (w, r) => share(w, r, "generated wasm f64", "f64"), atLeast: 0 },
  { what: "wasm f64 vs the TypeScript target f64", workloads: ["W4", "W5"], measure: (w) => ratio(w, "generated f64", "generated wasm f64"), atLeast: 2 },
  { what: "wasm f32 vs the TypeScript target f32", workloads: ["W3"], measure: (w) => ratio(w, "generated f32", "generated wasm f32"), atLeast: 2 },
  { what: "wasm f64 vs the TypeScript target f64", workloads: ["W1", "W2"], measure: (w) => ratio(w, "generated f64", "generated wasm f64"), atLeast: 1 },
  { what: "wasm f32 vs TensorFlow.js wasm", workloads: ["W4", "W5"], measure: (w) => ratio(w, "TensorFlow.js wasm", "generated wasm f32"), atLeast: 4 },
  { what: "wasm f32 vs PyTorch f32, one thread", workloads: ["W4", "W5"], measure: (w) => ratio(w, "PyTorch f32", "generated wasm f32"), atLeast: 3 },
  { what: "wasm f32 relaxed SIMD vs PyTorch f32, one thread (reported)", workloads: ["W4", "W5"], measure: (w) => ratio(w, "PyTorch f32", "generated wasm f32 relaxed"), atLeast: 0 },
];

/** A peer's nominal GFLOP/s on w. */
function rateOf(w: WorkloadResult, peer: string): number | undefined {
  const r = w.peers.find((x) => x.peer === peer);
  const s = r === undefined ? undefined : summarise(r);
  return s === undefined ? undefined : (s.examplesPerSecond * nominalFlops(w.sizes)) / 1e9;
}

/** A peer's nominal rate over the wasm SIMD ceiling on w's shapes. */
function share(w: WorkloadResult, results: Results, peer: string, lanes: "f32" | "f64"): number | undefined {
  const rate = rateOf(w, peer);
  const ceil = ceilingOf(w, results.wasmCeiling?.[lanes]);
  return rate === undefined || ceil === undefined ? undefined : rate / ceil;
}

/** The ceiling for a workload: its three products per layer at the best kernel's speed, as one rate. */
export function ceilingOf(w: WorkloadResult, c: CeilingResult | undefined): number | undefined {
  if (c === undefined) return undefined;
  let flops = 0;
  let seconds = 0;
  for (const [l, out] of w.sizes.slice(1).entries()) {
    const inp = w.sizes[l]!;
    for (const shape of [[w.batch, out, inp], [out, inp, w.batch], [w.batch, inp, out]]) {
      const found = c.shapes.find((s) => s.shape.every((d, i) => d === shape[i]));
      if (found === undefined) return undefined;
      const f = 2 * shape[0]! * shape[1]! * shape[2]!;
      flops += f;
      seconds += f / (found.gflops * 1e9);
    }
  }
  return flops / seconds / 1e9;
}

export function render(results: Results): string {
  const peers = peerNames(results);
  const ws = results.workloads;
  const m = results.machine;
  const v = results.versions;
  const out: string[] = [];
  out.push(`${results.quick ? "A --quick run" : "One run"} of \`npm run bench\` on ${results.date.slice(0, 10)}: ${m.cpu}, ${m.cores} cores, Node ${m.node}; TypeScript ${v["typescript"]}, TensorFlow.js ${v["@tensorflow/tfjs"]}, PyTorch ${v["torch"]}; ${results.seconds} s in all.`);
  out.push("");
  out.push("µs per training step (gradient and optimizer update), median of the timed segments [min–max]:");
  out.push("");
  out.push(table(["workload", ...peers, "busiest other load"], ws.map((w) => [`${w.id} ${w.title}`, ...peers.map((p) => cell(w, p, (s) => `${us(s.median)} [${us(s.min)}–${us(s.max)}]`)), `${Math.round(100 * Math.max(0, ...w.peers.map((p) => summarise(p)?.otherLoad ?? 0)))} %`])));
  out.push("");
  out.push("Time per example relative to the generated f64 trainer (2× = takes twice as long), and the accuracy each reached on the test rows (W1: the four points):");
  out.push("");
  out.push(table(["workload", ...peers], ws.map((w) => [w.id, ...peers.map((p) => cell(w, p, (s) => `${times(ratio(w, p) ?? NaN)}, ${(100 * s.accuracy).toFixed(1)} %`))])));
  out.push("");
  out.push(table(["target", "workload", "measured", "bar", "met"], targets.flatMap((t) => t.workloads.flatMap((id) => {
    const w = ws.find((x) => x.id === id);
    if (w === undefined) return [];
    const got = t.measure(w, results);
    return [[t.what, id, got === undefined ? "–" : times(got), t.atLeast > 0 ? `≥ ${t.atLeast}×` : "–", t.atLeast === 0 ? "" : got !== undefined && got >= t.atLeast ? "yes" : "**no**"]];
  }))));
  out.push("");
  out.push(table(["workload", "nominal GFLOP/s, generated f64", "the faster hand-written", "JS matmul ceiling on its shapes", "generated / ceiling", "gradient check (max rel. diff, f64 peers)"], ws.map((w) => {
    const rate = (p: string) => {
      const r = w.peers.find((x) => x.peer === p);
      const s = r === undefined ? undefined : summarise(r);
      return s === undefined ? undefined : (s.examplesPerSecond * nominalFlops(w.sizes)) / 1e9;
    };
    const gen = rate("generated f64");
    const hand = Math.max(rate("hand-written (a)") ?? 0, rate("hand-written (b)") ?? 0);
    const ceil = ceilingOf(w, results.ceiling);
    const checks = w.peers.map((p) => summarise(p)?.gradcheck).filter((g): g is number => g !== undefined);
    return [w.id, gen?.toFixed(2) ?? "–", hand.toFixed(2), ceil?.toFixed(2) ?? "–", gen !== undefined && ceil !== undefined ? `${Math.round((100 * gen) / ceil)} %` : "–", checks.length === 0 ? "–" : Math.max(...checks).toExponential(1)];
  })));
  if (results.wasmCeiling !== undefined) {
    const c = results.wasmCeiling;
    out.push("", `The WebAssembly target against the wasm SIMD ceiling on its shapes (bench/ceiling-wasm.ts: ${c.f32.method.replace("f32x4, ", "")}), nominal GFLOP/s:`, "");
    const cellOf = (w: WorkloadResult, peer: string, lanes: "f32" | "f64") => {
      const [rate, ceil] = [rateOf(w, peer), ceilingOf(w, c[lanes])];
      return [rate?.toFixed(2) ?? "–", ceil?.toFixed(2) ?? "–", rate !== undefined && ceil !== undefined ? `${Math.round((100 * rate) / ceil)} %` : "–"];
    };
    out.push(table(["workload", "wasm f64", "f64x2 ceiling", "share", "wasm f32", "wasm f32 relaxed", "f32x4 ceiling", "share (plain)"], ws.map((w) => {
      const [f64, f64c, f64s] = cellOf(w, "generated wasm f64", "f64");
      const [f32, f32c, f32s] = cellOf(w, "generated wasm f32", "f32");
      return [w.id, f64!, f64c!, f64s!, f32!, rateOf(w, "generated wasm f32 relaxed")?.toFixed(2) ?? "–", f32c!, f32s!];
    })));
  }
  out.push(...renderExtras(results));
  return out.join("\n");
}

/** The measurements beside the race: the ceiling per shape, compile times, swell, heap, flop ratios. */
function renderExtras(results: Results): string[] {
  const out: string[] = [];
  const c = results.ceiling;
  if (c !== undefined) {
    out.push("", `The JS matmul ceiling (bench/ceiling.ts: ${c.method}), per product shape M×N×K of the workloads:`, "");
    const unique = [...new Map(c.shapes.map((r) => [r.shape.join("×"), r])).values()];
    out.push(table(["M×N×K", "GFLOP/s", "kernel", "other load"], unique.map((r) => [r.shape.join("×"), r.gflops.toFixed(2), r.kernel, `${Math.round(100 * r.otherLoad)} %`])));
  }
  const e = results.extras;
  if (e === undefined) return out;
  out.push(COMPILE_BEGIN, ...renderCompile(e), COMPILE_END);
  out.push("", "Nodes in the derivative of the n-times iterated logistic map l ← 4 l (1 − l), beside SymPy's naive derivative (operations, n = 1…6):", "");
  out.push(table(["n", ...e.logisticMap.map((r) => String(r.n))], [["nndc", ...e.logisticMap.map((r) => String(r.nodes))], ["SymPy", ...e.logisticMap.map((r) => (r.sympy === null ? "" : String(r.sympy)))]]));
  const h = e.heap;
  out.push("", `Heap over ${h.steps.toLocaleString("en")} training steps of the generated ${h.model} trainer (batch ${h.batch}), after a full collection each time: ${h.before} → ${h.after} bytes, growth ${h.growth} bytes (${h.usPerStep} µs a step).`);
  out.push("", "Backward / forward flops of every example:", "");
  out.push(table(["file", "model or fn", "forward", "backward", "ratio"], e.flopRatio.map((r) => [r.file, `${r.kind} ${r.name}`, String(r.forward), String(r.backward), r.ratio === null ? "–" : String(r.ratio)])));
  return out;
}

/** The compile-time tables sit in a block of their own, which `npm run bench -- --only=compile --readme` refreshes alone. */
const COMPILE_BEGIN = "<!-- bench:compile:begin -->";
const COMPILE_END = "<!-- bench:compile:end -->";

/** Compile time of the examples and random fns, and as models grow (with and without --hessian). */
export function renderCompile(e: Pick<Extras, "compile" | "compileScaling">): string[] {
  const out: string[] = [];
  out.push("", "Compile time (check, differentiate, simplify, lower, emit, print), median:", "");
  out.push(table(["file", "declarations", "KiB", "ms", "ms per declaration"], e.compile.map((r) => [r.file, String(r.decls), String(r.kib), String(r.medianMs), String(r.msPerDecl)])));
  const rows = e.compileScaling;
  if (rows === undefined) return out;
  const find = (model: string, hessian: boolean) => rows.find((r) => r.model === model && r.hessian === hessian);
  const cells = (r: ScalingRow | undefined) => (r === undefined ? ["–", "–", "–"] : [String(r.medianMs), String(r.cpuMs), String(r.kib)]);
  const models = [...new Set(rows.filter((r) => r.family !== "logistic map").map((r) => r.model))];
  out.push("", "Compile time as models grow, warm (after one untimed compile), median; wall and CPU ms and the generated code's KiB, without and with `--hessian` (given to models of at most 1024 parameter entries):", "");
  out.push(table(["model", "parameters", "ms", "CPU ms", "KiB", "ms --hessian", "CPU ms", "KiB"], models.map((m) => [m, String(find(m, false)!.params), ...cells(find(m, false)), ...cells(find(m, true))])));
  const map = rows.filter((r) => r.family === "logistic map");
  if (map.length > 0) {
    const ns = [...new Set(map.map((r) => r.size))];
    const line = (label: string, hessian: boolean, value: (r: ScalingRow) => number) => [label, ...ns.map((n) => {
      const r = map.find((x) => x.size === n && x.hessian === hessian);
      return r === undefined ? "–" : String(value(r));
    })];
    out.push("", "The logistic map iterated n times as a one-parameter model (m ← 4 m (1 − m), loss = mₙ), warm compile:", "");
    out.push(table(["n", ...ns.map(String)], [
      line("ms", false, (r) => r.medianMs),
      line("CPU ms", false, (r) => r.cpuMs),
      line("KiB", false, (r) => r.kib),
      line("ms --hessian", true, (r) => r.medianMs),
      line("CPU ms --hessian", true, (r) => r.cpuMs),
      line("KiB --hessian", true, (r) => r.kib),
    ]));
  }
  return out;
}

/** Replaces the block of the compile-time tables in README.md with these. */
export function putCompileIntoReadme(e: Pick<Extras, "compile" | "compileScaling">, file = "README.md"): void {
  const readme = readFileSync(file, "utf8");
  const at = readme.indexOf(COMPILE_BEGIN);
  const to = readme.indexOf(COMPILE_END);
  if (at < 0 || to < at) throw new Error(`${file} has no ${COMPILE_BEGIN} … ${COMPILE_END} block (run the whole benchmark with --readme once)`);
  writeFileAtomically(file, `${readme.slice(0, at + COMPILE_BEGIN.length)}\n${renderCompile(e).join("\n")}\n${readme.slice(to)}`);
}

/** The printed-size comparison with SymPy sits in a block of its own, refreshed by `npm run bench -- --only=sympy --readme`. */
const SYMPY_BEGIN = "<!-- bench:sympy:begin -->";
const SYMPY_END = "<!-- bench:sympy:end -->";

/** The tokens of nndc's printed derivatives beside SymPy's simplify(diff(e, x)), a summary and every expression. */
export function renderSympy(r: SympySize | string, date: string): string[] {
  if (typeof r === "string") return ["", `Printed size beside SymPy: ${r}.`];
  const rows = [...r.rows].sort((a, b) => (b.ratio ?? 0) - (a.ratio ?? 0));
  return [
    "",
    `Printed size of derivatives beside SymPy ${r.sympyVersion}'s \`simplify(diff(e, x))\`, over ${r.rows.length} random expressions of x that are not affine (one run, ${date}; tokens are the lexemes a reader reads: names, numbers, operators, brackets, an exponent; \`2 x\` is two, \`2*x\` three): **median ratio ${r.median}**, largest ${r.max}, ${r.above2} above 2×.`,
    "",
    "<details><summary>Every expression, longest ratio first</summary>",
    "",
    table(["expression", "nndc tokens", "SymPy tokens", "ratio"], rows.map((x) => [`\`${x.expression}\``, String(x.nndc), x.sympy === null ? "timed out" : String(x.sympy), x.ratio === null ? "–" : String(x.ratio)])),
    "",
    "</details>",
  ];
}

export function putSympyIntoReadme(lines: readonly string[], file = "README.md"): void {
  const readme = readFileSync(file, "utf8");
  const at = readme.indexOf(SYMPY_BEGIN);
  const to = readme.indexOf(SYMPY_END);
  if (at < 0 || to < at) throw new Error(`${file} has no ${SYMPY_BEGIN} … ${SYMPY_END} block`);
  writeFileAtomically(file, `${readme.slice(0, at + SYMPY_BEGIN.length)}\n${lines.join("\n")}\n${readme.slice(to)}`);
}

/** Replaces the README's block between `<!-- bench:begin -->` and `<!-- bench:end -->` with `markdown`. */
export function putIntoReadme(markdown: string, file = "README.md"): void {
  const readme = readFileSync(file, "utf8");
  const [begin, end] = ["<!-- bench:begin -->", "<!-- bench:end -->"];
  const at = readme.indexOf(begin);
  const to = readme.indexOf(end);
  if (at < 0 || to < at) throw new Error(`${file} has no ${begin} … ${end} block`);
  writeFileAtomically(file, `${readme.slice(0, at + begin.length)}\n${markdown}\n${readme.slice(to)}`);
}

// `npx tsx bench/report.ts bench/results/FILE.json [--readme]`
if (process.argv[1]?.endsWith("report.ts")) {
  const file = process.argv[2];
  if (file === undefined) throw new Error("usage: tsx bench/report.ts bench/results/FILE.json [--readme]");
  const markdown = render(JSON.parse(readFileSync(file, "utf8")) as Results);
  console.log(markdown);
  if (process.argv.includes("--readme")) putIntoReadme(markdown);
}
