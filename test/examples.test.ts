// The worked examples: every one checks without a single diagnostic, and the
// data they carry is small enough to ship and documented.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { front } from "./support/front.js";

const examples = readdirSync("examples").filter((f) => f.endsWith(".nnd"));

describe("examples", () => {
  it("cover what a learner of backpropagation expects", () => {
    expect(examples.sort()).toEqual([
      "digits.nnd",
      "functions.nnd",
      "iris.nnd",
      "linear_regression.nnd",
      "logistic_regression.nnd",
      "mnist.nnd",
      "xor.nnd",
    ]);
  });

  it.each(examples)("%s checks clean", (file) => {
    const r = front(readFileSync(`examples/${file}`, "utf8"), file);
    expect(r.all).toEqual([]);
  });

  it("functions.nnd has the chain rule, a Jacobian and a Hessian", () => {
    const fns = front(readFileSync("examples/functions.nnd", "utf8")).checked!.fns;
    expect(fns.get("dh")!.result).toEqual([]);
    expect(fns.get("jac_softmax")!.result).toEqual([4, 4]);
    expect(fns.get("hess_quad")!.result).toEqual([3, 3]);
  });
});

describe("example data", () => {
  const files = readdirSync("examples/data").filter((f) => f.endsWith(".csv"));
  const readme = readFileSync("examples/data/README.md", "utf8");

  it.each(files)("%s is under 1 MB, documented, and rectangular", (file) => {
    expect(statSync(`examples/data/${file}`).size).toBeLessThan(1_000_000);
    expect(readme).toContain(`\`${file}\``);
    const lines = readFileSync(`examples/data/${file}`, "utf8").trimEnd().split("\n");
    const width = lines[0]!.split(",").length;
    expect(lines.every((l) => l.split(",").length === width)).toBe(true);
    expect(lines.slice(1).every((l) => l.split(",").every((v) => Number.isFinite(Number(v))))).toBe(true);
  });
});
