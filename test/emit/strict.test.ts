// Every generated module type-checks under the strictest options a project
// may set, whatever the precision, with or without the Hessian, and whatever
// names the user chose (parameters never read are `_`-named without taking a
// name the body uses).

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile, type CompileOptions } from "../../src/pipeline/compile.js";
import { front } from "../support/front.js";
import { strictErrors } from "../support/strict.js";

async function compiled(text: string, options: Partial<CompileOptions> = {}): Promise<string> {
  const parsed = front(text, "test.nnd");
  expect(parsed.checked, text).toBeDefined();
  return (await compile(parsed.checked!, { precision: "f64", source: "test.nnd", sourceFile: parsed.source!, ...options })).code;
}

const example = (file: string) => readFileSync(`examples/${file}`, "utf8");

describe("generated code under every strict option", () => {
  it.each(["xor.nnd", "linear_regression.nnd", "logistic_regression.nnd"])("%s with its Hessian", async (file) => {
    expect(strictErrors(await compiled(example(file), { hessian: true }))).toEqual([]);
  });

  it.each(["xor.nnd", "functions.nnd", "iris.nnd"])("%s in f32", async (file) => {
    expect(strictErrors(await compiled(example(file), { precision: "f32" }))).toEqual([]);
  });

  it("a fn so long that its locals are reused (let, reassigned)", async () => {
    const terms = Array.from({ length: 2_500 }, (_, i) => `tanh(${i + 1} * x) * y`).join(" + ");
    const code = await compiled(`fn f(x, y) = ${terms}\n`);
    expect(code).toMatch(/^\s+let /m);
    expect(strictErrors(code)).toEqual([]);
  });

  it("fns whose derivatives ignore an argument, beside names that start with _", async () => {
    const code = await compiled(`fn f(x, _x) = 3 * _x
fn g(_x, __x, v: [2]) = sum(v) + __x
fn h(x: [2]) = sum(x)`);
    expect(code).toMatch(/value\(__x: number, _x: number\)/);
    expect(code).toMatch(/value\(___x: number, __x: number, v: Float64Array\)/);
    expect(strictErrors(code)).toEqual([]);
  });

  it("a model whose initialisers draw nothing, and one whose loss ignores a parameter's value in the Hessian", async () => {
    const code = await compiled(
      `model line {
  input x: []
  target y: []
  param w: [] ~ const(0.5)
  param b: [] ~ zeros
  yhat = w * x + b
  output yhat
  loss = (yhat - y)^2
}`,
      { hessian: true },
    );
    expect(code).toContain("init(_seed: number)");
    expect(code).not.toContain("function random");
    expect(strictErrors(code)).toEqual([]);
  });

  it("the module's types are object types, so a model's parameters are a Record of arrays", async () => {
    const code = await compiled(example("xor.nnd"));
    const use = `${code}
const asRecord: Record<string, Float64Array> = xor.init(1);
const out: Record<string, Float64Array> = xor.forward(xor.zeros(), { x: new Float64Array(2) }, 1);
export const used = [asRecord, out, xor.hash.length];
`;
    expect(strictErrors(use)).toEqual([]);
  });
});
