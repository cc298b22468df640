// End to end: what `nndc eval` prints beyond the loss and the gradient by the
// parameters: valid JSON for non-finite numbers, weights of another model
// refused, gradients by the inputs, Jacobians of rank 3 and more, Hessians.
// Every number comes from the generated code; the tests check it against
// finite differences, closed forms and the interpreter.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluate, type Tensor } from "../../src/graph/evaluate.js";
// From the library's entry, as a user of `nndc` as a package imports them.
import { compileProgram as compile, Deriver, loadGenerated, type GeneratedModel } from "../../src/index.js";
import { front } from "../support/front.js";

function nndc(args: string[], input?: string) {
  const r = spawnSync(process.execPath, ["dist/cli/main.js", ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, ...(input === undefined ? {} : { input }) });
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?/);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), "nndc-eval-"));
const write = (dir: string, name: string, value: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof value === "string" ? value : JSON.stringify(value));
  return path;
};
const flat = (v: unknown): unknown[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);
const near = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));

/** Python's json with every non-standard constant (NaN, Infinity) refused, as a strict reader does. */
function pythonStrict(text: string): { status: number | null; stdout: string; stderr: string } {
  const script = "import json,sys\ndef bad(c): raise ValueError('not JSON: ' + c)\nv = json.load(sys.stdin, parse_constant=bad)\nprint(json.dumps(v, sort_keys=True))";
  const r = spawnSync("/usr/bin/python3", ["-c", script], { input: text, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const xorParams = { W1: [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6], [0.7, -0.8]], b1: [0.01, 0.02, 0.03, 0.04], w2: [0.5, -0.5, 0.25, -0.25], b2: 0.1 };
const xorExample = { x: [1, 0], y: 1 };

describe("eval prints valid JSON (RFC 8259) for non-finite numbers", () => {
  const dir = tmp();
  const file = write(dir, "nonfinite.nnd", [
    "fn big(x) = exp(1000 * x)",
    "fn small(x) = -exp(1000 * x)",
    "fn r(x) = sqrt(x^2)",
    "fn v(x: [3]) = x * 2",
    "model blowup {",
    "  input x: []",
    "  param w: [] ~ ones",
    "  loss = exp(1000 * w * x)",
    "}",
    "",
  ].join("\n"));
  const cases: [string, string[], unknown][] = [
    ["exp(1000 x) at 1", ["--fn", "big", "--at", '{"x": 1}'], { value: "Infinity", grad: { x: "Infinity" } }],
    ["-exp(1000 x) at 1", ["--fn", "small", "--at", '{"x": 1}'], { value: "-Infinity", grad: { x: "-Infinity" } }],
    ["sqrt(x^2)'s derivative at 0", ["--fn", "r", "--at", '{"x": 0}'], { value: 0, grad: { x: "NaN" } }],
    ["non-finite inputs, read as they are written", ["--fn", "v", "--at", '{"x": ["NaN", "-Infinity", 1.5]}'], { value: ["NaN", "-Infinity", 3], grad: { x: [[2, 0, 0], [0, 2, 0], [0, 0, 2]] } }],
    ["an infinite loss", ["--model", "blowup", "--params", write(dir, "p.json", { w: 1 }), "--example", write(dir, "e.json", { x: "Infinity" })], { loss: "Infinity", outputs: {}, grad: { w: "Infinity" } }],
  ];
  it.each(cases)("%s", (_, args, expected) => {
    const r = nndc(["eval", file, ...args]);
    expect(r.status, r.stderr).toBe(0);
    // JSON.parse reads it, and the non-finite values are strings: never taken for a finite number.
    expect(JSON.parse(r.stdout)).toEqual(expected);
    const py = pythonStrict(r.stdout);
    expect(py.status, py.stderr).toBe(0);
    expect(JSON.parse(py.stdout)).toEqual(expected);
  });

  it("a string that is not one of the three is an error naming them", () => {
    const r = nndc(["eval", file, "--fn", "big", "--at", '{"x": "inf"}']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/x must be a number, but it is the string "inf" \(a number that is not finite is written as one of the strings "Infinity", "-Infinity", "NaN"\)/);
  });

  it("finite numbers round-trip exactly, whatever their size", () => {
    const xs = fc.sample(fc.double({ noNaN: true, noDefaultInfinity: true }), { numRuns: 16, seed: 3 }).map((x) => (x === 0 ? 0 : x));
    const r = nndc(["eval", write(dir, "id.nnd", "fn id(x: [16]) = x\n"), "--fn", "id", "--at", JSON.stringify({ x: xs })]);
    const out = JSON.parse(r.stdout) as { value: number[] };
    expect(out.value).toEqual(xs);
    for (const x of xs) expect(r.stdout).toContain(JSON.stringify(x));
  });
});

describe("weights of another model are refused by every reader, with the same message", () => {
  const dir = tmp();
  const source = readFileSync("examples/xor.nnd", "utf8");
  const original = write(dir, "xor.nnd", source);
  const renamed = write(dir, "xor2.nnd", source.replace("model xor {", "model xor2 {"));
  const edited = write(dir, "edited.nnd", source.replace("1e-4", "2e-4"));
  const weights = join(dir, "w.json");
  const example = write(dir, "e.json", xorExample);
  const trained = nndc(["train", original, "--data", "examples/data/xor.csv", "--epochs", "1", "--out", weights]);

  it("the model's own weights are read by eval", () => {
    expect(trained.status, trained.stderr).toBe(0);
    expect(nndc(["eval", original, "--params", weights, "--example", example]).status).toBe(0);
  });

  const cases: [string, string, RegExp][] = [
    ["a renamed model", renamed, /w\.json holds the weights of model 'xor', not of this model 'xor2'/],
    ["an edited model", edited, /w\.json holds the weights of another version of model 'xor' \(hash "[0-9a-f]{16}"\), not of this one \(hash "[0-9a-f]{16}"\)/],
  ];
  it.each(cases)("%s: eval and train --resume, exit 1", (_, file, message) => {
    const evaluated = nndc(["eval", file, "--params", weights, "--example", example]);
    const resumed = nndc(["train", file, "--data", "examples/data/xor.csv", "--epochs", "2", "--resume", weights, "--out", join(dir, "again.json")]);
    expect([evaluated.status, resumed.status]).toEqual([1, 1]);
    expect(evaluated.stdout).toBe("");
    const said = (stderr: string) => message.exec(stderr)?.[0];
    expect(said(evaluated.stderr), evaluated.stderr).toBeDefined();
    expect(said(evaluated.stderr)).toBe(said(resumed.stderr));
    expect(evaluated.stderr).toMatch(/NND3020/);
  });

  it("a file with another format is not taken for a map of params", () => {
    const other = write(dir, "v2.json", { format: "nndc-weights/2", model: "xor", hash: "x", params: xorParams });
    const r = nndc(["eval", original, "--params", other, "--example", example]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/v2\.json is not an nndc weights file \(format "nndc-weights\/2", expected "nndc-weights\/1"\)/);
  });
});

/** The model compiled in this process, with the extra functions. */
async function generated(text: string, name: string, options: { inputGrad?: boolean; hessian?: boolean }) {
  const checked = front(text).checked!;
  const compiled = await compile(checked, { precision: "f64", source: "test.nnd", ...options });
  return (await loadGenerated(compiled.code))[compiled.exports.get(name)!] as GeneratedModel & {
    inputGrad(p: object, b: object, n: number, out: Record<string, Float64Array>): void;
    hessian(p: object, b: object, n: number, out: Float64Array): void;
  };
}

const f64 = (v: unknown) => Float64Array.from(flat(v) as number[]);
const xorSource = readFileSync("examples/xor.nnd", "utf8");
const xorArrays = () => Object.fromEntries(Object.entries(xorParams).map(([k, v]) => [k, f64(v)]));

/** Central differences of f at x, entry by entry. */
function centralDifferences(x: Float64Array, f: () => number, h = 1e-6): number[] {
  return Array.from(x, (_, k) => {
    const keep = x[k]!;
    x[k] = keep + h;
    const up = f();
    x[k] = keep - h;
    const down = f();
    x[k] = keep;
    return (up - down) / (2 * h);
  });
}

describe("gradients by the inputs (saliency, adversarial examples)", () => {
  it("grad --wrt and explain --wrt take an input or a target", () => {
    const g = nndc(["grad", "examples/xor.nnd", "--wrt", "x"]);
    expect(g.status, g.stderr).toBe(0);
    // One δ per layer: the error flowing into W₁ x + b₁ is δ₁, however often it is used.
    expect(g.stdout).toMatch(/δ₂ = ŷ − y\n  δ₁ = \(δ₂ w₂\) ⊙ \(1 − h²\)\n[\s\S]*∂L\/∂x = W₁ᵀ δ₁\n/);
    expect(nndc(["grad", "examples/xor.nnd", "--wrt", "y"]).stdout).toMatch(/∂L\/∂y = −\(w₂ · h \+ b₂\)/);
    const e = nndc(["explain", "examples/xor.nnd", "--wrt", "x"]);
    expect(e.status, e.stderr).toBe(0);
    expect(e.stdout).toMatch(/backpropagation from the loss L to x/);
    expect(e.stdout).toMatch(/∂L\/∂x +\+= W₁ᵀ ∂L\/∂z₁ +matrix product rule/);
    // Without --wrt, the parameters only, as before.
    expect(nndc(["grad", "examples/xor.nnd"]).stdout).not.toMatch(/∂L\/∂x/);
  });

  it("the generated inputGrad agrees with central differences of the generated loss, per example of a batch", async () => {
    const text = "model m {\n  input x: [2, 3]\n  input s: []\n  target y: [2]\n  param W: [3] ~ normal(0, 1)\n  yhat = tanh(x @ W) * s\n  output yhat\n  loss = mse(yhat, y) + 0.1 * sum(W^2)\n}\n";
    const m = await generated(text, "m", { inputGrad: true });
    const params = m.init(5);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 3 * 9, maxLength: 3 * 9 }), async (v) => {
        const batch = { x: Float64Array.from(v.slice(0, 18)), s: Float64Array.from(v.slice(18, 21)), y: Float64Array.from(v.slice(21, 27)) };
        const out = { x: new Float64Array(18), s: new Float64Array(3) };
        m.inputGrad(params, batch, 3, out);
        for (let i = 0; i < 3; i++) {
          // Example i alone: its loss as a function of its own inputs.
          const one = { x: batch.x.slice(6 * i, 6 * i + 6), s: batch.s.slice(i, i + 1), y: batch.y.slice(2 * i, 2 * i + 2) };
          const loss = () => m.lossAndGrad(params, one, 1, m.zeros());
          const fx = centralDifferences(one.x, loss);
          const fs = centralDifferences(one.s, loss);
          fx.forEach((d, k) => expect(near(out.x[6 * i + k]!, d, 1e-6)).toBe(true));
          expect(near(out.s[i]!, fs[0]!, 1e-6)).toBe(true);
        }
      }),
      { numRuns: 20, seed: 7 },
    );
  });

  it("eval --wrt-inputs prints inputGrad, as the interpreter computes it", () => {
    const dir = tmp();
    const r = nndc(["eval", "examples/xor.nnd", "--params", write(dir, "p.json", xorParams), "--example", write(dir, "e.json", xorExample), "--wrt-inputs"]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { inputGrad: { x: number[] }; grad: object };
    expect(Object.keys(out.inputGrad)).toEqual(["x"]);
    const d = new Deriver(front(xorSource).checked!).dataGradients("xor");
    const values = new Map<string, Tensor>([
      ...Object.entries(xorParams).map(([k, v]): [string, Tensor] => [k, { shape: k === "W1" ? [4, 2] : k === "b2" ? [] : [4], data: f64(v) }]),
      ["x", { shape: [2], data: f64(xorExample.x) }],
      ["y", { shape: [], data: f64(xorExample.y) }],
    ]);
    const [expected] = evaluate([d.grads[0]!], values);
    out.inputGrad.x.forEach((g, k) => expect(near(g, expected!.data[k]!, 1e-12)).toBe(true));
    const plain = nndc(["eval", "examples/xor.nnd", "--params", join(dir, "p.json"), "--example", join(dir, "e.json")]);
    expect(JSON.parse(plain.stdout)).toEqual({ ...out, inputGrad: undefined });
  });

  it("is generated only when asked for, and a fn has no --wrt-inputs", async () => {
    const checked = front(xorSource).checked!;
    expect((await compile(checked, { precision: "f64", source: "xor.nnd" })).code).not.toMatch(/inputGrad/);
    expect((await compile(checked, { precision: "f64", source: "xor.nnd", inputGrad: true })).code).toMatch(/inputGrad\(\s*params: XorParams,\s*batch: XorBatch,\s*n: number,\s*out: \{\s*x: Float64Array;\s*\},?\s*\): void/);
    expect(nndc(["eval", "examples/functions.nnd", "--fn", "h", "--at", '{"x": 1}', "--wrt-inputs"]).status).toBe(2);
  });
});

