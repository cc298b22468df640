// The package as a user gets it: `npm pack`, installed into a new project
// whose tsconfig turns on every strict option, a model compiled there with the
// package's own `nndc`, and a program that trains it with nndc/runtime. The
// program must type-check with no error and train, predict and load weights
// correctly.
//
// Offline: npm's cache holds the dependencies' tarballs (by integrity) but
// not the registry's metadata, so versions cannot be resolved without the
// network. The consumer gets a lockfile instead: the package's own lockfile,
// production dependencies only (the versions a user would get), plus
// @types/node, and `npm ci --offline` installs from the cache.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STRICTEST } from "./support/strict.js";

const ROOT = resolve(import.meta.dirname, "..");

function run(command: string, args: readonly string[], cwd: string) {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", npm_config_update_notifier: "false" } });
  return { status: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

/** The strictest options a project may set, with Node's ES module resolution. */
const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "nodenext",
    moduleResolution: "nodenext",
    lib: ["ES2023"],
    types: ["node"],
    ...STRICTEST,
    outDir: "out",
    rootDir: ".",
  },
  include: ["*.ts"],
};

// Not one of the examples: a name with an underscore, six hidden units.
const MODEL = `dim H = 6

model parity_gate {
  input  x: [2]
  target y: []
  param W: [H, 2] ~ xavier
  param b: [H] ~ zeros
  param v: [H] ~ normal(0, 0.5)
  param c: [] ~ zeros
  h = tanh(W @ x + b)
  p = sigmoid(v @ h + c)
  output p
  loss = bce(p, y)
}
`;

const DATA = "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n";

// A user's program: a built-in optimizer with a schedule and clipping, the
// README's hand-written optimizer, weights written by `nndc train`, and
// forward on inputs alone.
const PROGRAM = `import { parity_gate, type ParityGateInputs, type ParityGateParams } from "./parity.js";
import { adam, clipByGlobalNorm, cosine, globalNorm, loadWeights, train, warmup } from "nndc/runtime";
import type { Dataset, Optimizer, Params } from "nndc/runtime";

const x = Float64Array.of(0, 0, 0, 1, 1, 0, 1, 1);
const y = Float64Array.of(0, 1, 1, 0);
const data: { train: Dataset } = { train: { n: 4, values: new Map([["x", x], ["y", y]]) } };
const lossOf = (p: ParityGateParams): number => parity_gate.lossAndGrad(p, { x, y }, 4, parity_gate.zeros());

function decaying(lr: number, halfLife: number): Optimizer {
  let t = 0;
  return {
    name: "decaying",
    lr,
    step(params: Params, grads: Params) {
      const rate = lr / (1 + t++ / halfLife);
      for (const name of Object.keys(params)) {
        const p = params[name]!, g = grads[name]!;
        for (let i = 0; i < p.length; i++) p[i]! -= rate * g[i]!;
      }
    },
    state: () => ({ name: "decaying", step: t, slots: {} }),
    restore: (s) => void (t = s.step),
  };
}

const inputs: ParityGateInputs = { x };
const predict = (p: ParityGateParams): number[] => Array.from(parity_gate.forward(p, inputs, 4).p, (q: number) => (q >= 0.5 ? 1 : 0));

const builtIn = parity_gate.init(1);
const builtInBefore = lossOf(builtIn);
const result = train(parity_gate, builtIn, adam(parity_gate.shapes, { lr: 0.05 }), data, {
  epochs: 300,
  batch: 4,
  schedule: warmup(cosine(0.05, 300, 0.005), 10),
  clip: 1,
});

const own = parity_gate.init(2);
const ownBefore = lossOf(own);
train(parity_gate, own, decaying(0.5, 500), data, { epochs: 1500, batch: 4, seed: 3 });

const grads = parity_gate.zeros();
parity_gate.lossAndGrad(own, { x, y }, 4, grads);
const norm = globalNorm(grads);
clipByGlobalNorm(grads, norm / 2);

const loaded = parity_gate.zeros();
const file = loadWeights("trained.weights.json", { model: "parity_gate", hash: parity_gate.hash, shapes: parity_gate.shapes }, loaded);

console.log(JSON.stringify({
  builtIn: { before: builtInBefore, after: lossOf(builtIn), epochs: result.history.length, predictions: predict(builtIn) },
  own: { before: ownBefore, after: lossOf(own), predictions: predict(own) },
  clipped: { before: norm, after: globalNorm(grads) },
  loaded: { hash: parity_gate.hash, fileHash: file.hash, W: Array.from(loaded.W), c: Array.from(loaded.c), predictions: predict(loaded) },
}));
`;

interface Results {
  builtIn: { before: number; after: number; epochs: number; predictions: number[] };
  own: { before: number; after: number; predictions: number[] };
  clipped: { before: number; after: number };
  loaded: { hash: string; fileHash: string; W: number[]; c: number[]; predictions: number[] };
}

