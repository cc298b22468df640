// The printed-size comparison with SymPy (bench/sympy-size.ts): its token
// count treats both notations alike, and a run over a few expressions gives a
// ratio for each (with SymPy present; otherwise it says why it skipped).

import { expect, it } from "vitest";
import { measureSympySize, nndcTokens, tokens } from "../bench/sympy-size.js";

it.each([
  ["3*x**2", 5],
  ["3 x²", 3],
  ["exp(2 x) / √(1 + exp(2 x))", 16],
  ["exp(2*x)/sqrt(exp(2*x) + 1)", 18],
  ["−⅔ (o − y)", 7],
  ["2*x*y", 5],
  ["2 x y", 3],
  ["x³ᐟ² + A₀,₁", 5],
])("%s has %i tokens", (text, count) => {
  expect(tokens(text)).toBe(count);
});

it("counts the gradient's right side and each definition it uses, not the fn's own line", () => {
  const printed = "fn f\n  f = sin(x)²\n\nforward\n  z₁ = sin(x)\n\ngradient\n  ∂f/∂x = 2 z₁ cos(x)\n";
  expect(nndcTokens(printed)).toBe(tokens("z₁ = sin(x)") + tokens("2 z₁ cos(x)"));
});

it("measures a few expressions against SymPy, or says why it cannot", () => {
  const r = measureSympySize(4);
  if (typeof r === "string") return void expect(r).toMatch(/^skipped: /);
  expect(r.rows).toHaveLength(4);
  for (const row of r.rows) {
    expect(row.nndc).toBeGreaterThan(0);
    if (row.sympy !== null) expect(row.ratio).toBeCloseTo(row.nndc / row.sympy, 1);
  }
}, 120_000);
