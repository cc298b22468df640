// Products lifted out of the loop over examples (src/lower/batched.ts) give
// what the interpreter gives, one example at a time, for minibatches that
// fill no chunk, exactly one, and one and a bit, and for shapes whose rows
// and columns leave remainders after every register block.

import { describe, expect, it } from "vitest";
import { Deriver } from "../../src/derive.js";
import { evaluate, type Tensor } from "../../src/graph/evaluate.js";
import type { GeneratedModel } from "../../src/load.js";
import { front } from "../support/front.js";
import { generate } from "../support/generated.js";
import { close, randomTensor, rng, worst } from "../support/values.js";

const mlp = (inputs: number, hidden: number, outputs: number, act: string) => `
model net {
  input  x: [${inputs}]
  target y: [${outputs}]
  param W1: [${hidden}, ${inputs}] ~ he
  param b1: [${hidden}] ~ zeros
  param W2: [${outputs}, ${hidden}] ~ xavier
  param b2: [${outputs}] ~ zeros
  h = ${act}(W1 @ x + b1)
  z = W2 @ h + b2
  output z
  loss = softmax_cross_entropy(z, y)
}
`;

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string) {
  expect(got.length, what).toBe(want.length);
  if (!Array.from(got).every((g, i) => close(g, want[i]!, 1e-10, 1e-13))) expect.fail(`${what}: worst relative error ${worst(got, want)}`);
}

// 37 inputs, 13 hidden: W1 x lifted (13 rows = 3 blocks of 4 and one row); δ₁ xᵀ lifted
// (37 columns = 9 blocks of 4 and one). 30 hidden, 11 outputs: δ₂ hᵀ lifted too, with h stashed.
describe.each([
  [37, 13, 5, "relu"],
  [20, 30, 11, "tanh"],
] as const)("a %i-%i-%i %s network", (inputs, hidden, outputs, act) => {
  const checked = front(mlp(inputs, hidden, outputs, act)).checked!;
  const derived = new Deriver(checked).model("net");

  it("has its large products lifted out of the loop over examples", async () => {
    const { compiled } = await generate(checked);
    expect(compiled.code).toContain("for every example of the chunk");
    expect(compiled.code).toMatch(/_rows\[/);
  });

  it.each([1, 2, 3, 64, 65, 130])("agrees with the interpreter on %i examples", async (n) => {
    const model = (await generate(checked)).module["net"] as GeneratedModel;
    const params = model.init(5);
    // Nonzero biases, so that ReLU's zeros fall in different places for different examples.
    for (const b of [params["b1"]!, params["b2"]!]) for (let k = 0; k < b.length; k++) b[k] = 0.1 * Math.sin(3 * k + 1);
    const random = rng(n);
    const examples = Array.from({ length: n }, () => new Map<string, Tensor>([["x", randomTensor(random, [inputs])], ["y", randomTensor(random, [outputs], 0, 1)]]));
    const batch = Object.fromEntries(["x", "y"].map((k) => [k, Float64Array.from(examples.flatMap((e) => [...e.get(k)!.data]))]));
    const grads = model.zeros();
    const loss = model.lossAndGrad(params, batch, n, grads);
    const outputsGot = model.forward(params, batch, n)["z"]!;

    let wantLoss = 0;
    const wantGrads = derived.wrt.map((w) => new Float64Array(w.shape.reduce((a, b) => a * b, 1)));
    const wantOutputs: number[] = [];
    for (const e of examples) {
      const values = new Map(e);
      derived.wrt.forEach((w) => values.set(w.attrs.name!, { shape: w.shape, data: Float64Array.from(params[w.attrs.name!]!) }));
      const [l, ...rest] = evaluate([derived.loss, ...derived.grads, derived.outputs[0]!.node], values);
      wantLoss += l!.data[0]! / n;
      derived.wrt.forEach((_, i) => rest[i]!.data.forEach((g, k) => (wantGrads[i]![k]! += g / n)));
      wantOutputs.push(...rest[derived.wrt.length]!.data);
    }
    expectClose([loss], [wantLoss], "loss");
    derived.wrt.forEach((w, i) => expectClose(grads[w.attrs.name!]!, wantGrads[i]!, `∂L/∂${w.attrs.name}`));
    expectClose(outputsGot, wantOutputs, "output z");
  });
});
