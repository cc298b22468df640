import { describe, expect, it } from "vitest";
import { lossCurveText } from "../../src/cli/plot.js";
import type { EpochReport } from "../../src/runtime/train.js";

const history = (losses: readonly number[]): EpochReport[] => losses.map((loss, i) => ({ epoch: i + 1, loss }) as EpochReport);

describe("the terminal loss chart", () => {
  it("draws a falling curve", () => {
    expect(lossCurveText(history([1, 0.5, 0.25]))).toContain("┤");
  });

  it("draws nothing for a flat curve, even one that differs by an ulp (converged Newton steps)", () => {
    const x = 0.0723121;
    expect(lossCurveText(history([x, x * (1 + 3e-16)]))).toBe("");
    expect(lossCurveText(history([8, x, x * (1 + 3e-16)]))).toContain("┤");
  });
});
