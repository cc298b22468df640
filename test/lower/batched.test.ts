// Products lifted out of the loop over examples (src/lower/batched.ts) give
// what the interpreter gives, one example at a time, for minibatches that
// fill no chunk, exactly one, and one and a bit, and for shapes whose rows
// and columns leave remainders after every register block.

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
