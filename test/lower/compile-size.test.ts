// Code size grows linearly with the model: bytes per logistic-map step and
// per parameter stay bounded as models grow, with and without the Hessian
// (which is a loop over one Hessian-vector product, not P² straight lines).
// No time is measured here; bench/extras.ts measures it.

import { describe, expect, it } from "vitest";
import { compile } from "../../src/pipeline/compile.js";
import type { GeneratedModel } from "../../src/pipeline/load.js";
import { loadGenerated } from "../../src/pipeline/load.js";
import { tensor } from "../../src/graph/evaluate.js";
import { front } from "../support/front.js";
import { oracleModel } from "../support/oracle.js";
import { close } from "../support/values.js";

/** m ← 4 m (1 − m), n times from the one parameter w: a straight line of 3n operations. */
function logisticMap(n: number): string {
  const steps = Array.from({ length: n }, (_, k) => `  m${k + 1} = 4 * m${k} * (1 - m${k})`);
  return ["model logistic_map {", "  input  x: []", "  target y: []", "  param w: [] ~ const(0.3)", "  m0 = w", ...steps, `  output m${n}`, `  loss = m${n}`, "}"].join("\n");
}

/** inputs-hidden-1 with tanh: 8 (inputs + 1) + 9 parameters for hidden = 8. */
function network(inputs: number, hidden: number): string {
  return [
    "model net {",
    `  input  x: [${inputs}]`,
    "  target y: []",
    `  param W1: [${hidden}, ${inputs}] ~ xavier`,
    `  param b1: [${hidden}] ~ zeros`,
    `  param w2: [${hidden}] ~ xavier`,
    "  param b2: [] ~ zeros",
    "  h = tanh(W1 @ x + b1)",
    "  z = w2 @ h + b2",
    "  output z",
    "  loss = (z - y)^2",
    "}",
  ].join("\n");
}

async function compiled(text: string, hessian: boolean) {
  const checked = front(text, "m.nnd").checked!;
  const result = await compile(checked, { precision: "f64", source: "m.nnd", hessian });
  expect(result.diagnostics).toEqual([]);
  return { checked, result };
}
const bytes = async (text: string, hessian: boolean) => (await compiled(text, hessian)).result.code.length;

/** Each size at most twice the one before plus `slack` bytes: for doubling sizes, linear growth. */
function expectAtMostLinear(sizes: readonly number[], slack: number) {
  sizes.slice(1).forEach((s, k) => expect(s, `size ${k + 1} of ${sizes.join(", ")}`).toBeLessThanOrEqual(2 * sizes[k]! + slack));
}

describe.each([false, true])("code size, with the Hessian: %s", (hessian) => {
  it("grows linearly with the steps of the logistic map (n = 4, 8, 16, 32)", async () => {
    const sizes = [];
    for (const n of [4, 8, 16, 32]) sizes.push(await bytes(logisticMap(n), hessian));
    expectAtMostLinear(sizes, 1024);
    // Each step adds about the same: the last doubling's bytes per step are at most 1.5 times the first's.
    expect((sizes[3]! - sizes[2]!) / 16).toBeLessThanOrEqual(1.5 * ((sizes[1]! - sizes[0]!) / 4));
  });

  it("grows at most linearly with the parameters of small networks (inputs 1 … 125, 25 … 1017 entries)", async () => {
    const sizes = [];
    for (const inputs of [1, 2, 4, 8, 16, 32, 64, 125]) sizes.push(await bytes(network(inputs, 8), hessian));
    expectAtMostLinear(sizes, 8192);
  });

  it("stays the same for large networks: a loop's code does not depend on its trip count (2k … 131k entries)", async () => {
    const small = await bytes(network(256, 8), false);
    for (const inputs of [1024, 16384]) expect(await bytes(network(inputs, 8), false)).toBeLessThanOrEqual(small + 256);
    if (!hessian) return;
    // 1017 entries, just within the limit: the Hessian adds a bounded amount of code.
    expect(await bytes(network(125, 8), true)).toBeLessThanOrEqual(3 * small);
  });
});

describe("the logistic map iterated 30 times", () => {
  it.each([false, true])("compiles (Hessian: %s), and its gradient is the dual-number oracle's", async (hessian) => {
    const { checked, result } = await compiled(logisticMap(30), hessian);
    const model = (await loadGenerated(result.code))["logistic_map"] as GeneratedModel;
    for (const w of [0.3, 0.61, 0.875]) {
      const params = { w: Float64Array.of(w) };
      const grads = model.zeros();
      const loss = model.lossAndGrad(params, { x: Float64Array.of(0), y: Float64Array.of(0) }, 1, grads);
      const oracle = oracleModel(checked, "logistic_map", new Map([["w", tensor([], [w])], ["x", tensor([], [0])], ["y", tensor([], [0])]]));
      // The map is chaotic: rounding errors double each step, 2³⁰ ε ≈ 2·10⁻⁷ relative.
      expect(close(loss, oracle.value[0]!, 1e-5), `loss at w = ${w}`).toBe(true);
      expect(close(grads["w"]![0]!, oracle.grads.get("w")![0]!, 1e-5), `dL/dw at w = ${w}: ${grads["w"]![0]} vs ${oracle.grads.get("w")![0]}`).toBe(true);
    }
  });
});
