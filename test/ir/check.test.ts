// Lowering gives well-typed IR (src/ir/check.ts) for every example, with
// every option, and for random expressions; and the checker does catch the
// mistakes it is there for.

import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { helperProblems, typeProblems, type ModuleScope } from "../../src/ir/check.js";
import { bin, cast, decl, load, num, ref, type Func, type Stmt } from "../../src/ir/ir.js";
import { generator, RANDOM_STATE } from "../../src/lower/init.js";
import { helpers } from "../../src/lower/scalar-ops.js";
import { compile, type Compiled } from "../../src/pipeline/compile.js";
import { front } from "../support/front.js";
import { scalarFn } from "../support/random-expr.js";

const allHelpers = new Map([...generator, ...helpers]);

function problemsOf(c: Compiled): string[] {
  const scope: ModuleScope = {
    buffers: [...c.models, ...c.fns].flatMap((m) => m.buffers.map((b) => b.name)),
    globals: new Map([[RANDOM_STATE.name, RANDOM_STATE.type]]),
    helpers: allHelpers,
  };
  return [...c.models.flatMap((m) => m.functions), ...c.fns.flatMap((f) => f.functions)].flatMap((fn) => typeProblems(fn, scope));
}

const examples = readdirSync("examples").filter((f) => f.endsWith(".nnd"));

describe("lowering gives well-typed IR", () => {
  it.each(examples)("%s, with every option, in f64 and f32", async (file) => {
    const checked = front(readFileSync(`examples/${file}`, "utf8"), file).checked!;
    for (const precision of ["f64", "f32"] as const) {
      const c = await compile(checked, { precision, source: file, hessian: true, inputGrad: true, jacobians: true, lossOutput: "row_loss" });
      expect(problemsOf(c)).toEqual([]);
    }
  });

  it("every helper and the seeded generator", () => {
    const scope: ModuleScope = { buffers: [], globals: new Map([[RANDOM_STATE.name, RANDOM_STATE.type]]), helpers: allHelpers };
    expect([...allHelpers.values()].flatMap((h) => helperProblems(h, scope))).toEqual([]);
  });

  it("random expressions, their gradients and Hessians", async () => {
    await fc.assert(
      fc.asyncProperty(scalarFn, async (text) => {
        const checked = front(text).checked;
        if (checked === undefined) return;
        expect(problemsOf(await compile(checked, { precision: "f64", source: "f.nnd", hessian: true, jacobians: true }))).toEqual([]);
      }),
      { numRuns: 40, seed: 15 },
    );
  });
});

describe("the type checker", () => {
  const scope: ModuleScope = { buffers: ["a"], globals: new Map(), helpers: allHelpers };
  const fn = (body: Stmt[], result: Func["result"] = { k: "none" }): Func => ({ name: "f", params: [{ k: "scalar", name: "n", type: "i32" }, { k: "scalar", name: "x", type: "f64" }], result, body });
  const cases: [string, Func, string][] = [
    ["an f64 index", fn([{ k: "store", array: "a", at: ref("x"), op: "=", value: num(1) }]), "f: the index into a is f64, not i32"],
    ["i32 beside f64", fn([decl("y", bin("*", ref("n"), ref("x")))]), "f: * between i32 and f64"],
    ["a quotient of i32", fn([decl("y", bin("/", num(1), ref("n")), { type: "i32" })]), "f: a quotient is i32, not f64"],
    ["an undeclared name", fn([decl("y", ref("z"))]), "f: the value of y is undeclared, not f64"],
    ["a loop to f64", fn([{ k: "for", index: "i", from: num(0), to: ref("x"), body: [] }]), "f: the bound of loop i is f64, not i32"],
    ["a number as a test", fn([{ k: "if", test: ref("x"), body: [] }]), "f: a test is f64, not bool"],
    ["a buffer as a number", fn([decl("y", ref("a"))]), "f: a as a number is buffer, not f64"],
    ["a cast from the wrong type", fn([decl("y", cast("f64", ref("x")))]), "f: the operand of a cast to f64 is f64, not i32"],
    ["a return from a function of none", fn([{ k: "return", value: ref("x") }]), "f: returns a value, but gives none"],
    ["a loop index out of its loop", fn([{ k: "for", index: "i", from: num(0), to: ref("n"), body: [] }, decl("y", load("a", ref("i")))]), "f: the index into a is undeclared, not i32"],
  ];
  it.each(cases)("finds %s", (_, f, problem) => expect(typeProblems(f, scope)).toContain(problem));
  it("passes what is well typed", () => {
    const ok = fn([decl("m", bin("*", ref("n"), num(2)), { type: "i32" }), { k: "store", array: "a", at: ref("m"), op: "+=", value: bin("/", ref("x"), cast("f64", ref("n"))) }, { k: "return", value: ref("x") }], { k: "scalar", type: "f64" });
    expect(typeProblems(ok, scope)).toEqual([]);
  });
});
