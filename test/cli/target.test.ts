// `--target wasm` as a user runs it: compile writes one .ts file that imports
// nothing; eval, train and predict run the WebAssembly module and give what
// the TypeScript target gives, to the last digit; a target nndc has not is a
// bad command line.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function nndc(args: string[]) {
  const r = spawnSync(process.execPath, ["dist/cli/main.js", ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?/);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), "nndc-"));

describe("--target wasm", () => {
  it("compile writes a module that imports nothing and embeds its WebAssembly", () => {
    const dir = tmp();
    const r = nndc(["compile", "examples/iris.nnd", "--target", "wasm", "-o", dir]);
    expect(r.status, r.stderr).toBe(0);
    const code = readFileSync(join(dir, "iris.ts"), "utf8");
    expect(code).not.toMatch(/^import /m);
    expect(code).toContain("export const iris = {");
    expect(code).toContain("export const ready: Promise<void>");
    expect(code).toMatch(/\$decode\("AGFzbQEAAAA/);
  });

  it("eval prints what the TypeScript target prints, for a model and a fn", () => {
    const dir = tmp();
    const params = join(dir, "p.json");
    const example = join(dir, "e.json");
    writeFileSync(params, JSON.stringify({ W1: [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6], [0.7, -0.8]], b1: [0.01, 0.02, 0.03, 0.04], w2: [0.5, -0.5, 0.25, -0.25], b2: 0.1 }));
    writeFileSync(example, JSON.stringify({ x: [1, 0], y: 1 }));
    for (const args of [
      ["eval", "examples/xor.nnd", "--params", params, "--example", example, "--wrt-inputs", "--hessian"],
      ["eval", "examples/functions.nnd", "--fn", "rosenbrock", "--at", '{"x": 0.5, "y": -1.5}', "--hessian"],
    ]) {
      const [ts, wasm] = [nndc(args), nndc([...args, "--target", "wasm"])];
      expect(ts.status, ts.stderr).toBe(0);
      expect(wasm.stdout).toBe(ts.stdout);
    }
  });

  it("train writes the weights file the TypeScript target writes, and predict prints the same predictions", () => {
    const dir = tmp();
    const train = (target: string) => ["train", "examples/iris.nnd", "--data", "examples/data/iris.csv", "--epochs", "5", "--batch", "16", "--out", join(dir, `${target}.json`), "--target", target];
    for (const target of ["ts", "wasm"]) expect(nndc(train(target)).status).toBe(0);
    expect(readFileSync(join(dir, "wasm.json"), "utf8")).toBe(readFileSync(join(dir, "ts.json"), "utf8"));
    const predict = (target: string) => nndc(["predict", "examples/iris.nnd", "--params", join(dir, "ts.json"), "--data", "examples/data/iris.csv", "--target", target]).stdout;
    expect(predict("wasm")).toBe(predict("ts"));
  });

  it("names the targets there are when given another", () => {
    const r = nndc(["compile", "examples/xor.nnd", "--target", "js"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Allowed choices are ts, wasm");
  });
});
