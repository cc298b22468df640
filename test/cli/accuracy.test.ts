// The accuracy rule (src/cli/accuracy.ts) as a table: a model and its
// targets in, whether accuracy is reported (and of what) out.

import { describe, expect, it } from "vitest";
import { classTargets } from "../../src/cli/accuracy.js";
import type { Dataset } from "../../src/runtime/data.js";
import { front } from "../support/front.js";

/** A model with input x: [2], the given target and output definitions, and loss. */
const model = (target: string, body: string, loss: string) => `
model m {
  input  x: [2]
  target ${target}
  param W: [3, 2]
  param w: [2]
  param b: []
${body}
  loss = ${loss}
}`;

const data = (rows: number[][]): Dataset => ({ n: rows.length, values: new Map([["y", Float64Array.from(rows.flat())]]) });
const oneHot = data([[1, 0, 0], [0, 0, 1], [0, 1, 0]]);
const binary = data([[0], [1], [1]]);

const cases: [string, string, Dataset, { output: string; target: string } | undefined][] = [
  // Class targets.
  ["one-hot target, softmax output", model("y: [3]", "  z = W @ x\n  p = softmax(z)\n  output p", "softmax_cross_entropy(z, y)"), oneHot, { output: "p", target: "y" }],
  ["one-hot target, logits output", model("y: [3]", "  z = W @ x\n  output z", "softmax_cross_entropy(z, y)"), oneHot, { output: "z", target: "y" }],
  ["0/1 target, sigmoid output", model("y: []", "  p = sigmoid(w @ x + b)\n  output p", "bce(p, y)"), binary, { output: "p", target: "y" }],
  ["0/1 target, a renamed sigmoid output", model("y: []", "  s = sigmoid(w @ x + b)\n  p = s\n  output p", "(p - y)^2"), binary, { output: "p", target: "y" }],
  ["0/1 target, the p of bce(p, y)", model("y: []", "  p = 1 / (1 + exp(-(w @ x + b)))\n  output p", "bce(p, y) + 0.1 * b^2"), binary, { output: "p", target: "y" }],
  // Regression.
  ["real-valued vector target (an autoencoder)", model("y: [3]", "  yhat = sigmoid(W @ x)\n  output yhat", "mean((yhat - y)^2)"), data([[0.2, 0.7, 0.1], [1, 0, 0], [0.5, 0.5, 0]]), undefined],
  ["rows of zeros are not one-hot", model("y: [3]", "  z = W @ x\n  output z", "sum((z - y)^2)"), data([[1, 0, 0], [0, 0, 0]]), undefined],
  ["two ones in a row are not one-hot", model("y: [3]", "  z = W @ x\n  output z", "sum((z - y)^2)"), data([[1, 1, 0]]), undefined],
  ["0/1 target, unbounded output (a linear probability model)", model("y: []", "  yhat = w @ x + b\n  output yhat", "(yhat - y)^2"), binary, undefined],
  ["real-valued scalar target, sigmoid output", model("y: []", "  p = sigmoid(w @ x + b)\n  output p", "(p - y)^2"), data([[0.25], [1]]), undefined],
  ["0/1 target, a logit output (bce_logits: its threshold would be 0)", model("y: []", "  z = w @ x + b\n  output z", "bce_logits(z, y)"), binary, undefined],
  ["bce of something else than the output", model("y: []", "  q = sigmoid(w @ x)\n  yhat = w @ x + b\n  output yhat", "bce(q, y) + (yhat - y)^2"), binary, undefined],
];

describe("accuracy is reported only for class targets", () => {
  it.each(cases)("%s", (_, source, rows, expected) => {
    const f = front(source);
    expect(f.all.filter((d) => d.severity === "error")).toEqual([]);
    const checked = f.checked!;
    expect(classTargets(checked, checked.models.get("m")!, rows)).toEqual(expected);
  });
});
