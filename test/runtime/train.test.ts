// The runtime API as a user of the generated module uses it: a hand-written
// optimizer behind the Optimizer interface trains the generated XOR model.

import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import type { Optimizer, Params } from "../../src/runtime/optimizers.js";
import { fromCsv } from "../../src/runtime/data.js";
import { train, accuracy, type TrainableModel } from "../../src/runtime/train.js";
import { front } from "../support/front.js";
import { generate } from "../support/generated.js";

/** The README's example: gradient descent with a decaying step. */
function decaying(lr: number, halfLife: number): Optimizer {
  let t = 0;
  return {
    name: "decaying",
    lr,
    step(params: Params, grads: Params) {
      const rate = lr / (1 + t++ / halfLife);
      for (const name of Object.keys(params)) {
        const p = params[name]!;
        const g = grads[name]!;
        for (let i = 0; i < p.length; i++) p[i]! -= rate * g[i]!;
      }
    },
    state: () => ({ name: "decaying", step: t, slots: {} }),
    restore: (s) => void (t = s.step),
  };
}

it("a user-written optimizer trains the generated XOR model", async () => {
  const checked = front(readFileSync("examples/xor.nnd", "utf8")).checked!;
  const model = (await generate(checked)).module["xor"] as TrainableModel;
  const data = fromCsv(readFileSync("examples/data/xor.csv", "utf8"), "xor.csv", { inputs: [{ name: "x", shape: [2] }], targets: [{ name: "y", shape: [] }] });
  const params = model.init(1);
  const result = train(model, params, decaying(2, 2000), { train: data }, { epochs: 2000, batch: 4, seed: 1 });
  expect(result.history.at(-1)!.loss).toBeLessThan(0.05);
  expect(accuracy(model, params, data, "yhat", "y")).toBe(1);
});