describe("Jacobians of rank 3 and more, nested, output index first", () => {
  it("F(x, W) = tanh(W x) x₀: ∂F_i/∂W_jk against central differences", () => {
    const dir = tmp();
    const file = write(dir, "jac.nnd", "fn F(x: [3], W: [2, 3]) = tanh(W @ x) * x[0]\n");
    const x = [0.7, -1.2, 0.4];
    const W = [[0.3, -0.5, 0.8], [1.1, 0.2, -0.6]];
    const r = nndc(["eval", file, "--fn", "F", "--at", JSON.stringify({ x, W })]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { grad: { x: number[][]; W: number[][][] } };
    const F = (xv: number[], Wv: number[][]) => Wv.map((row) => Math.tanh(row.reduce((s, w, k) => s + w * xv[k]!, 0)) * xv[0]!);
    const h = 1e-6;
    expect(out.grad.W.length).toBe(2);
    for (let i = 0; i < 2; i++) {
      expect(out.grad.W[i]!.map((row) => row.length)).toEqual([3, 3]);
      for (let j = 0; j < 2; j++) {
        for (let k = 0; k < 3; k++) {
          const up = W.map((row) => [...row]);
          const down = W.map((row) => [...row]);
          up[j]![k]! += h;
          down[j]![k]! -= h;
          const fd = (F(x, up)[i]! - F(x, down)[i]!) / (2 * h);
          expect(near(out.grad.W[i]![j]![k]!, fd, 1e-7), `∂F${i}/∂W${j}${k}`).toBe(true);
        }
      }
    }
    // The Jacobian by x (rank 2) is as before.
    expect(out.grad.x.map((row) => row.length)).toEqual([3, 3]);
  });

  it("a Jacobian too large to generate is named in \"omitted\", with its size", () => {
    const dir = tmp();
    const file = write(dir, "big.nnd", "fn G(x: [100], W: [50, 100]) = tanh(W @ x)\n");
    const at = { x: Array.from({ length: 100 }, () => 0.1), W: Array.from({ length: 50 }, () => Array.from({ length: 100 }, () => 0.01)) };
    const out = JSON.parse(nndc(["eval", file, "--fn", "G", "--at", JSON.stringify(at)]).stdout) as { grad: object; omitted: object };
    expect(Object.keys(out.grad)).toEqual(["x"]);
    expect(out.omitted).toEqual({ W: "∂G/∂W has shape [50, 50, 100], 250000 entries, more than the 4096 that eval computes" });
  });

  it("the Hessian of a quadratic form by A, of rank 4: δ_ik δ_jl + δ_jk δ_il", () => {
    const r = nndc(["eval", "examples/functions.nnd", "--fn", "hess_quad", "--at", '{"x": [1, 2, 3], "A": [[1, 2, 0], [0, 1, 5], [2, 0, 1]]}']);
    expect(r.status, r.stderr).toBe(0);
    const dA = (JSON.parse(r.stdout) as { grad: { A: number[][][][] } }).grad.A;
    const d = (a: number, b: number) => (a === b ? 1 : 0);
    for (const i of [0, 1, 2]) for (const j of [0, 1, 2]) for (const k of [0, 1, 2]) for (const l of [0, 1, 2]) expect(dA[i]![j]![k]![l]).toBe(d(i, k) * d(j, l) + d(j, k) * d(i, l));
  });
});

describe("eval --hessian", () => {
  it("a model: the P × P Hessian of the loss, against central differences of the generated gradient", async () => {
    const dir = tmp();
    const r = nndc(["eval", "examples/xor.nnd", "--params", write(dir, "p.json", xorParams), "--example", write(dir, "e.json", xorExample), "--hessian"]);
    expect(r.status, r.stderr).toBe(0);
    const H = (JSON.parse(r.stdout) as { hessian: number[][] }).hessian;
    expect(H.length).toBe(17);
    const m = await generated(xorSource, "xor", {});
    const params = xorArrays();
    const batch = { x: f64(xorExample.x), y: f64(xorExample.y) };
    const names = ["W1", "b1", "w2", "b2"];
    // Column q of H: the change of the gradient as parameter entry q moves.
    let q = 0;
    for (const name of names) {
      const p = params[name]!;
      for (let k = 0; k < p.length; k++, q++) {
        const gradAt = (delta: number) => {
          const keep = p[k]!;
          p[k] = keep + delta;
          const g = m.zeros();
          m.lossAndGrad(params, batch, 1, g);
          p[k] = keep;
          return names.flatMap((n) => [...g[n]!]);
        };
        const [up, down] = [gradAt(1e-5), gradAt(-1e-5)];
        up.forEach((u, j) => expect(near(H[j]![q]!, (u - down[j]!) / 2e-5, 1e-6), `H[${j}][${q}]`).toBe(true));
      }
    }
  });

  it("a scalar fn: the Hessian over all its argument entries", () => {
    const dir = tmp();
    const file = write(dir, "q.nnd", "fn q(x: [2], A: [2, 2]) = x @ A @ x + x[0]^3\n");
    const r = nndc(["eval", file, "--fn", "q", "--at", '{"x": [1, 2], "A": [[1, 2], [3, 4]]}', "--hessian"]);
    expect(r.status, r.stderr).toBe(0);
    // By x: A + Aᵀ + diag(6 x₀, 0); by x and A: ∂(x_j x_k)/∂x_i; by A: 0.
    expect((JSON.parse(r.stdout) as { hessian: unknown }).hessian).toEqual([
      [8, 5, 2, 2, 2, 0],
      [5, 8, 0, 1, 1, 4],
      [2, 0, 0, 0, 0, 0],
      [2, 1, 0, 0, 0, 0],
      [2, 1, 0, 0, 0, 0],
      [0, 4, 0, 0, 0, 0],
    ]);
    const scalar = nndc(["eval", "examples/functions.nnd", "--fn", "f", "--at", '{"x": 0.5}', "--hessian"]);
    expect((JSON.parse(scalar.stdout) as { hessian: number[][] }).hessian[0]![0]).toBeCloseTo(1 / (1 + 0.25) ** 1.5, 14);
  });

  it("a fn of a vector value, or a model too large for a Hessian: a diagnostic, exit 1", () => {
    const v = nndc(["eval", "examples/functions.nnd", "--fn", "jac_softmax", "--at", '{"v": [1, 2, 3, 4]}', "--hessian"]);
    expect(v.status).toBe(1);
    expect(v.stderr).toMatch(/NND3022: eval --hessian: fn 'jac_softmax' has a value of shape \[4, 4\], but a Hessian is of a scalar/);
    expect(v.stdout).toBe("");
    const dir = tmp();
    const big = write(dir, "big.nnd", "model big {\n  input x: [1025]\n  param w: [1025] ~ zeros\n  loss = sum(w * x)^2\n}\n");
    const wide = Array.from({ length: 1025 }, () => 0);
    const m = nndc(["eval", big, "--params", write(dir, "p.json", { w: wide }), "--example", write(dir, "e.json", { x: wide }), "--hessian"]);
    expect(m.status).toBe(1);
    expect(m.stderr).toMatch(/NND3021: eval --hessian: nndc generates no Hessian for model 'big': it has 1025 parameter entries, and a Hessian is made for at most 1024/);
    const zeros = Array.from({ length: 65 }, () => 0);
    const s = nndc(["eval", write(dir, "s.nnd", "fn S(x: [65]) = sum(x^2)\n"), "--fn", "S", "--at", JSON.stringify({ x: zeros }), "--hessian"]);
    expect(s.status).toBe(1);
    expect(s.stderr).toMatch(/NND3021: eval --hessian: nndc generates no Hessian for fn 'S': it has 65 argument entries/);
  });
});
