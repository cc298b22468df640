// Products lifted out of the loop over examples (src/lower/batched.ts) give
// what the interpreter gives, one example at a time, for minibatches that
// fill no chunk, exactly one, and one and a bit, and for shapes whose rows
// and columns leave remainders after every register block; and so do
// networks whose hidden layers are lifted too, the loop over a chunk's
// examples cut into passes (src/lower/passes.ts).

import { describe, expect, it } from "vitest";
import { expectAgreesWithInterpreter } from "../support/agree.js";
import { front } from "../support/front.js";
import { generate } from "../support/generated.js";

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

// 37 inputs, 13 hidden: W1 x lifted (13 rows = 3 blocks of 4 and one row); δ₁ xᵀ lifted
// (37 columns = 9 blocks of 4 and one). 30 hidden, 11 outputs: δ₂ hᵀ lifted too, with h stashed
// column by column.
describe.each([
  [37, 13, 5, "relu"],
  [20, 30, 11, "tanh"],
] as const)("a %i-%i-%i %s network", (inputs, hidden, outputs, act) => {
  const checked = front(mlp(inputs, hidden, outputs, act)).checked!;

  it("has its large products lifted out of the loop over examples", async () => {
    const { compiled } = await generate(checked);
    expect(compiled.code).toContain("for every example of the chunk");
    expect(compiled.code).toContain("of the chunk's examples, transposed");
  });

  it.each([1, 2, 3, 64, 65, 130])("agrees with the interpreter on %i examples", (n) => expectAgreesWithInterpreter(checked, "net", n));
});

// Two hidden layers: W₂ h₁, W₃ h₂ forward and W₃ᵀ δ₃, W₂ᵀ δ₂ backward are
// lifted between passes; step(z) and sum(y) cross from forward passes to
// backward ones; the regulariser on h₁ reads it through an index (a view) in
// a later pass; two outputs come from different passes.
const deep = `
model deep {
  input  x: [23]
  target y: [11]
  param W1: [30, 23] ~ he
  param b1: [30] ~ zeros
  param W2: [25, 30] ~ he
  param b2: [25] ~ zeros
  param W3: [11, 25] ~ xavier
  param b3: [11] ~ zeros
  h1 = relu(W1 @ x + b1)
  h2 = tanh(W2 @ h1 + b2)
  z = W3 @ h2 + b3
  output h1
  output z
  loss = softmax_cross_entropy(z, y) + 0.01 * h1[3] * h2[2] + 0.001 * sum(h1 * h1)
}
`;

// Tied weights: the decoder reads the encoder's W transposed, forward.
const tied = `
model tied {
  input  x: [24]
  target y: [24]
  param W: [16, 24] ~ xavier
  param b: [16] ~ zeros
  param c: [24] ~ zeros
  h = sigmoid(W @ x + b)
  xhat = sigmoid(transpose(W) @ h + c)
  output xhat
  loss = mse(xhat, y)
}
`;

describe.each([
  ["deep", deep, ["forward product", "transposed product"]],
  ["tied", tied, ["transposed product"]],
] as const)("the %s network, its hidden layers batched", (name, source, kinds) => {
  const checked = front(source).checked!;

  it("has its hidden products lifted between passes", async () => {
    const { compiled } = await generate(checked);
    const lifted = compiled.models[0]!.schedule.flatMap((s) => s.lifted.map((l) => l.kind));
    for (const kind of kinds) expect(lifted).toContain(kind);
    const passes = compiled.models[0]!.schedule.flatMap((s) => s.placements.map((p) => p.pass ?? 0));
    expect(Math.max(...passes)).toBeGreaterThanOrEqual(2);
  });

  it.each([1, 2, 3, 64, 65, 130])("agrees with the interpreter on %i examples", (n) => expectAgreesWithInterpreter(checked, name, n));
});
