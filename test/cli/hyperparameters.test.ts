// The table of optimizers and schedules behind `nndc train`'s options: its
// defaults are the runtime's, and what it builds is what the runtime builds.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { makeOptimizer, OPTIMIZERS, readHyperparameters, type OptimizerName } from "../../src/cli/hyperparameters.js";
import { fromCsv } from "../../src/runtime/data.js";
import { adagrad, adam, adamw, rmsprop, sgd, type Optimizer, type Shapes } from "../../src/runtime/optimizers.js";
import { cosine, stepDecay, warmup, constant, type Schedule } from "../../src/runtime/schedule.js";
import { train, type TrainableModel } from "../../src/runtime/train.js";
import { front } from "../support/front.js";
import { generate } from "../support/generated.js";

const runtimeDefaults: Record<Exclude<OptimizerName, "newton">, (s: Shapes, lr: number) => Optimizer> = {
  sgd: (s, lr) => sgd(s, { lr }),
  momentum: (s, lr) => sgd(s, { lr, momentum: 0.9 }),
  nesterov: (s, lr) => sgd(s, { lr, momentum: 0.9, nesterov: true }),
  adagrad: (s, lr) => adagrad(s, { lr }),
  rmsprop: (s, lr) => rmsprop(s, { lr }),
  adam: (s, lr) => adam(s, { lr }),
  adamw: (s, lr) => adamw(s, { lr }),
};

async function xor() {
  const model = (await generate(front(readFileSync("examples/xor.nnd", "utf8")).checked!)).module["xor"] as TrainableModel;
  const data = fromCsv(readFileSync("examples/data/xor.csv", "utf8"), "xor.csv", { inputs: [{ name: "x", shape: [2] }], targets: [{ name: "y", shape: [] }] });
  const run = (optimizer: Optimizer, schedule?: Schedule) => {
    const params = model.init(1);
    train(model, params, optimizer, { train: data }, { epochs: 6, batch: 2, seed: 1, ...(schedule === undefined ? {} : { schedule }) });
    return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.from(v)]));
  };
  return { model, run };
}

describe("the table", () => {
  it("each optimizer's defaults are the runtime's own (the same trajectory)", async () => {
    const { model, run } = await xor();
    for (const [name, make] of Object.entries(runtimeDefaults)) {
      const h = readHyperparameters(name as OptimizerName, {}, 6);
      if ("code" in h) throw new Error(h.message);
      expect(run(makeOptimizer(h, model.shapes)), name).toEqual(run(make(model.shapes, (OPTIMIZERS[name as OptimizerName] as { lr: number }).lr)));
    }
  });

  it("schedules count epochs: step, cosine and a warm-up as the runtime builds them", async () => {
    const { model, run } = await xor();
    const cases: [Record<string, string>, Schedule][] = [
      [{ schedule: "step", stepEvery: "2", gamma: "0.5" }, stepDecay(0.01, 2, 0.5)],
      [{ schedule: "step", stepEvery: "3" }, stepDecay(0.01, 3, 0.1)],
      [{ schedule: "cosine", warmup: "2" }, warmup(cosine(0.01, 6), 2)],
      [{ warmup: "4" }, warmup(constant(0.01), 4)],
    ];
    for (const [options, schedule] of cases) {
      const h = readHyperparameters("adam", options, 6);
      if ("code" in h) throw new Error(h.message);
      expect(run(makeOptimizer(h, model.shapes), h.schedule), JSON.stringify(options)).toEqual(run(adam(model.shapes, { lr: 0.01 }), schedule));
    }
  });
});

