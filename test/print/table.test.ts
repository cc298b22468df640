// The golden table of printed derivatives, in the manner of esbuild's
// expectPrinted: each case of test/fixtures/print/cases.nnd (every derivative
// rule, each activation, every loss, the tutorials' classics, Jacobians and
// Hessians) and the networks of layers.nnd (two and three layers, a class
// target beside a soft one), with what
// `nndc grad` prints for it in Unicode and in LaTeX. UPDATE_GOLDEN=1 rewrites
// table.txt; read the diff as a reader of the formulas would. Every LaTeX
// block must parse with KaTeX, strictly (no stray Unicode in math mode).

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import katex from "katex";
import { describe, expect, it } from "vitest";
import { gradText } from "../../src/cli/commands/grad.js";

const CASES = "test/fixtures/print/cases.nnd";
const LAYERS = "test/fixtures/print/layers.nnd";
const GOLDEN = "test/fixtures/print/table.txt";

const fns = [...readFileSync(CASES, "utf8").matchAll(/^fn (\w+)/gm)].map((m) => m[1]!);
const models = [...readFileSync(LAYERS, "utf8").matchAll(/^model (\w+)/gm)].map((m) => m[1]!);
const targets = [...fns.map((fn) => ({ file: CASES, fn })), ...models.map((model) => ({ file: LAYERS, model }))];

function printed(t: (typeof targets)[number], latex: boolean): string {
  const text = gradText(t.file, { ...t, latex });
  if (typeof text === "number") throw new Error(`grad of ${JSON.stringify(t)} failed with exit ${text}`);
  return text;
}

describe("printed derivatives", () => {
  it("has at least 60 cases", () => expect(targets.length).toBeGreaterThanOrEqual(60));

  it("match the golden table", () => {
    const table = targets.map((t) => `=== ${"fn" in t ? `fn ${t.fn}` : `model ${t.model}`}\n${printed(t, false)}${printed(t, true)}`).join("\n");
    if (process.env["UPDATE_GOLDEN"] || !existsSync(GOLDEN)) writeFileSync(GOLDEN, table);
    expect(table).toBe(readFileSync(GOLDEN, "utf8"));
  });

  it.each(targets.map((t) => ["fn" in t ? t.fn : t.model, t] as const))("%s: the LaTeX parses with KaTeX", (_, t) => {
    const latex = printed(t, true);
    expect(() => katex.renderToString(latex, { displayMode: true, throwOnError: true, strict: "error" })).not.toThrow();
  });
});
