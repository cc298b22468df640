// The generated modules: up to date in generated/, deterministic, free of
// allocation in a training step, and correct whatever the user's names.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/pipeline/compile.js";
import { Deriver } from "../../src/pipeline/derive.js";
import { evaluate, type Tensor } from "../../src/graph/evaluate.js";
import type { GeneratedFn, GeneratedModel } from "../../src/pipeline/load.js";
import { front } from "../support/front.js";
import { generate } from "../support/generated.js";
import { ARGS, expressions } from "../support/random-expr.js";
import { close, randomTensor, rng } from "../support/values.js";

const examples = readdirSync("examples").filter((f) => f.endsWith(".nnd"));
const checkedExample = (file: string) => front(readFileSync(`examples/${file}`, "utf8"), `examples/${file}`).checked!;

describe("generated/", () => {
  it.each(examples)("holds the current output for %s (else run: nndc compile examples/*.nnd)", async (file) => {
    const parsed = front(readFileSync(`examples/${file}`, "utf8"), `examples/${file}`);
    const { code } = await compile(parsed.checked!, { precision: "f64", source: `examples/${file}`, sourceFile: parsed.source! });
    expect(readFileSync(`generated/${file.replace(/\.nnd$/, ".ts")}`, "utf8")).toBe(code);
  });

  it("compiling twice gives the same bytes", async () => {
    const checked = checkedExample("digits.nnd");
    const a = await compile(checked, { precision: "f64", source: "x" });
    const b = await compile(checked, { precision: "f64", source: "x" });
    expect(a.code).toBe(b.code);
  });
});

