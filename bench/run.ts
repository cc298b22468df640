// `npm run bench [-- --quick] [-- --only=W3,W4] [-- --peers=generated,hand]
// [-- --skip=ceiling,extras] [-- --results=DIR] [-- --readme]`: the whole
// benchmark in one run. For each workload it writes the data and the initial
// weights once (bench/.cache/), runs every peer in a process of its own on
// them, then measures the JS and wasm SIMD matmul ceilings and the compiler's own numbers
// (bench/extras.ts), writes everything as JSON to bench/results/, prints the
// tables, and with --readme puts them into README.md.
//
// `npm run bench -- --only=sympy [--readme]` compares the size of printed
// derivatives with SymPy's (bench/sympy-size.ts: a few seconds; needs python3
// with sympy) and with --readme refreshes its block of README.md.
//
// `npm run bench -- --only=compile [--quick] [--readme]` measures compile time
// alone (bench/extras.ts --only=compile: a few minutes), prints its tables and
// with --readme refreshes just their block of README.md.
//
// Only ratios taken in one run are compared: the machine is shared, so each
// timed segment records how busy the other processes kept it.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { writeFileAtomically } from "../src/runtime/files.js";
import { compiledModel } from "./models/compiled.js";
import type { DataHeader, Job, PeerResult } from "./protocol.js";
import { paramNames } from "./protocol.js";
import { putCompileIntoReadme, putIntoReadme, putSympyIntoReadme, render, renderCompile, renderSympy, type Extras, type PeerOutcome, type Results, type WorkloadResult } from "./report.js";
import { measureSympySize } from "./sympy-size.js";
import { prepared, workloads, type Workload } from "./workloads.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3).split(",");
const only = option("only");
const onlyPeers = option("peers");
const skip = option("skip") ?? [];
const resultsDir = option("results")?.[0] ?? "bench/results";
const SEED = 1;
const cache = "bench/.cache";
mkdirSync(cache, { recursive: true });

interface Peer {
  readonly name: string;
  readonly command: (job: string) => [string, string[]];
  /** The generated peer's precision for this peer's job. */
  readonly precision?: "f32";
}

const tsx = (file: string, ...rest: string[]) => (job: string): [string, string[]] => [process.execPath, ["--import", "tsx", file, job, ...rest]];
const python = findTorch();
// --quick leaves out the second precision of the generated trainer and of PyTorch.
const peers: Peer[] = [
  { name: "generated f64", command: tsx("bench/peers/generated.ts") },
  ...(quick ? [] : [{ name: "generated f32", command: tsx("bench/peers/generated.ts"), precision: "f32" } as const]),
  { name: "generated wasm f64", command: tsx("bench/peers/generated.ts", "wasm") },
  ...(quick ? [] : [{ name: "generated wasm f32", command: tsx("bench/peers/generated.ts", "wasm"), precision: "f32" } as const]),
  // Node 20 has relaxed SIMD behind a flag (newer Node and Chrome by default): the module then takes its fused kernels.
  ...(quick ? [] : [{ name: "generated wasm f32 relaxed", command: (job: string): [string, string[]] => [process.execPath, ["--experimental-wasm-relaxed-simd", "--import", "tsx", "bench/peers/generated.ts", job, "wasm"]], precision: "f32" } as const]),
  { name: "hand-written (a)", command: tsx("bench/peers/handwritten-a.ts") },
  { name: "hand-written (b)", command: tsx("bench/peers/handwritten-b.ts") },
  { name: "TensorFlow.js cpu", command: tsx("bench/peers/tfjs.ts", "cpu") },
  { name: "TensorFlow.js wasm", command: tsx("bench/peers/tfjs.ts", "wasm") },
  ...(python === undefined
    ? []
    : (quick ? (["f32"] as const) : (["f32", "f64"] as const)).map((p): Peer => ({ name: `PyTorch ${p}`, command: (job) => [python, ["bench/peers/torch_peer.py", job, p]] }))),
];

