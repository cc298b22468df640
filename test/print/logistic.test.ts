// The logistic map written as nested fns, l_k(x) = 4 l_{k-1}(x) (1 − l_{k-1}(x)):
// its graph is linear in k, and so must be what grad prints for it. Written
// out, l₁₀'s value alone was 6,300 tokens and l₂₀ did not finish; with its
// shared parts named, each step of the map adds about the same to the output.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { gradText } from "../../src/cli/commands/grad.js";

it("grad of the n-times iterated logistic map prints in size linear in n, up to n = 30", () => {
  const file = join(mkdtempSync(join(tmpdir(), "nndc-logistic-")), "lmap.nnd");
  const fns = ["fn l1(x) = 4 * x * (1 - x)", ...Array.from({ length: 29 }, (_, i) => `fn l${i + 2}(x) = 4 * l${i + 1}(x) * (1 - l${i + 1}(x))`)];
  writeFileSync(file, `${fns.join("\n")}\n`);
  const size = (n: number) => {
    const text = gradText(file, { fn: `l${n}` });
    if (typeof text === "number") throw new Error(`grad --fn l${n} failed`);
    return text.length;
  };
  const [s10, s20, s30] = [size(10), size(20), size(30)];
  // Each ten steps add about as much as the ten before (the constants 4ᵏ grow a digit every few steps).
  expect(s30 - s20).toBeLessThan(1.5 * (s20 - s10));
  expect(s30).toBeLessThan(200 * 30);
}, 120_000);
