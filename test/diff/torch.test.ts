// nndc's derivatives against PyTorch's, computed live in float64 by the
// Python with torch that test/support/python.ts finds (CI installs one):
//  - the Hessian of 0.01‖w‖² (smooth: 0.02 I, at 0 too), by `nndc eval --fn`;
//  - Newton's method on a ridge regression converges in one step;
//  - the power rule at a zero base or exponent (0^(2^x + x³ + 2), 0^y);
//  - second derivatives at kinks, as PyTorch's double backward;
//  - random powers with bases that are sometimes exactly 0.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { CheckedProgram } from "../../src/check/checked.js";
import { Deriver } from "../../src/pipeline/derive.js";
import { evaluate, type Tensor } from "../../src/graph/evaluate.js";
import type { GeneratedFn } from "../../src/pipeline/load.js";
import { front } from "../support/front.js";
import { generate } from "../support/generated.js";
import { oracleFn } from "../support/oracle.js";
import { NO_TORCH, torchPython, withNonFinite } from "../support/python.js";
import { flat, torchDerivatives, type TorchJob, type TorchResult, type Value } from "../support/torch-derivatives.js";
import { close } from "../support/values.js";

const BIN = "dist/cli/main.js";
const python = torchPython();
const tmp = () => mkdtempSync(join(tmpdir(), "nndc-torch-"));

function nndc(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "" } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** eval's JSON, whether non-finite numbers are printed bare (NaN) or as strings ("NaN"). */
function evalJson(stdout: string): { value: Value; grad: Record<string, Value> } {
  const quoted = stdout.replace(/(?<!")(-?Infinity|NaN)(?!")/g, '"$1"');
  return withNonFinite(JSON.parse(quoted)) as { value: Value; grad: Record<string, Value> };
}

function evalFn(file: string, fn: string, at: Record<string, Value>) {
  const r = nndc(["eval", file, "--fn", fn, "--at", JSON.stringify(at)]);
  expect(r.status, r.stderr).toBe(0);
  return { ...evalJson(r.stdout), stderr: r.stderr };
}

/** Equal to 1e-9 relative, NaN to NaN and ±∞ to itself. */
function expectSame(got: Value | Float64Array, want: Value, what: string) {
  const g = flat(got);
  const w = flat(want);
  expect(g.length, what).toBe(w.length);
  const ok = g.every((x, i) => close(x, w[i]!, 1e-9, 1e-12));
  expect(ok, `${what}\n nndc    ${g.join(", ")}\n PyTorch ${w.join(", ")}`).toBe(true);
}

const torch = (jobs: readonly TorchJob[]) => torchDerivatives(python!, jobs);

