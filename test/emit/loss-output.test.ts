// compile's `lossOutput`: forward also returns each example's loss (what
// `nndc predict` reports, without computing a gradient); their mean is the
// loss lossAndGrad returns, regulariser included.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { check } from "../../src/check/check.js";
import { compile } from "../../src/pipeline/compile.js";
import { loadGenerated } from "../../src/pipeline/load.js";
import { parse } from "../../src/parse/parse.js";
import type { TrainableModel } from "../../src/runtime/train.js";

describe("forward with the loss as an output", () => {
  it.each(["xor", "iris", "digits", "linear_regression", "logistic_regression"])("%s: the mean of the rows' losses is lossAndGrad's loss", async (name) => {
    const checked = check(parse(readFileSync(`examples/${name}.nnd`, "utf8"), name).program!).checked!;
    const compiled = await compile(checked, { precision: "f64", source: name, lossOutput: "row_loss" });
    const [model] = [...checked.models.keys()];
    const generated = (await loadGenerated(compiled.code))[compiled.exports.get(model!)!] as TrainableModel;
    const n = 37;
    const batch: Record<string, Float64Array> = {};
    for (const v of compiled.models[0]!.data) {
      batch[v.name] = Float64Array.from({ length: n * v.shape.reduce((a, b) => a * b, 1) }, (_, i) => ((i * 7919) % 13) / 13);
    }
    const params = generated.init(3);
    const loss = generated.lossAndGrad(params, batch, n, generated.zeros());
    const rows = generated.forward(params, batch, n)["row_loss"]!;
    expect(rows).toHaveLength(n);
    expect(Array.from(rows).reduce((a, b) => a + b, 0) / n).toBeCloseTo(loss, 12);
    // The outputs themselves are unchanged.
    const plain = await compile(checked, { precision: "f64", source: name });
    const outputs = (await loadGenerated(plain.code))[plain.exports.get(model!)!] as TrainableModel;
    for (const o of compiled.models[0]!.outputs.filter((x) => x.name !== "row_loss")) {
      expect(Array.from(generated.forward(params, batch, n)[o.name]!)).toEqual(Array.from(outputs.forward(params, batch, n)[o.name]!));
    }
  });
});
