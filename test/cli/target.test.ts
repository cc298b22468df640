// `--target wasm` as a user runs it: compile writes one .ts file that imports
// nothing; eval, train and predict run the WebAssembly module and give what
// the TypeScript target gives (within 1e-12 relative: its SIMD kernels add a
// product's terms in another order; after training, within 1e-9); a target
// nndc has not is a bad command line.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freshDir as tmp, nndc } from "../support/cli.js";

/**
 * The same text but for its numbers, each within `rel` of the other,
 * relative to it or to 1e-3, whichever is larger (a gradient entry that
 * cancels to near 0 differs by rounding relative to its terms, not to it):
 * what a target that sums in another order prints.
 */
function expectSameText(got: string, want: string, rel: number): void {
  const number = /-?\d+(?:\.\d+)?(?:e[-+]?\d+)?/gi;
  expect(got.replace(number, "#")).toBe(want.replace(number, "#"));
  const [g, w] = [got.match(number) ?? [], want.match(number) ?? []];
  w.forEach((x, i) => {
    const [a, b] = [Number(g[i]), Number(x)];
    if (!(Math.abs(a - b) <= rel * Math.max(Math.abs(b), 1e-3))) expect.fail(`number ${i}: ${g[i]} ≠ ${x} within ${rel}`);
  });
}

describe("--target wasm", () => {
  it("compile writes a module that imports nothing and embeds its WebAssembly; --stats names a model left to TypeScript", () => {
    const dir = tmp();
    const r = nndc(["compile", "examples/digits.nnd", "examples/xor.nnd", "--target", "wasm", "-o", dir, "--stats"]);
    expect(r.status, r.stderr).toBe(0);
    const code = readFileSync(join(dir, "digits.ts"), "utf8");
    expect(code).not.toMatch(/^import /m);
    expect(code).toContain("export const digits = {");
    expect(code).toContain("export const ready: Promise<void>");
    expect(code).toMatch(/\$decode\("AGFzbQEAAAA/);
    expect(r.stdout).toContain("model xor: forward 57 flops, backward 46 flops per example (ratio 0.81)\n    runs as TypeScript loops in this file");
    expect(r.stdout).not.toMatch(/model digits: .*\n {4}runs as TypeScript/);
  });

  it("train writes the weights file the TypeScript target writes; predict and eval print what it prints", () => {
    const dir = tmp();
    const train = (target: string) => ["train", "examples/digits.nnd", "--data", "examples/data/digits.csv", "--epochs", "2", "--out", join(dir, `${target}.json`), "--target", target];
    for (const target of ["ts", "wasm"]) expect(nndc(train(target)).status).toBe(0);
    const weights = join(dir, "ts.json");
    // Two epochs of training compound the kernels' last bits.
    expectSameText(readFileSync(join(dir, "wasm.json"), "utf8"), readFileSync(weights, "utf8"), 1e-9);
    const predict = (target: string) => nndc(["predict", "examples/digits.nnd", "--params", weights, "--data", "examples/data/digits.csv", "--target", target]).stdout;
    expectSameText(predict("wasm"), predict("ts"), 1e-12);
    const example = join(dir, "e.json");
    writeFileSync(example, JSON.stringify({ x: Array.from({ length: 64 }, (_, i) => (i * 7) % 17), y: [0, 0, 1, 0, 0, 0, 0, 0, 0, 0] }));
    for (const args of [
      ["eval", "examples/digits.nnd", "--params", weights, "--example", example, "--wrt-inputs"],
      ["eval", "examples/functions.nnd", "--fn", "rosenbrock", "--at", '{"x": 0.5, "y": -1.5}', "--hessian"],
    ]) {
      const [ts, wasm] = [nndc(args), nndc([...args, "--target", "wasm"])];
      expect(ts.status, ts.stderr).toBe(0);
      expectSameText(wasm.stdout, ts.stdout, 1e-12);
    }
  });

  it("names the targets there are when given another", () => {
    const r = nndc(["compile", "examples/xor.nnd", "--target", "js"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Allowed choices are ts, wasm");
  });

  it("--wasm-always puts even XOR in WebAssembly, and asks for --target wasm", () => {
    const dir = tmp();
    const r = nndc(["compile", "examples/xor.nnd", "--target", "wasm", "--wasm-always", "--stats", "-o", dir]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toContain("runs as TypeScript loops");
    expect(readFileSync(join(dir, "xor.ts"), "utf8")).toContain('"xor.lossAndGrad"');
    const bad = nndc(["compile", "examples/xor.nnd", "--wasm-always", "-o", dir]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--target must be wasm when --wasm-always is given, not 'ts'");
  });
});