/** A python3 that imports torch: the one on PATH, else Debian's (`apt-get install python3-torch`). */
function findTorch(): string | undefined {
  for (const candidate of ["python3", "/usr/bin/python3"]) {
    const r = spawnSync(candidate, ["-c", "import torch"], { stdio: "ignore" });
    if (r.status === 0) return candidate;
  }
  return undefined;
}

function stepsOf(w: Workload, nTrain: number): number {
  const plan = quick ? w.quick : w;
  return plan.steps ?? Math.ceil(nTrain / w.batch) * plan.epochs!;
}

/** The data (shuffled once) and the generated module's initial weights, written for every peer. */
async function writeInputs(w: Workload): Promise<{ data: string; init: string; header: DataHeader }> {
  const { train, test, source } = prepared(w, SEED, quick);
  const [inputs, outputs] = [w.sizes[0]!, w.sizes.at(-1)!];
  const header: DataHeader = { nTrain: train.n, nTest: test.n, inputs, outputs, source };
  const data = `${cache}/${w.id}`;
  const parts = [train.values.get("x")!, train.values.get("y")!, test.values.get("x")!, test.values.get("y")!];
  writeFileSync(`${data}.f64`, Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
  writeFileSync(`${data}.json`, JSON.stringify(header));
  const params = (await compiledModel(w.model, "f64")).init(SEED);
  const init = `${cache}/${w.id}.init.json`;
  writeFileSync(init, JSON.stringify(Object.fromEntries(paramNames(w.sizes).map((k) => [k, Array.from(params[k]!)]))));
  return { data, init, header };
}

function runPeer(peer: Peer, job: Job): PeerOutcome {
  const path = `${cache}/${job.workload}.${peer.name.replace(/\W+/g, "-")}.job.json`;
  writeFileSync(path, JSON.stringify(peer.precision === undefined ? job : { ...job, precision: peer.precision }));
  const [command, argv] = peer.command(path);
  const r = spawnSync(command, argv, { encoding: "utf8", maxBuffer: 1 << 26, timeout: 20 * 60_000 });
  const line = r.stdout?.trim().split("\n").at(-1) ?? "";
  try {
    return { ...(JSON.parse(line) as PeerResult), peer: peer.name };
  } catch {
    const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split("\n").slice(-3).join(" ");
    return { peer: peer.name, error: why };
  }
}

/** One peer's rounds as one result: all their segments; the first round's accuracy and gradient check (every round trains the same steps). */
function merged(before: PeerOutcome | undefined, r: PeerOutcome): PeerOutcome {
  if (before === undefined || "error" in before) return r;
  if ("error" in r) return before;
  const note = r.accuracy === before.accuracy ? before.note : `${before.note === undefined ? "" : `${before.note}; `}rounds reached different accuracies (${before.accuracy}, ${r.accuracy})`;
  return { ...before, segments: [...before.segments, ...r.segments], ...(note === undefined ? {} : { note }) };
}

function child(file: string, ...rest: string[]): unknown {
  try {
    return JSON.parse(execFileSync(process.execPath, ["--import", "tsx", file, ...rest], { encoding: "utf8", maxBuffer: 1 << 26 }));
  } catch (e) {
    process.stderr.write(`${file} failed: ${(e as Error).message.split("\n").slice(-3).join(" ")}\n`);
    return undefined;
  }
}

function version(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(`node_modules/${pkg}/package.json`, "utf8")) as { version: string }).version;
  } catch {
    return "absent";
  }
}

if (only?.includes("sympy")) {
  const r = measureSympySize();
  mkdirSync(resultsDir, { recursive: true });
  const date = new Date().toISOString().slice(0, 10);
  const file = `${resultsDir}/${date}-sympy.json`;
  writeFileAtomically(file, `${JSON.stringify(r, null, 1)}\n`);
  const lines = renderSympy(r, date);
  console.log(lines.join("\n"));
  console.log(`\nresults: ${file}`);
  if (args.includes("--readme")) putSympyIntoReadme(lines);
  process.exit(0);
}

