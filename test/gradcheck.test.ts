// gradcheck must fail when a derivative is wrong, and skip what it cannot judge.

import { describe, expect, it } from "vitest";
import type { Derived } from "../src/pipeline/derive.js";
import { gradcheck } from "../src/verify/gradcheck.js";
import { Graph } from "../src/graph/node.js";
import { sugar } from "../src/graph/sugar.js";

function fixture(wrongBy: number) {
  const g = new Graph();
  const $ = sugar(g);
  const x = g.variable("x", "arg", [3]);
  const value = $.sum($.pow(x, $.c(3)));
  // The right gradient is 3x²; a wrong one is (3 + wrongBy)x².
  const grad = $.mul($.c(3 + wrongBy), $.pow(x, $.c(2)));
  const derived: Derived = { graph: g, forward: [{ name: "f", node: value }], names: new Map(), wrt: [x], grads: [grad], adjoints: new Map() };
  return { derived, value, x };
}

describe("gradcheck", () => {
  it("accepts a right derivative", () => {
    const { derived, value, x } = fixture(0);
    const [check] = gradcheck(derived, value, [x], () => [-1, 1]);
    expect(check!.ok).toBe(true);
    expect(check!.worst).toBeLessThan(1e-6);
  });

  it("rejects a derivative that is off by 0.1 %", () => {
    const { derived, value, x } = fixture(0.003);
    const [check] = gradcheck(derived, value, [x], () => [-1, 1]);
    expect(check!.ok).toBe(false);
    expect(check!.worst).toBeGreaterThan(5e-4);
  });

  it("skips a point at a kink and draws another", () => {
    const g = new Graph();
    const $ = sugar(g);
    const x = g.variable("x", "arg", []);
    const value = $.abs(x);
    const derived: Derived = { graph: g, forward: [{ name: "f", node: value }], names: new Map(), wrt: [x], grads: [$.sign(x)], adjoints: new Map() };
    // Every point drawn from [-1e-6, 1e-6] is within h of the kink at 0.
    const [check] = gradcheck(derived, value, [x], () => [-1e-6, 1e-6]);
    expect(check!.skipped).toMatch(/no point away from kinks/);
  });
});