describe.skipIf(python === undefined)(`against PyTorch${python === undefined ? ` (${NO_TORCH})` : ""}`, () => {
  beforeAll(() => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'npm run build' (npm test does it)`);
  });

  describe("0.01 ‖w‖², by nndc eval --fn", () => {
    const dir = tmp();
    const file = join(dir, "ridge.nnd");
    writeFileSync(file, "fn r(w: [3]) = 0.01 * norm2(w)^2\nfn gr(w: [3]) = diff(r(w), w)\nfn gd(w: [3]) = diff(0.01 * dot(w, w), w)\n");

    it.each([
      ["0", [0, 0, 0]],
      ["[0.3, −1, 2]", [0.3, -1, 2]],
    ])("its gradient and Hessian at w = %s are PyTorch's (the Hessian 0.02 I)", (_, w) => {
      // PyTorch's own double backward through torch.linalg.vector_norm(w)**2
      // gives NaN at w = 0 (its norm backward divides by the norm there): the
      // smooth form Σ w² is the reference at 0, and the norm form elsewhere.
      const f = w.every((x) => x === 0) ? "lambda w: 0.01 * (w ** 2).sum()" : "lambda w: 0.01 * torch.linalg.vector_norm(w) ** 2";
      const [want] = torch([{ mode: "second", f, args: [w] }]);
      // eval of the gradient fn prints the gradient (its value) and the Hessian (its gradient).
      const gr = evalFn(file, "gr", { w });
      const gd = evalFn(file, "gd", { w });
      expectSame(gr.value, want!.value, "∇r");
      expectSame(gr.grad["w"]!, want!.grads[0]!, "∇²r");
      expectSame(gd.grad["w"]!, want!.grads[0]!, "∇²(0.01 w·w)");
      expectSame(gr.grad["w"]!, [[0.02, 0, 0], [0, 0.02, 0], [0, 0, 0.02]], "∇²r = 0.02 I");
      // ‖w‖² is smooth: no warning that norm2 has no derivative at 0.
      expect(gr.stderr).not.toMatch(/NND4004/);
    });

    it("a ridge regression trains by Newton's method in one step to PyTorch's minimiser", () => {
      const model = join(dir, "ridge-model.nnd");
      writeFileSync(
        model,
        "model ridge {\n  input x: [3]\n  target y: []\n  param w: [3] ~ zeros\n  param b: [] ~ zeros\n  loss = (w @ x + b - y)^2 + 0.01 * norm2(w)^2\n}\n",
      );
      const rows = Array.from({ length: 12 }, (_, i) => {
        const x = [Math.sin(i + 1), Math.cos(2 * i), (i % 5) / 5 - 0.4];
        return [...x, 1.5 * x[0]! - 2 * x[1]! + 0.5 * x[2]! + 0.3 + 0.05 * Math.sin(7 * i)];
      });
      const data = join(dir, "ridge.csv");
      writeFileSync(data, ["a,b,c,y", ...rows.map((r) => r.join(","))].join("\n") + "\n");
      const out = join(dir, "ridge.weights.json");
      const r = nndc(["train", model, "--data", data, "--columns", "x=a,b,c;y=y", "--optimizer", "newton", "--epochs", "1", "--out", out]);
      expect(r.status, r.stderr).toBe(0);
      const saved = JSON.parse(readFileSync(out, "utf8")) as { params?: Record<string, Value> } & Record<string, Value>;
      const params = (saved.params ?? saved) as Record<string, Value>;
      const got = [...flat(params["w"]!), ...flat(params["b"]!)];

      // PyTorch: one Newton step from 0 on the mean loss, which for a
      // quadratic is the minimiser; its gradient there is 0.
      const loss = `lambda t: ((torch.tensor(${JSON.stringify(rows.map((r) => r.slice(0, 3)))}) @ t[:3] + t[3] - torch.tensor(${JSON.stringify(rows.map((r) => r[3]))})) ** 2).mean() + 0.01 * (t[:3] ** 2).sum()`;
      const [at0] = torch([{ mode: "second", f: loss, args: [[0, 0, 0, 0]] }]);
      const g = flat(at0!.value);
      const H = at0!.grads[0] as number[][];
      const step = solve(H, g).map((v) => -v);
      const [atStep] = torch([{ mode: "grad", f: loss, args: [step] }]);
      expect(Math.max(...flat(atStep!.grads[0]!).map(Math.abs))).toBeLessThan(1e-12);
      expectSame(got, step, "weights after one Newton step");
    });
  });

  describe("the power rule at 0, by nndc eval --fn", () => {
    const file = join(tmp(), "pow.nnd");
    writeFileSync(
      file,
      [
        "fn p(x: [3]) = 0^(2^x + x^3 + 2)",
        "fn q(x: [5], y: [5]) = x^y",
        "fn c(x: [4]) = [x[0]^0.5, x[1]^1, x[2]^2, x[3]^0]",
        "",
      ].join("\n"),
    );

    it("d/dx 0^(2^x + x³ + 2) is 0 (mathjs's and PyTorch's value), not NaN", () => {
      const x = [1, 0, -0.5];
      const [want] = torch([{ mode: "grad", f: "lambda x: torch.tensor(0.0) ** (2 ** x + x ** 3 + 2)", args: [x] }]);
      const got = evalFn(file, "p", { x });
      expectSame(got.value, want!.value, "value");
      expectSame(got.grad["x"]!, want!.grads[0]!, "Jacobian");
      expect(flat(got.grad["x"]!)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    });

    it.each([
      ["at a zero base, for y = 0.5, 1, 2, 0, −1", [0, 0, 0, 0, 0], [0.5, 1, 2, 0, -1]],
      ["at positive bases", [0.5, 1.5, 2, 1, 3], [0.5, 1, 2.5, 0, -1.5]],
    ])("x^y and both its partial derivatives %s are PyTorch's", (_, x, y) => {
      const [want] = torch([{ mode: "grad", f: "lambda x, y: x ** y", args: [x, y] }]);
      const got = evalFn(file, "q", { x, y });
      expectSame(got.value, want!.value, "value");
      expectSame(got.grad["x"]!, want!.grads[0]!, "∂/∂x");
      expectSame(got.grad["y"]!, want!.grads[1]!, "∂/∂y");
    });

    it("x^c at x = 0 for constant c = 0.5, 1, 2, 0 is PyTorch's (∞, 1, 0, 0)", () => {
      const f = "lambda x: (x[0] ** 0.5, x[1] ** 1.0, x[2] ** 2.0, x[3] ** 0.0)";
      const [want] = torch([{ mode: "grad", f, args: [[0, 0, 0, 0]] }]);
      const got = evalFn(file, "c", { x: [0, 0, 0, 0] });
      expectSame(got.value, want!.value, "value");
      expectSame(got.grad["x"]!, want!.grads[0]!, "Jacobian");
    });
  });

  describe("second derivatives at kinks, as PyTorch's double backward", () => {
    interface Kink {
      readonly nnd: string;
      readonly args: string;
      readonly torch: string;
      readonly at: readonly (readonly Value[])[];
      /** Where PyTorch's value is an artefact and nndc's is kept: what PyTorch gives, and why. */
      readonly differs?: { readonly at: number; readonly torch: "NaN"; readonly why: string };
    }
    const kinks: Record<string, Kink> = {
      abs: { nnd: "abs(x)", args: "x", torch: "lambda x: torch.abs(x)", at: [[0], [1], [-1]] },
      relu: { nnd: "relu(x)", args: "x", torch: "lambda x: torch.relu(x)", at: [[0], [1], [-1]] },
      leaky_relu: { nnd: "leaky_relu(x, 0.01)", args: "x", torch: "lambda x: F.leaky_relu(x, 0.01)", at: [[0], [1], [-1]] },
      // PyTorch's slope is not differentiable; where() is the same function.
      leaky_relu_slope: { nnd: "leaky_relu(x, a)", args: "x, a", torch: "lambda x, a: torch.where(x > 0, x, a * x)", at: [[0, 0.1], [-1, 0.1], [1, 0.1]] },
      sign: { nnd: "sign(x)", args: "x", torch: "lambda x: torch.sign(x)", at: [[0], [1]] },
      sqrt: { nnd: "sqrt(x)", args: "x", torch: "lambda x: torch.sqrt(x)", at: [[0], [1]] },
      huber: {
        nnd: "huber(p, 0, 1)",
        args: "p",
        torch: "lambda p: F.huber_loss(p, torch.tensor(0.0), delta=1.0)",
        at: [[1], [-1], [0], [0.5], [2]],
      },
      huber_vector: {
        nnd: "huber(p, y, 0.5)",
        args: "p: [3], y: [3]",
        torch: "lambda p, y: F.huber_loss(p, y, delta=0.5)",
        at: [[[1, -0.5, 0.2], [0.5, 0, 0.2]]],
      },
      pow: { nnd: "x^y", args: "x, y", torch: "lambda x, y: x ** y", at: [[1.5, 2.5], [2, -1], [0, 2], [0, 3]] },
      norm2: {
        nnd: "norm2(w)",
        args: "w: [3]",
        torch: "lambda w: torch.linalg.vector_norm(w)",
        at: [[[0.3, -1, 2]], [[0, 0, 0]]],
        differs: { at: 1, torch: "NaN", why: "‖w‖ has no second derivative at 0; nndc keeps its convention of 0 there, PyTorch's norm backward divides 0 by 0" },
      },
      zero_base: {
        nnd: "0^(2^x + x^3 + 2)",
        args: "x",
        torch: "lambda x: torch.tensor(0.0) ** (2 ** x + x ** 3 + 2)",
        at: [[1]],
        differs: { at: 0, torch: "NaN", why: "0^b is 0 for every b near there, so 0 is exact; PyTorch's where() passes 0 · log 0 back" },
      },
    };
    const names = Object.keys(kinks);
    // The fn's arguments in order, as the generated code takes them.
    const argNames = (k: string) => kinks[k]!.args.split(",").map((a) => a.split(":")[0]!.trim());
    // f_i is the function, d_i its derivative in the first argument (whose derivatives are the second ones).
    const program = names
      .map((k, i) => `fn f${i}(${kinks[k]!.args}) = ${kinks[k]!.nnd}\nfn d${i}(${kinks[k]!.args}) = diff(f${i}(${argNames(k).join(", ")}), ${argNames(k)[0]})`)
      .join("\n");
    const asInput = (v: Value) => (typeof v === "number" ? v : Float64Array.from(flat(v)));
    const asTensor = (v: Value): Tensor => ({ shape: typeof v === "number" ? [] : [flat(v).length], data: Float64Array.from(flat(v)) });
    const asValue = (v: number | Float64Array | Float32Array) => (typeof v === "number" ? v : Float64Array.from(v));

    // One program, one compilation and one Python run for all of them.
    let prepared: Promise<{ checked: CheckedProgram; module: Record<string, unknown>; exports: ReadonlyMap<string, string>; wants: TorchResult[][] }> | undefined;
    const prepare = () =>
      (prepared ??= (async () => {
        const checked = front(program).checked!;
        expect(checked, program).toBeDefined();
        const { compiled, module } = await generate(checked);
        const jobs = names.flatMap((k) => kinks[k]!.at.map((args): TorchJob => ({ mode: "second", f: kinks[k]!.torch, args })));
        const results = torch(jobs);
        let next = 0;
        const wants = names.map((k) => kinks[k]!.at.map(() => results[next++]!));
        return { checked, module, exports: compiled.exports, wants };
      })());

    it.each(names)("%s", async (name) => {
      const { checked, module, exports, wants: all } = await prepare();
      const i = names.indexOf(name);
      const kink = kinks[name]!;
      const d = module[exports.get(`d${i}`)!] as GeneratedFn;
      const derived = new Deriver(checked).fn(`d${i}`);
      const wants = all[i]!;
      kink.at.forEach((args, j) => {
        const where = `${name} at (${args.map((a) => JSON.stringify(a)).join(", ")})`;
        const value = asValue(d.value(...args.map(asInput)));
        const grad = d.grad(...args.map(asInput));
        const want = wants[j]!;
        // The interpreter agrees with the generated code.
        const env = new Map(argNames(name).map((n, k) => [n, asTensor(args[k]!)]));
        const interpreted = evaluate([derived.value], env)[0]!;
        expectSame(interpreted.data, flat(value), `${where}: interpreter vs generated code`);
        if (kink.differs?.at === j) {
          expect(flat(want.grads[0]!).some(Number.isNaN), `${where}: PyTorch gives NaN here (${kink.differs.why})`).toBe(true);
          expect(flat(grad[argNames(name)[0]!]!).every(Number.isFinite), `${where}: nndc's value is finite`).toBe(true);
          return;
        }
        expectSame(value, want.value, `${where}: first derivative`);
        argNames(name).forEach((a, k) => expectSame(asValue(grad[a]!), want.grads[k]!, `${where}: second derivative, ∂/∂${a}`));
      });
    });
  });

  it("random powers with bases that are sometimes exactly 0 (nndc eval's code, its interpreter and the dual-number oracle)", async () => {
    const cases = fc.sample(powExpression, { numRuns: 60, seed: 13 });
    const points = fc.sample(fc.tuple(fc.constantFrom(0, 0, 0.5, 1, 1.5, 2), fc.constantFrom(0, 0, 0.5, 1, 1.5, 2)), { numRuns: cases.length, seed: 14 });
    const source = cases.map((c, i) => `fn f${i}(x, y) = ${c.nnd}`).join("\n");
    const checked = front(source).checked!;
    expect(checked, source).toBeDefined();
    const { compiled, module } = await generate(checked);
    const wants = torch(cases.map((c, i) => ({ mode: "grad", f: `lambda x, y: ${c.py}`, args: [...points[i]!] })));
    const deriver = new Deriver(checked);
    let compared = 0;
    cases.forEach((c, i) => {
      const [x, y] = points[i]!;
      const what = `${c.nnd} at x = ${x}, y = ${y}`;
      const fn = module[compiled.exports.get(`f${i}`)!] as GeneratedFn;
      const got = [fn.value(x, y) as number, fn.grad(x, y)["x"] as number, fn.grad(x, y)["y"] as number];
      const want = [wants[i]!.value as number, wants[i]!.grads[0] as number, wants[i]!.grads[1] as number];
      const d = deriver.fn(`f${i}`);
      const env = new Map<string, Tensor>([["x", { shape: [], data: Float64Array.of(x) }], ["y", { shape: [], data: Float64Array.of(y) }]]);
      const interpreted = evaluate([d.value, ...d.grads.map((g) => g!)], env).map((t) => t.data[0]!);
      const oracle = oracleFn(checked, `f${i}`, env);
      const dual = [oracle.value[0]!, oracle.grads.get("x")![0]!, oracle.grads.get("y")![0]!];
      ["value", "∂/∂x", "∂/∂y"].forEach((part, k) => {
        expect(close(interpreted[k]!, got[k]!, 1e-12), `${what}: ${part}: interpreter ${interpreted[k]} vs generated ${got[k]}`).toBe(true);
        // PyTorch's NaN comes from 0 · ∞ inside its chain rule, where nndc's
        // simplified form (x^½ x^½ = x) can be exact: nothing to compare.
        if (Number.isNaN(want[k]!)) return;
        compared++;
        expect(close(got[k]!, want[k]!, 1e-9, 1e-12), `${what}: ${part}: nndc ${got[k]}, PyTorch ${want[k]}`).toBe(true);
        expect(close(dual[k]!, want[k]!, 1e-9, 1e-12), `${what}: ${part}: dual-number oracle ${dual[k]}, PyTorch ${want[k]}`).toBe(true);
      });
    });
    expect(compared).toBeGreaterThan(cases.length * 2);
  });
});