/** A lockfile for a project depending on the tarball: the package's production dependencies as locked, and @types/node. */
function consumerLock(tarball: string): unknown {
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean; dependencies?: Record<string, string> }> };
  const own = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string; dependencies: Record<string, string>; bin: Record<string, string>; engines: Record<string, string> };
  const typesNode = lock.packages["node_modules/@types/node"]!;
  const wanted = (path: string, entry: { dev?: boolean }) => path !== "" && (entry.dev !== true || path === "node_modules/@types/node" || Object.keys(typesNode.dependencies ?? {}).some((d) => path === `node_modules/${d}`));
  const packages: Record<string, unknown> = {
    "": { name: "consumer", dependencies: { nndc: `file:${tarball}`, "@types/node": (typesNode as { version: string }).version } },
    "node_modules/nndc": { version: own.version, resolved: `file:${tarball}`, dependencies: own.dependencies, bin: own.bin, engines: own.engines },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (wanted(path, entry)) packages[path] = Object.fromEntries(Object.entries(entry).filter(([k]) => k !== "dev"));
  }
  return { name: "consumer", lockfileVersion: 3, requires: true, packages };
}

describe("the packed package in a strict project", () => {
  const project = mkdtempSync(join(tmpdir(), "nndc-package-"));
  const bin = (name: string) => join(project, "node_modules", ".bin", name);
  let results: Results;

  beforeAll(() => {
    expect(existsSync(join(ROOT, "dist/runtime/index.d.ts")), "build first: npm run build").toBe(true);
    // The build is dist/ as it stands: packing must not rebuild it under the other tests' feet.
    const pack = run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", project], ROOT);
    expect(pack.status, pack.out).toBe(0);
    const tarball = (JSON.parse(pack.stdout) as { filename: string }[])[0]!.filename;
    const lock = consumerLock(`./${tarball}`) as { packages: Record<string, unknown> };
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module", ...{ dependencies: (lock.packages[""] as { dependencies: unknown }).dependencies } }));
    writeFileSync(join(project, "package-lock.json"), JSON.stringify(lock));
    const install = run("npm", ["ci", "--offline", "--no-audit", "--no-fund", "--ignore-scripts"], project);
    expect(install.status, install.out).toBe(0);

    writeFileSync(join(project, "parity.nnd"), MODEL);
    writeFileSync(join(project, "xor.csv"), DATA);
    const compiled = run(bin("nndc"), ["compile", "parity.nnd", "-o", "."], project);
    expect(compiled.status, compiled.out).toBe(0);
    const trained = run(bin("nndc"), ["train", "parity.nnd", "--data", "xor.csv", "--epochs", "400", "--batch", "4", "--lr", "0.05", "--out", "trained.weights.json"], project);
    expect(trained.status, trained.out).toBe(0);

    writeFileSync(join(project, "tsconfig.json"), JSON.stringify(TSCONFIG, null, 2));
    writeFileSync(join(project, "main.ts"), PROGRAM);
    const tsc = run(bin("tsc"), ["-p", "."], project);
    expect(tsc.out, "tsc reports errors").toBe("");
    expect(tsc.status).toBe(0);
    const program = run(process.execPath, ["out/main.js"], project);
    expect(program.status, program.out).toBe(0);
    results = JSON.parse(program.stdout) as Results;
  }, 600_000);

  // The installed dependencies are about 100 MB.
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it("installs the package's own bin and TypeScript", () => {
    expect(existsSync(bin("nndc"))).toBe(true);
    expect(readFileSync(join(project, "node_modules/nndc/package.json"), "utf8")).toContain('"name": "nndc"');
  });

  it("trains with a built-in optimizer, a schedule and clipping: the loss falls and all four cases are right", () => {
    expect(results.builtIn.epochs).toBe(300);
    expect(results.builtIn.after).toBeLessThan(results.builtIn.before / 4);
    expect(results.builtIn.predictions).toEqual([0, 1, 1, 0]);
  });

  it("trains with the README's hand-written optimizer", () => {
    expect(results.own.after).toBeLessThan(results.own.before / 4);
    expect(results.own.predictions).toEqual([0, 1, 1, 0]);
  });

  it("clips gradients by their global norm", () => {
    expect(results.clipped.before).toBeGreaterThan(0);
    expect(results.clipped.after).toBeCloseTo(results.clipped.before / 2, 12);
  });

  it("loads the weights nndc train wrote: the module's hash is the file's, the values equal the file's, and they predict right", () => {
    const file = JSON.parse(readFileSync(join(project, "trained.weights.json"), "utf8")) as { hash: string; params: { W: number[][]; c: number } };
    expect(results.loaded.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(results.loaded.fileHash).toBe(results.loaded.hash);
    expect(file.hash).toBe(results.loaded.hash);
    expect(results.loaded.W).toEqual(file.params.W.flat());
    expect(results.loaded.c).toEqual([file.params.c]);
    expect(results.loaded.predictions).toEqual([0, 1, 1, 0]);
  });
});
