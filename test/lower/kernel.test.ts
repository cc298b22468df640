// What the kernel shares between the loss and its gradient: a softmax after
// a softmax cross-entropy of the same logits reuses the loss's logsumexp and
// exponentials, one Math.exp per logit, and stays exact at extreme logits.

import { expect, it } from "vitest";
import { expectAgreesWithInterpreter } from "../support/agree.js";
import { front } from "../support/front.js";
import { generate } from "../support/generated.js";

const model = (scale: number) => `
model net {
  input  x: [4]
  target y: [3]
  param W: [3, 4] ~ xavier
  z = ${scale} * (W @ x)
  output z
  loss = softmax_cross_entropy(z, y)
}
`;

it("takes one exponential per logit for the loss and its gradient together", async () => {
  const { compiled } = await generate(front(model(1)).checked!);
  const step = compiled.code.slice(compiled.code.indexOf("lossAndGrad("), compiled.code.indexOf("forward("));
  expect(step.match(/Math\.exp\(/g)).toHaveLength(3);
  expect(step.match(/Math\.log\(/g)).toHaveLength(1);
});

it.each([1, 1000])("agrees with the interpreter with logits scaled by %i", (scale) => expectAgreesWithInterpreter(front(model(scale)).checked!, "net", 4));
