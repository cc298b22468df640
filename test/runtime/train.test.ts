// The runtime API as a user of the generated module uses it: a hand-written
// optimizer behind the Optimizer interface trains the generated XOR model.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { adam, type Optimizer, type Params } from "../../src/runtime/optimizers.js";
import { fromCsv, split, standardise, type Field } from "../../src/runtime/data.js";
import { newton } from "../../src/runtime/newton.js";
import { train, accuracy, datasetLoss, type TrainableModel } from "../../src/runtime/train.js";
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

// What a full-batch epoch's report measures (one moment), and what early
// stopping returns (the best epoch, resumable exactly).

const load = async (file: string, hessian = false) => {
  const checked = front(readFileSync(file, "utf8")).checked!;
  const module = (await generate(checked, "f64", hessian)).module;
  return Object.values(module).find((v) => typeof v === "object" && v !== null && "lossAndGrad" in v) as TrainableModel;
};
const csv = (file: string, inputs: Field[], targets: Field[]) => fromCsv(readFileSync(file, "utf8"), file, { inputs, targets });
const copy = (p: Params) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Array.from(v)]));

describe("one step an epoch: every report is measured after the step", () => {
  it.each([
    ["newton on linear regression", "examples/linear_regression.nnd", "examples/data/linear.csv", "newton"],
    ["adam on XOR (a batch of all four)", "examples/xor.nnd", "examples/data/xor.csv", "adam"],
  ])("%s, with an epoch-0 report of the start", async (_, file, path, kind) => {
    const model = await load(file, kind === "newton");
    const xor = file.includes("xor");
    const all = csv(path, [{ name: "x", shape: xor ? [2] : [] }], [{ name: "y", shape: [] }]);
    const data = xor ? { train: all, test: all } : split(all, 0.25, 1);
    const params = model.init(1);
    const scratch = model.zeros();
    const optimizer =
      kind === "newton"
        ? newton(model.shapes, { loss: (p) => datasetLoss(model, p, data.train, scratch), hessian: (p, h) => model.hessian!(p, Object.fromEntries(data.train.values), data.train.n, h) })
        : adam(model.shapes, { lr: 0.05 });
    const seen: number[] = [];
    train(model, params, optimizer, data, {
      epochs: 4,
      batch: data.train.n,
      seed: 1,
      ...(xor ? { classify: { output: "yhat", target: "y" } } : {}),
      onEpoch: (r) => {
        seen.push(r.epoch);
        // The report and the parameters now, when the report is handed out.
        expect(r.loss).toBe(datasetLoss(model, params, data.train, scratch));
        expect(r.testLoss).toBe(datasetLoss(model, params, data.test, scratch));
        if (xor) expect(r.trainAccuracy).toBe(accuracy(model, params, data.train, "yhat", "y"));
      },
    });
    expect(seen.slice(0, 2)).toEqual([0, 1]);
  });
});

describe("early stopping keeps the best epoch", () => {
  const setup = async () => {
    const model = await load("examples/iris.nnd");
    const data = split(csv("examples/data/iris.csv", [{ name: "x", shape: [4] }], [{ name: "y", shape: [3] }]), 0.2, 3);
    standardise(data.train, [data.test], ["x"]);
    return { model, data };
  };

  it("returns the parameters and optimizer state of the best epoch, as a run of that many epochs leaves them; resuming from there is exact", async () => {
    const { model, data } = await setup();
    const run = (epochs: number, patience?: number, from?: { params: Params; optimizer: Optimizer; epoch: number }) => {
      const params = from?.params ?? model.init(3);
      const optimizer = from?.optimizer ?? adam(model.shapes, { lr: 0.01 });
      const result = train(model, params, optimizer, data, { epochs, batch: 32, seed: 3, ...(patience === undefined ? {} : { patience }), ...(from === undefined ? {} : { startEpoch: from.epoch }) });
      return { params, optimizer, result };
    };
    const stopped = run(200, 10);
    const { bestEpoch, history } = stopped.result;
    expect(stopped.result.stopped).toBe("early stopping");
    expect(history.at(-1)!.epoch).toBe(bestEpoch + 10);
    expect(Math.min(...history.map((r) => r.testLoss!))).toBe(history.find((r) => r.epoch === bestEpoch)!.testLoss);
    const straight = run(bestEpoch);
    expect(copy(stopped.params)).toEqual(copy(straight.params));
    expect(stopped.optimizer.state()).toEqual(straight.optimizer.state());
    const resumed = run(bestEpoch + 3, undefined, { params: stopped.params, optimizer: stopped.optimizer, epoch: bestEpoch });
    expect(copy(resumed.params)).toEqual(copy(run(bestEpoch + 3).params));
  });

  it("also when the epochs run out after the best one", async () => {
    const { model, data } = await setup();
    const params = model.init(3);
    const result = train(model, params, adam(model.shapes, { lr: 0.01 }), data, { epochs: 122, batch: 32, seed: 3, patience: 50 });
    expect(result.stopped).toBe("epochs");
    expect(result.bestEpoch).toBeLessThan(122);
    const straight = model.init(3);
    train(model, straight, adam(model.shapes, { lr: 0.01 }), data, { epochs: result.bestEpoch, batch: 32, seed: 3 });
    expect(copy(params)).toEqual(copy(straight));
  });
});