describe("a training step allocates nothing", () => {
  it.each(examples.filter((f) => f !== "functions.nnd"))("lossAndGrad in %s has no new, no literals, no closures", (file) => {
    const source = ts.createSourceFile("m.ts", readFileSync(`generated/${file.replace(/\.nnd$/, ".ts")}`, "utf8"), ts.ScriptTarget.ES2022, true);
    let step: ts.Node | undefined;
    const find = (n: ts.Node): void => {
      if (ts.isMethodDeclaration(n) && n.name.getText() === "lossAndGrad") step = n;
      ts.forEachChild(n, find);
    };
    find(source);
    expect(step).toBeDefined();
    const allocating: string[] = [];
    const walk = (n: ts.Node): void => {
      if (ts.isNewExpression(n) || ts.isArrayLiteralExpression(n) || ts.isObjectLiteralExpression(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isTemplateExpression(n) || ts.isSpreadElement(n)) {
        allocating.push(n.getText().slice(0, 60));
      }
      ts.forEachChild(n, walk);
    };
    walk(step!);
    expect(allocating).toEqual([]);
  });

  it("10,000 steps of the digits model leave the heap where it was", async () => {
    const { compiled } = await generate(checkedExample("digits.nnd"));
    const dir = mkdtempSync(join(tmpdir(), "nndc-heap-"));
    const js = ts.transpileModule(compiled.code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    writeFileSync(join(dir, "digits.mjs"), js);
    // A plain script, run with --expose-gc: measure after a warm-up, then after 10,000 more steps.
    writeFileSync(
      join(dir, "run.mjs"),
      [
        'import { digits } from "./digits.mjs";',
        "const params = digits.init(1); const grads = digits.zeros();",
        "const batch = { x: new Float64Array(32 * 64).fill(0.5), y: new Float64Array(32 * 10).fill(0.1) };",
        "for (let i = 0; i < 1000; i++) digits.lossAndGrad(params, batch, 32, grads);",
        "globalThis.gc(); const before = process.memoryUsage().heapUsed;",
        "for (let i = 0; i < 10000; i++) digits.lossAndGrad(params, batch, 32, grads);",
        "globalThis.gc(); const after = process.memoryUsage().heapUsed;",
        "console.log(after - before);",
      ].join("\n"),
    );
    const r = spawnSync(process.execPath, ["--expose-gc", join(dir, "run.mjs")], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    // A step that allocated even 8 bytes would leave 80 kB behind; allow for V8's own noise.
    expect(Number(r.stdout)).toBeLessThan(64 * 1024);
  });
});

describe("names that mean something to JavaScript", () => {
  const text = `dim constructor = 2
fn __proto__(toString: [constructor], valueOf) = sum(toString * toString) * valueOf
fn delete(arguments) = __proto__([arguments, 1], arguments)
model this {
  input eval: [constructor]
  target arguments: []
  param __proto__: [constructor] ~ normal(0, 1)
  param constructor2: [] ~ const(0.5)
  prototype = __proto__(eval, 1) * constructor2 + __proto__ @ eval
  output prototype
  loss = (prototype - arguments)^2
}`;

  it("compile to code that computes the right numbers", async () => {
    const checked = front(text).checked!;
    const { module, compiled } = await generate(checked);
    const model = module[compiled.exports.get("this")!] as GeneratedModel;
    expect(Object.keys(model.shapes)).toEqual(["__proto__", "constructor2"]);
    const params = model.init(4);
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
    expect(params["__proto__"]).toBeInstanceOf(Float64Array);
    const batch = { eval: Float64Array.of(0.3, -0.7), arguments: Float64Array.of(0.2) };
    const grads = model.zeros();
    const loss = model.lossAndGrad(params, batch, 1, grads);

    const derived = new Deriver(checked).model("this");
    const values = new Map<string, Tensor>([
      ["eval", { shape: [2], data: batch.eval }],
      ["arguments", { shape: [], data: batch.arguments }],
      ["__proto__", { shape: [2], data: params["__proto__"]! as Float64Array }],
      ["constructor2", { shape: [], data: params["constructor2"]! as Float64Array }],
    ]);
    const [wantLoss, g1, g2] = evaluate([derived.loss, ...derived.grads], values);
    expect(close(loss, wantLoss!.data[0]!, 1e-12)).toBe(true);
    expect(Array.from(grads["__proto__"]!).every((g, k) => close(g, g1!.data[k]!, 1e-12))).toBe(true);
    expect(close(grads["constructor2"]![0]!, g2!.data[0]!, 1e-12)).toBe(true);

    const fn = module[compiled.exports.get("delete")!] as GeneratedFn;
    expect(fn.value(2)).toBe(((2 * 2 + 1) * 2));
  });
});

describe("many functions", () => {
  it("a file of 300 random functions compiles, and its code runs", async () => {
    const bodies = fc.sample(expressions.S, { numRuns: 300, seed: 9 });
    const text = bodies.map((b, i) => `fn f${i}(${ARGS}) = ${b}`).join("\n");
    const checked = front(text).checked!;
    expect(checked).toBeDefined();
    const { module } = await generate(checked);
    const random = rng(3);
    const args = [random(), random(), randomTensor(random, [3]).data, randomTensor(random, [3]).data, randomTensor(random, [2, 3]).data];
    const deriver = new Deriver(checked);
    for (const i of [0, 150, 299]) {
      const value = (module[`f${i}`] as GeneratedFn).value(...args) as number;
      const d = deriver.fn(`f${i}`);
      const names = ["x", "y", "u", "v", "A"];
      const want = evaluate([d.value], new Map(names.map((n, k) => [n, { shape: d.wrt[k]!.shape, data: typeof args[k] === "number" ? Float64Array.of(args[k] as number) : (args[k] as Float64Array) }])))[0]!.data[0]!;
      expect(close(value, want, 1e-10)).toBe(true);
    }
  });
});

describe("fuzzed identifiers", () => {
  it("any names from JavaScript's vocabulary compile to code that computes the right numbers", async () => {
    const pool = ["constructor", "__proto__", "toString", "valueOf", "this", "eval", "arguments", "delete", "new", "class", "return", "params", "batch", "grads", "n", "out", "k", "next", "seed", "sigmoid", "i0", "i", "Math", "Float64Array", "undefined", "NaN", "hasOwnProperty", "_", "x_at"];
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.constantFrom(...pool), { minLength: 6, maxLength: 6 }), async ([inp, tgt, w, b, hidden, model]) => {
        const text = `model ${model} {
  input ${inp}: [3]
  target ${tgt}: []
  param ${w}: [2, 3] ~ normal(0, 1)
  param ${b}: [2] ~ uniform(-1, 1)
  ${hidden} = tanh(${w} @ ${inp} + ${b})
  output ${hidden}
  loss = (sum(${hidden}) - ${tgt})^2
}`;
        const checked = front(text).checked!;
        expect(checked, text).toBeDefined();
        const { module, compiled } = await generate(checked);
        const m = module[compiled.exports.get(model!)!] as GeneratedModel;
        const params = m.init(1);
        const batch = { [inp!]: Float64Array.of(0.1, 0.2, 0.3), [tgt!]: Float64Array.of(0.5) };
        const grads = m.zeros();
        const loss = m.lossAndGrad(params, batch, 1, grads);
        const out = m.forward(params, batch, 1);
        const d = new Deriver(checked).model(model!);
        const values = new Map<string, Tensor>([
          [inp!, { shape: [3], data: batch[inp!]! }],
          [tgt!, { shape: [], data: batch[tgt!]! }],
          [w!, { shape: [2, 3], data: params[w!] as Float64Array }],
          [b!, { shape: [2], data: params[b!] as Float64Array }],
        ]);
        const [wantLoss, wantHidden, gw, gb] = evaluate([d.loss, d.outputs[0]!.node, ...d.grads], values);
        expect(close(loss, wantLoss!.data[0]!, 1e-12)).toBe(true);
        expect(Array.from(out[hidden!]!).every((v, i) => close(v, wantHidden!.data[i]!, 1e-12))).toBe(true);
        expect(Array.from(grads[w!]!).every((v, i) => close(v, gw!.data[i]!, 1e-12))).toBe(true);
        expect(Array.from(grads[b!]!).every((v, i) => close(v, gb!.data[i]!, 1e-12))).toBe(true);
      }),
      { numRuns: 25, seed: 31 },
    );
  });
});
