// `target y: class[n]`: a one-hot target. It parses (with a dim as its size),
// prints back as written, computes exactly as `target y: [n]`, and is only a
// target's form.

import { describe, expect, it } from "vitest";
import { compile } from "../../src/pipeline/compile.js";
import { format } from "../../src/format/format.js";
import { codes, front } from "../support/front.js";

const model = (target: string) => `dim K = 3
model m {
  input x: [2]
  target y: ${target}
  param W: [K, 2]
  logits = W @ x
  output logits
  loss = softmax_cross_entropy(logits, y)
}
`;

describe("class targets", () => {
  it("parse with a dim as the count and print back as written", () => {
    const parsed = front(model("class[K]"));
    expect(parsed.all).toEqual([]);
    expect(format(parsed.program, parsed.source!)).toContain("target y: class[K]");
    expect(parsed.checked!.models.get("m")!.targets[0]).toMatchObject({ kind: "target", shape: [3], decl: { classes: true } });
  });

  it("compile to the same code as a plain vector target", async () => {
    const code = async (target: string) => (await compile(front(model(target)).checked!, { precision: "f64", source: "m.nnd" })).code;
    expect(await code("class[K]")).toBe(await code("[K]"));
  });

  it.each([
    ["an input", "model m {\n  input x: class[3]\n  loss = 0\n}\n"],
    ["a param", "model m {\n  param w: class[3]\n  loss = 0\n}\n"],
    ["a class of two sizes", "model m {\n  target y: class[3, 2]\n  loss = 0\n}\n"],
  ])("are refused for %s (a syntax error)", (_, text) => {
    expect(codes(text)[0]).toMatch(/^NND1001@/);
  });
});