if (only?.includes("compile")) {
  const e = child("bench/extras.ts", "--only=compile", ...(quick ? ["--quick"] : [])) as Pick<Extras, "compile" | "compileScaling"> | undefined;
  if (e === undefined) process.exit(1);
  mkdirSync(resultsDir, { recursive: true });
  const file = `${resultsDir}/${new Date().toISOString().slice(0, 10)}-compile${quick ? "-quick" : ""}.json`;
  writeFileAtomically(file, `${JSON.stringify(e, null, 1)}\n`);
  console.log(renderCompile(e).join("\n"));
  console.log(`\nresults: ${file}`);
  if (args.includes("--readme")) putCompileIntoReadme(e);
  process.exit(0);
}

const started = Date.now();
const chosen = workloads.filter((w) => only === undefined || only.includes(w.id));
const results: WorkloadResult[] = [];
for (const w of chosen) {
  const { data, init, header } = await writeInputs(w);
  const steps = stepsOf(w, header.nTrain);
  const job: Job = { workload: w.id, sizes: w.sizes, hidden: w.hidden, loss: w.loss, optimizer: w.optimizer, batch: w.batch, steps, warmup: Math.max(1, Math.round(steps / 10)), warmupSeconds: quick ? 0.1 : 1, minSegmentSeconds: quick ? 0.02 : 0.2, segments: 5, model: w.model, data, init, precision: "f64" };
  // Peers take turns, w.rounds times, each time in a fresh process: what the
  // machine's noise and the JIT's luck do to one process is shared out.
  const chosenPeers = peers.filter((p) => onlyPeers === undefined || onlyPeers.some((name) => p.name.includes(name)));
  const peerResults: PeerOutcome[] = [];
  const rounds = quick ? 1 : w.rounds;
  for (let round = 1; round <= rounds; round++) {
    chosenPeers.forEach((peer, k) => {
      process.stderr.write(`${w.id} ${peer.name} (${round}/${rounds})… `);
      const started = Date.now();
      const r = runPeer(peer, job);
      process.stderr.write("error" in r ? `failed: ${r.error}\n` : `done (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
      peerResults[k] = merged(peerResults[k], r);
    });
  }
  results.push({ id: w.id, title: w.title, sizes: w.sizes, batch: w.batch, steps, source: header.source, peers: peerResults });
}

const shapes = chosen.flatMap((w) => w.sizes.slice(1).flatMap((out, l) => {
  const inp = w.sizes[l]!;
  return [[w.batch, out, inp], [out, inp, w.batch], [w.batch, inp, out]];
}));
const measured = (what: string, name: string, run: () => unknown): unknown => {
  if (skip.includes(name)) return undefined;
  process.stderr.write(`${what}… `);
  const r = run();
  process.stderr.write("done\n");
  return r;
};
const ceiling = measured("the JS matmul ceiling", "ceiling", () => child("bench/ceiling.ts", JSON.stringify(shapes), ...(quick ? ["--quick"] : [])));
const wasmCeiling = measured("the wasm SIMD matmul ceiling", "ceiling", () => child("bench/ceiling-wasm.ts", JSON.stringify(shapes), ...(quick ? ["--quick"] : [])));
const extras = measured("the compiler's own numbers", "extras", () => child("bench/extras.ts", ...(quick ? ["--quick"] : [])));

const output: Results = {
  date: new Date().toISOString(),
  quick,
  seconds: Math.round((Date.now() - started) / 1000),
  machine: { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform} ${process.arch}` },
  versions: { nndc: version("."), typescript: version("typescript"), "@tensorflow/tfjs": version("@tensorflow/tfjs"), "@tensorflow/tfjs-backend-wasm": version("@tensorflow/tfjs-backend-wasm"), torch: python === undefined ? "absent (no python3 with torch; on Debian: apt-get install python3-torch)" : execFileSync(python, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8" }).trim() },
  workloads: results,
  ceiling,
  wasmCeiling,
  extras,
} as Results;
mkdirSync(resultsDir, { recursive: true });
const file = `${resultsDir}/${output.date.slice(0, 10)}${quick ? "-quick" : ""}.json`;
writeFileAtomically(file, `${JSON.stringify(output, null, 1)}\n`);
const markdown = render(output);
console.log(markdown);
console.log(`\nresults: ${file} (${output.seconds} s)`);
if (args.includes("--readme")) putIntoReadme(markdown);
