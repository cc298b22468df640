// Scoped, stable names (src/lower/names.ts): each model and fn has a scope of
// its own, temporaries are numbered in it, and scratch arrays are named after
// their owner, so adding a fn anywhere in a file leaves the generated text of
// every other model and fn as it was.

import ts from "typescript";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/pipeline/compile.js";
import { Renamer } from "../../src/lower/names.js";
import { front } from "../support/front.js";

const MODEL = `model m {
  input x: [3]
  target y: [2]
  param W: [4, 3] ~ xavier
  param V: [2, 4] ~ xavier
  h = tanh(W @ x)
  loss = softmax_cross_entropy(V @ h, y) + 0.01 * sum(W^2)
}`;
const F = "fn f(v: [3]) = softmax(v)";
const G = "fn g(x) = sigmoid(x)^2 + x";
const NEW = "fn n(v: [3]) = logsumexp(v) + sum(exp(v) * v) + erf(v[0])";

/** Each export's text with the scratch arrays declared just before it; helpers are the module's and left out. */
function exportsOf(code: string): Map<string, string> {
  const file = ts.createSourceFile("m.ts", code, ts.ScriptTarget.ES2022, true);
  const blocks = new Map<string, string>();
  let pending: string[] = [];
  for (const s of file.statements) {
    if (ts.isFunctionDeclaration(s)) continue;
    pending.push(s.getText(file));
    const exported = ts.isVariableStatement(s) && s.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (exported) {
      blocks.set(s.declarationList.declarations[0]!.name.getText(file), pending.join("\n"));
      pending = [];
    }
  }
  return blocks;
}

const generate = async (parts: readonly string[]) => {
  const checked = front(parts.join("\n\n")).checked!;
  expect(checked).toBeDefined();
  return exportsOf((await compile(checked, { precision: "f64", source: "t.nnd", hessian: true })).code);
};

describe("names", () => {
  it.each([
    ["at the start", [NEW, MODEL, F, G]],
    ["between two fns", [MODEL, F, NEW, G]],
    ["at the end", [MODEL, F, G, NEW]],
  ])("a fn added %s leaves every other model's and fn's text unchanged", async (_, withNew) => {
    const before = await generate([MODEL, F, G]);
    const after = await generate(withNew);
    expect([...after.keys()].sort()).toEqual(["f", "g", "m", "n"]);
    // The comments that cite the .nnd line move with the model; nothing else may change.
    const lineless = (text: string | undefined) => text?.replace(/\(t\.nnd:\d+\)/g, "(t.nnd:…)");
    for (const [name, text] of before) expect(lineless(after.get(name)), name).toBe(lineless(text));
  });

  it("a scope numbers its own temporaries and names module-level arrays after its owner", () => {
    const module = new Renamer();
    module.reserve("f");
    const f = module.scope("f");
    const g = module.scope("g");
    expect([f.temporary("t"), f.temporary("s"), g.temporary("t")]).toEqual(["t1", "s2", "t1"]);
    expect([f.moduleLevel("h"), g.moduleLevel("h"), f.moduleLevel("h")]).toEqual(["f_h", "g_h", "f_h_2"]);
    expect([f.baseOf("f_h_2"), f.baseOf("x")]).toEqual(["h", "x"]);
    // A module-level name is taken in the module too: a later scope does not reuse it.
    expect(module.scope("k").fresh("f_h")).toBe("f_h_3");
  });
});
