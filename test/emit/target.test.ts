// A target's tuning changes the code, never its values: digits (whose
// products are lifted out of the loop over examples) compiled with other
// chunk and block sizes and no unrolling gives the same loss and gradient.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { typescript } from "../../src/emit/typescript.js";
import { compile } from "../../src/pipeline/compile.js";
import { loadGenerated, type GeneratedModel } from "../../src/pipeline/load.js";
import { front } from "../support/front.js";
import { rng } from "../support/values.js";

const checked = front(readFileSync("examples/digits.nnd", "utf8"), "digits.nnd").checked!;

async function lossAndGrad(target = typescript) {
  const c = await compile(checked, { precision: "f64", source: "digits.nnd", target });
  const model = (await loadGenerated(c.code))["digits"] as GeneratedModel;
  const random = rng(3);
  const n = 37; // not a whole number of chunks
  const batch = { x: Float64Array.from({ length: n * 64 }, () => random()), y: Float64Array.from({ length: n * 10 }, (_, k) => (k % 10 === k % 7 ? 1 : 0)) };
  const params = model.init(5);
  const grads = model.zeros();
  return { code: c.code, loss: model.lossAndGrad(params, batch, n, grads), grads };
}

describe("a target's tuning", () => {
  it("changes the code, not the values", async () => {
    const tuned = { ...typescript, tuning: { ...typescript.tuning, unroll: { trips: 0, statements: 0, arrayEntries: 0 }, chunk: 8, liftFrom: 16, forwardBlock: { rows: 2, examples: 3 }, perExample: { rows: 3, split: 2, splitFrom: 4 }, gradientBlock: { rows: 3, cols: 2 } } };
    const [a, b] = [await lossAndGrad(), await lossAndGrad(tuned)];
    expect(b.code).not.toBe(a.code);
    expect(b.code).toContain("chunk += 8");
    expect(Math.abs(b.loss - a.loss)).toBeLessThanOrEqual(1e-12 * Math.abs(a.loss));
    for (const [name, g] of Object.entries(a.grads)) {
      const h = b.grads[name]!;
      g.forEach((v, k) => expect(Math.abs(h[k]! - v), `${name}[${k}]`).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(v))));
    }
  });

  it("TypeScript is the target unless told", async () => {
    expect((await lossAndGrad()).code).toBe((await compile(checked, { precision: "f64", source: "digits.nnd" })).code);
  });
});