/** Solves H v = g by Gaussian elimination with partial pivoting (H small and well conditioned). */
function solve(H: readonly (readonly number[])[], g: readonly number[]): number[] {
  const n = g.length;
  const a = H.map((row, i) => [...row, g[i]!]);
  for (let c = 0; c < n; c++) {
    const p = a.reduce((best, _, r) => (r >= c && Math.abs(a[r]![c]!) > Math.abs(a[best]![c]!) ? r : best), c);
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const k = a[r]![c]! / a[c]![c]!;
      for (let j = c; j <= n; j++) a[r]![j]! -= k * a[c]![j]!;
    }
  }
  return a.map((row, i) => row[n]! / row[i]!);
}

interface Expr {
  readonly nnd: string;
  readonly py: string;
}

/**
 * Sums, products and powers of x, y and positive constants; a power's base
 * is often 0 or a product that is 0 where x or y is. Exponents are never
 * negative (so no value is infinite) and no constant 0 is a factor (so no
 * simplifier rule such as u · 0 → 0 hides a PyTorch NaN).
 */
const powExpression: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr; base: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: "small", maxDepth: 3 },
    fc.constantFrom<Expr>({ nnd: "x", py: "x" }, { nnd: "y", py: "y" }, { nnd: "0.5", py: "torch.tensor(0.5)" }, { nnd: "2", py: "torch.tensor(2.0)" }, { nnd: "3", py: "torch.tensor(3.0)" }),
    fc.tuple(tie("e"), fc.constantFrom("+", "*"), tie("e")).map(([a, op, b]) => ({ nnd: `(${a.nnd} ${op} ${b.nnd})`, py: `(${a.py} ${op} ${b.py})` })),
    fc.tuple(tie("base"), tie("e")).map(([a, b]) => ({ nnd: `(${a.nnd})^(${b.nnd})`, py: `(${a.py}) ** (${b.py})` })),
    fc.tuple(tie("base"), tie("e")).map(([a, b]) => ({ nnd: `(${a.nnd})^(${b.nnd})`, py: `(${a.py}) ** (${b.py})` })),
  ),
  base: fc.oneof(
    fc.constantFrom<Expr>({ nnd: "0", py: "torch.tensor(0.0)" }, { nnd: "x", py: "x" }, { nnd: "(x * y)", py: "(x * y)" }),
    tie("e"),
  ),
})).e;