describe("bad values and options that do not apply", () => {
  it.each([
    ["adam", { momentum: "0.9" }, "NND3041", "--momentum applies to the optimizers sgd, momentum and nesterov, not to adam"],
    ["sgd", { beta1: "0.8" }, "NND3041", "--beta1 applies to the optimizers adam and adamw, not to sgd"],
    ["rmsprop", { beta2: "0.8" }, "NND3041", "--beta2 applies to the optimizers adam and adamw, not to rmsprop"],
    ["sgd", { eps: "1e-6" }, "NND3041", "--eps applies to the optimizers adagrad, rmsprop, adam and adamw, not to sgd"],
    ["newton", { lr: "1" }, "NND3041", "--lr applies to the optimizers sgd, momentum, nesterov, adagrad, rmsprop, adam and adamw, not to newton"],
    ["newton", { weightDecay: "0.1" }, "NND3041", "--weight-decay applies to the optimizers sgd, momentum, nesterov, adagrad, rmsprop, adam and adamw, not to newton"],
    ["newton", { schedule: "cosine" }, "NND3041", "--schedule applies to the optimizers sgd, momentum, nesterov, adagrad, rmsprop, adam and adamw, not to newton"],
    ["newton", { warmup: "2" }, "NND3041", "--warmup applies to the optimizers sgd, momentum, nesterov, adagrad, rmsprop, adam and adamw, not to newton"],
    ["adam", { gamma: "0.5" }, "NND3041", "--gamma applies to the schedules step and exponential, not to constant"],
    ["adam", { schedule: "cosine", gamma: "0.5" }, "NND3041", "--gamma applies to the schedules step and exponential, not to cosine"],
    ["adam", { schedule: "exponential", stepEvery: "3", gamma: "0.9" }, "NND3041", "--step-every applies to the schedules step, not to exponential"],
    ["adam", { schedule: "step" }, "NND3042", "--schedule step needs --step-every"],
    ["adam", { schedule: "exponential" }, "NND3042", "--schedule exponential needs --gamma"],
    ["adam", { schedule: "linear" }, "NND3040", "--schedule must be one of constant, step, exponential and cosine, not 'linear'"],
    ["adam", { momentum: "abc" }, "NND3040", "--momentum must be a number from 0 up to (not including) 1, not 'abc'"],
    ["momentum", { momentum: "1" }, "NND3040", "--momentum must be a number from 0 up to (not including) 1, not '1'"],
    ["nesterov", { momentum: "0" }, "NND3040", "--momentum must be above 0 for nesterov, not '0'"],
    ["adam", { beta1: "-0.1" }, "NND3040", "--beta1 must be a number from 0 up to (not including) 1, not '-0.1'"],
    ["adam", { beta2: "1" }, "NND3040", "--beta2 must be a number from 0 up to (not including) 1, not '1'"],
    ["adam", { eps: "0" }, "NND3040", "--eps must be a number above 0, not '0'"],
    ["adam", { eps: "" }, "NND3040", "--eps must be a number above 0, not ''"],
    ["adam", { weightDecay: "-1" }, "NND3040", "--weight-decay must be a number ≥ 0, not '-1'"],
    ["adam", { lr: "Infinity" }, "NND3040", "--lr must be a number above 0, not 'Infinity'"],
    ["adam", { schedule: "step", stepEvery: "1.5" }, "NND3040", "--step-every must be a whole number ≥ 1, not '1.5'"],
    ["adam", { schedule: "exponential", gamma: "0" }, "NND3040", "--gamma must be a number above 0, not '0'"],
    ["adam", { warmup: "x" }, "NND3040", "--warmup must be a whole number ≥ 0, not 'x'"],
    ["adam", { logEvery: "0" }, "NND3040", "--log-every must be a whole number ≥ 1, not '0'"],
    ["adam", { patience: "soon" }, "NND3040", "--patience must be a whole number ≥ 1, not 'soon'"],
    ["adam", { clip: "-2" }, "NND3040", "--clip must be a number above 0, not '-2'"],
  ] as [OptimizerName, Record<string, string>, string, string][])("%s %j: %s", (optimizer, options, code, message) => {
    const h = readHyperparameters(optimizer, options, 10);
    expect("code" in h && { code: h.code, message: h.message }).toEqual({ code, message });
  });

  it("what does apply is accepted, at the edges of each range", () => {
    for (const [optimizer, options] of [
      ["sgd", { momentum: "0", weightDecay: "0", schedule: "step", stepEvery: "1", gamma: "2" }],
      ["nesterov", { momentum: "0.99" }],
      ["adam", { beta1: "0", beta2: "0.9999", eps: "1e-300", schedule: "exponential", gamma: "1", warmup: "0", logEvery: "1" }],
      ["adagrad", { eps: "1", weightDecay: "3" }],
      ["newton", { schedule: "constant", patience: "1", clip: "1e-9" }],
    ] as [OptimizerName, Record<string, string>][]) {
      const h = readHyperparameters(optimizer, options, 10);
      expect("code" in h ? h.message : "ok", `${optimizer} ${JSON.stringify(options)}`).toBe("ok");
    }
  });
});
