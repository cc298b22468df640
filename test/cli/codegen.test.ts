// End to end: nndc compile and nndc eval as a user (or an outside test
// suite in another language) runs them.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Deriver } from "../../src/pipeline/derive.js";
import { modelHash } from "../../src/format/hash.js";
import { evaluate, type Tensor } from "../../src/graph/evaluate.js";
import { front } from "../support/front.js";
import { close } from "../support/values.js";

function nndc(args: string[]) {
  const r = spawnSync(process.execPath, ["dist/cli/main.js", ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?/);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), "nndc-"));
const write = (dir: string, name: string, value: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof value === "string" ? value : JSON.stringify(value));
  return path;
};

const xorParams = { W1: [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6], [0.7, -0.8]], b1: [0.01, 0.02, 0.03, 0.04], w2: [0.5, -0.5, 0.25, -0.25], b2: 0.1 };
const xorExample = { x: [1, 0], y: 1 };

describe("nndc compile", () => {
  it("writes DIR/<stem>.ts and --stats reports flops with a backward/forward ratio of at most 3", () => {
    const dir = tmp();
    for (const example of ["xor", "linear_regression", "logistic_regression", "iris", "digits", "mnist"]) {
      const r = nndc(["compile", `examples/${example}.nnd`, "-o", dir, "--stats"]);
      expect(r.status, r.stderr).toBe(0);
      expect(existsSync(join(dir, `${example}.ts`))).toBe(true);
      const m = /forward (\d+) flops, backward (\d+) flops per example \(ratio ([\d.]+)\)/.exec(r.stdout);
      expect(m, r.stdout).not.toBeNull();
      expect(Number(m![2]) / Number(m![1])).toBeLessThanOrEqual(3);
      expect(r.stdout).toMatch(/scratch buffers: \d+ bytes/);
      expect(r.stdout).toMatch(/time: parse \+ check [\d.]+ ms, derive/);
    }
  });

  it("--schedule prints where each value lives and when it is computed, and the products lifted out of the loop", () => {
    const dir = tmp();
    const r = nndc(["compile", "examples/xor.nnd", "examples/digits.nnd", "-o", dir, "--schedule"]);
    expect(r.status, r.stderr).toBe(0);
    const forward = r.stdout.slice(r.stdout.indexOf("  forward"), r.stdout.indexOf("wrote", r.stdout.indexOf("  forward")));
    expect(forward).toBe(
      [
        "  forward",
        "    W₁ x         [4]  registers  per example",
        "    W₁ x + b₁    [4]  inline     per example",
        "    h            [4]  registers  per example",
        "    w₂ · h       []   local      per example",
        "    w₂ · h + b₂  []   local      per example",
        "    ŷ            []   local      per example",
        "",
      ].join("\n"),
    );
    expect(r.stdout).toContain("    W₁²                           [4, 2]  inline     hoisted");
    expect(r.stdout).toContain("    lifted out of the loop over examples, 64 examples at a time:\n      W₁ x: forward product into digits_t1_chunk\n");
    expect(r.stdout).toMatch(/\(probs sum\(y\) − y\) hᵀ: weight gradient added to d_W2/);
  });

  it("--precision f32 uses Float32Array throughout", () => {
    const dir = tmp();
    expect(nndc(["compile", "examples/iris.nnd", "-o", dir, "--precision", "f32"]).status).toBe(0);
    const code = readFileSync(join(dir, "iris.ts"), "utf8");
    expect(code).toContain("Float32Array");
    expect(code).not.toContain("Float64Array");
  });

  it("writes nothing for a file with errors", () => {
    const dir = tmp();
    const bad = write(dir, "bad.nnd", "fn f(x: [3]) = x + [1, 2]\n");
    const r = nndc(["compile", bad, "-o", dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/NND2001/);
    expect(existsSync(join(dir, "bad.ts"))).toBe(false);
  });
});

describe("nndc eval", () => {
  it("prints the loss, outputs and gradient of a model, as the interpreter computes them", () => {
    const dir = tmp();
    const r = nndc(["eval", "examples/xor.nnd", "--model", "xor", "--params", write(dir, "p.json", xorParams), "--example", write(dir, "e.json", xorExample)]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { loss: number; outputs: { yhat: number }; grad: Record<string, unknown> };

    const checked = front(readFileSync("examples/xor.nnd", "utf8")).checked!;
    const d = new Deriver(checked).model("xor");
    const values = new Map<string, Tensor>([
      ["W1", { shape: [4, 2], data: Float64Array.from(xorParams.W1.flat()) }],
      ["b1", { shape: [4], data: Float64Array.from(xorParams.b1) }],
      ["w2", { shape: [4], data: Float64Array.from(xorParams.w2) }],
      ["b2", { shape: [], data: Float64Array.of(xorParams.b2) }],
      ["x", { shape: [2], data: Float64Array.of(1, 0) }],
      ["y", { shape: [], data: Float64Array.of(1) }],
    ]);
    const [loss, yhat, ...grads] = evaluate([d.loss, d.outputs[0]!.node, ...d.grads], values);
    expect(close(out.loss, loss!.data[0]!, 1e-12)).toBe(true);
    expect(close(out.outputs.yhat, yhat!.data[0]!, 1e-12)).toBe(true);
    const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
    d.wrt.forEach((w, i) => {
      const got = flat(out.grad[w.attrs.name!]);
      expect(got.every((g, k) => close(g, grads[i]!.data[k]!, 1e-12)), w.attrs.name).toBe(true);
    });
    // Nested arrays, row-major, as the params came in.
    expect((out.grad["W1"] as number[][]).length).toBe(4);
    expect(typeof out.grad["b2"]).toBe("number");
  });

  it("accepts a weights file for --params", () => {
    const dir = tmp();
    const parsed = front(readFileSync("examples/xor.nnd", "utf8"), "examples/xor.nnd");
    const weights = { format: "nndc-weights/1", model: "xor", hash: modelHash(parsed.program, parsed.source, "xor"), params: xorParams };
    const plain = nndc(["eval", "examples/xor.nnd", "--params", write(dir, "p.json", xorParams), "--example", write(dir, "e.json", xorExample)]);
    const wrapped = nndc(["eval", "examples/xor.nnd", "--params", write(dir, "w.json", weights), "--example", write(dir, "e2.json", xorExample)]);
    expect(wrapped.status).toBe(0);
    expect(wrapped.stdout).toBe(plain.stdout);
  });

  it("prints a fn's value and gradient", () => {
    const r = nndc(["eval", "examples/functions.nnd", "--fn", "quad", "--at", '{"x": [1, 2, 3], "A": [[1, 0, 0], [0, 2, 0], [0, 0, 3]]}']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ value: 36, grad: { x: [2, 8, 18], A: [[1, 2, 3], [2, 4, 6], [3, 6, 9]] } });
    const h = JSON.parse(nndc(["eval", "examples/functions.nnd", "--fn", "dh", "--at", '{"x": 0.5}']).stdout) as { value: number };
    const e = Math.exp(0.5);
    expect(close(h.value, (e * e) / Math.sqrt(1 + e * e), 1e-14)).toBe(true);
  });

  it("writes numbers in their shortest round-trip form", () => {
    const r = nndc(["eval", "examples/functions.nnd", "--fn", "power", "--at", '{"x": 0.1}']);
    const out = JSON.parse(r.stdout) as { value: number };
    expect(out.value).toBe(0.1 ** 3);
    expect(r.stdout).toContain(JSON.stringify(0.1 ** 3));
  });

  describe("rejects bad input with a message naming the culprit, exit 1", () => {
    const dir = tmp();
    const example = write(dir, "e.json", xorExample);
    const cases: [string, string[], RegExp][] = [
      ["a missing param", ["--params", write(dir, "m.json", { ...xorParams, b2: undefined }), "--example", example], /missing 'b2', of shape \[\]/],
      ["an extra param", ["--params", write(dir, "x.json", { ...xorParams, W9: 1 }), "--example", example], /unexpected name 'W9'/],
      ["a wrong shape", ["--params", write(dir, "s.json", { ...xorParams, b1: [1, 2, 3] }), "--example", example], /b1 must be a list of shape \[4\], but it is a list of 3/],
      ["a non-number", ["--params", write(dir, "n.json", { ...xorParams, W1: [[1, 2], [3, "4"], [5, 6], [7, 8]] }), "--example", example], /W1\[1\]\[1\] must be a number, but it is the string "4"/],
      ["invalid JSON", ["--params", write(dir, "j.json", "{W1: 1"), "--example", example], /--params .*j.json is not valid JSON/],
      ["an unreadable file", ["--params", join(dir, "nope.json"), "--example", example], /NND3002: cannot read '.*nope.json': no such file/],
      ["a missing input", ["--params", write(dir, "p.json", xorParams), "--example", write(dir, "e2.json", { y: 1 })], /--example .*: missing 'x', of shape \[2\]/],
    ];
    it.each(cases)("%s", (_, args, message) => {
      const r = nndc(["eval", "examples/xor.nnd", ...args]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe("");
    });

    it("a fn's arguments too", () => {
      const r = nndc(["eval", "examples/functions.nnd", "--fn", "quad", "--at", '{"x": [1, 2], "A": 3}']);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/x must be a list of shape \[3\]/);
      expect(r.stderr).toMatch(/A must be a list of lists of shape \[3, 3\], but it is number 3/);
      expect(nndc(["eval", "examples/functions.nnd", "--fn", "nope", "--at", "{}"]).stderr).toMatch(/has no fn 'nope'/);
      expect(nndc(["eval", "examples/functions.nnd", "--fn", "h", "--at", "{x: 1}"]).stderr).toMatch(/--at is not valid JSON/);
    });

    it("a missing --params is a bad command line, exit 2", () => {
      expect(nndc(["eval", "examples/xor.nnd", "--example", example]).status).toBe(2);
    });
  });
});
