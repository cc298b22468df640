// Runs a generated model's lossAndGrad and forward on a random minibatch and
// checks them against the reference interpreter, one example at a time,
// averaged (1e-10 relative, f64).

import { expect } from "vitest";
import type { CheckedProgram } from "../../src/check/checked.js";
import { Deriver } from "../../src/pipeline/derive.js";
import { evaluate, type Tensor } from "../../src/graph/evaluate.js";
import type { GeneratedModel } from "../../src/pipeline/load.js";
import { generate } from "./generated.js";
import { close, randomTensor, rng, worst } from "./values.js";

export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, rel = 1e-10) {
  expect(got.length, what).toBe(want.length);
  if (!Array.from(got).every((g, i) => close(g, want[i]!, rel, 1e-13))) expect.fail(`${what}: worst relative error ${worst(got, want)}`);
}

/** `n` examples of random inputs in [−1, 1] and targets in [0, 1]; biases set to small nonzero values so ReLU's zeros vary by example. */
export async function expectAgreesWithInterpreter(checked: CheckedProgram, name: string, n: number, seed = n): Promise<void> {
  const derived = new Deriver(checked).model(name);
  const model = (await generate(checked)).module[name] as GeneratedModel;
  const params = model.init(5);
  derived.wrt.forEach((w) => {
    if (w.shape.length !== 1) return;
    const b = params[w.attrs.name!]!;
    for (let k = 0; k < b.length; k++) b[k] = 0.1 * Math.sin(3 * k + 1);
  });
  const random = rng(seed);
  const examples = Array.from({ length: n }, () => {
    const values = new Map<string, Tensor>();
    for (const v of derived.model.inputs) values.set(v.attrs.name!, randomTensor(random, v.shape));
    for (const v of derived.model.targets) values.set(v.attrs.name!, randomTensor(random, v.shape, 0, 1));
    return values;
  });
  const fields = [...derived.model.inputs, ...derived.model.targets].map((v) => v.attrs.name!);
  const batch = Object.fromEntries(fields.map((k) => [k, Float64Array.from(examples.flatMap((e) => [...e.get(k)!.data]))]));
  const grads = model.zeros();
  const loss = model.lossAndGrad(params, batch, n, grads);
  const outputs = model.forward(params, batch, n);

  let wantLoss = 0;
  const wantGrads = derived.wrt.map((w) => new Float64Array(w.shape.reduce((a, b) => a * b, 1)));
  const wantOutputs = derived.outputs.map(() => [] as number[]);
  for (const e of examples) {
    const values = new Map(e);
    derived.wrt.forEach((w) => values.set(w.attrs.name!, { shape: w.shape, data: Float64Array.from(params[w.attrs.name!]!) }));
    const [l, ...rest] = evaluate([derived.loss, ...derived.grads, ...derived.outputs.map((o) => o.node)], values);
    wantLoss += l!.data[0]! / n;
    derived.wrt.forEach((_, i) => rest[i]!.data.forEach((g, k) => (wantGrads[i]![k]! += g / n)));
    derived.outputs.forEach((_, i) => wantOutputs[i]!.push(...rest[derived.wrt.length + i]!.data));
  }
  expectClose([loss], [wantLoss], "loss");
  derived.wrt.forEach((w, i) => expectClose(grads[w.attrs.name!]!, wantGrads[i]!, `∂L/∂${w.attrs.name}`));
  derived.outputs.forEach((o, i) => expectClose(outputs[o.name]!, wantOutputs[i]!, `output ${o.name}`));
}
