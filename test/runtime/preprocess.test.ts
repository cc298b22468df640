// Preprocessing saved with the weights: statistics from the rows given,
// x' = (x − mean) / std applied without touching the caller's batch, and a
// weights file's "preprocess" written, read back and checked.

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyPreprocess, fixedScaling, preprocessDataset, PreprocessError, readPreprocess, standardisation } from "../../src/runtime/preprocess.js";
import { loadWeights, saveWeights } from "../../src/runtime/weights.js";

const dataset = (x: number[], width: number) => ({ n: x.length / width, values: new Map([["x", Float64Array.from(x)]]) });

describe("standardisation", () => {
  it("takes each entry's mean and deviation over the rows; a constant entry keeps std 1", () => {
    const s = standardisation(dataset([1, 5, 3, 5], 2), ["x"]);
    expect(s).toEqual({ x: { mean: [2, 5], std: [1, 1] } });
  });

  it("a column constant but for rounding keeps std 1, rather than amplifying the rounding", () => {
    const s = standardisation(dataset([0, -999.9999999885049, 0, -999.9999999885055], 2), ["x"]);
    expect(s["x"]!.std).toEqual([1, 1]);
  });

  it("standardised training rows have mean 0 and deviation 1 (property)", () => {
    const rows = fc.array(fc.tuple(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.double({ min: -1e3, max: 1e3, noNaN: true })), { minLength: 2, maxLength: 30 });
    fc.assert(
      fc.property(rows, (pairs) => {
        const d = dataset(pairs.flat(), 2);
        const p = standardisation(d, ["x"]);
        const x = preprocessDataset(p, d).values.get("x")!;
        for (let k = 0; k < 2; k++) {
          const column = Array.from({ length: d.n }, (_, i) => x[i * 2 + k]!);
          const mean = column.reduce((a, b) => a + b, 0) / d.n;
          const sd = Math.sqrt(column.reduce((a, b) => a + (b - mean) ** 2, 0) / d.n);
          // Rounding in the raw values (of size up to `big`) is magnified by 1 / std.
          const big = Math.max(...Array.from({ length: d.n }, (_, i) => Math.abs(pairs[i]![k]!)));
          const rounding = 16 * d.n * Number.EPSILON * (1 + big / p["x"]!.std[k]!);
          expect(Math.abs(mean)).toBeLessThan(1e-9 + rounding);
          if (p["x"]!.std[k] !== 1 || sd > 1e-6) expect(Math.abs(sd - 1)).toBeLessThan(1e-6 + rounding);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("applyPreprocess", () => {
  it("returns new arrays for the preprocessed inputs and leaves the batch alone", () => {
    const batch = { x: Float64Array.of(16, 32, 0, 8), y: Float64Array.of(1, 0) };
    const out = applyPreprocess({ x: fixedScaling(1, 16, 2) }, batch, 2);
    expect(Array.from(out["x"]!)).toEqual([1, 2, 0, 0.5]);
    expect(out.y).toBe(batch.y);
    expect(Array.from(batch.x)).toEqual([16, 32, 0, 8]);
  });

  it("keeps Float32Array batches Float32Array", () => {
    const out = applyPreprocess({ x: { mean: [1], std: [2] } }, { x: Float32Array.of(3, 5) }, 2);
    expect(out.x).toBeInstanceOf(Float32Array);
    expect(Array.from(out["x"]!)).toEqual([1, 2]);
  });

  it.each([
    [{ z: { mean: [0], std: [1] } }, /names input 'z', which the batch does not have \(it has: x\)/],
    [{ x: { mean: [0, 0, 0], std: [1, 1, 1] } }, /the preprocessing of 'x' has 3 entries, but the input has 2/],
  ])("a preprocessing that does not fit the batch is an error", (p, message) => {
    expect(() => applyPreprocess(p, { x: new Float64Array(4) }, 2)).toThrow(message);
  });
});

describe("the weights file's preprocess", () => {
  it("is saved and read back by loadWeights", () => {
    const path = join(mkdtempSync(join(tmpdir(), "nndc-pre-")), "w.json");
    const preprocess = { x: { mean: [0.1, 0.2], std: [3, 1 / 3] } };
    saveWeights(path, { model: "m", hash: "h", shapes: { w: [2] }, params: { w: Float64Array.of(1, 2) }, epoch: 1, seed: 1, preprocess });
    expect(JSON.parse(readFileSync(path, "utf8")).preprocess).toEqual(preprocess);
    const w = new Float64Array(2);
    expect(loadWeights(path, { model: "m", hash: "h", shapes: { w: [2] } }, { w }).preprocess).toEqual(preprocess);
  });

  it("is left out when there is none", () => {
    const path = join(mkdtempSync(join(tmpdir(), "nndc-pre-")), "w.json");
    saveWeights(path, { model: "m", hash: "h", shapes: { w: [] }, params: { w: Float64Array.of(1) }, epoch: 1, seed: 1, preprocess: {} });
    expect(JSON.parse(readFileSync(path, "utf8"))).not.toHaveProperty("preprocess");
  });

  it.each([
    [[1, 2], /'preprocess' must be an object/],
    [{ x: { mean: [0] } }, /'preprocess' of 'x' must be \{"mean": \[...\], "std": \[...\]\}/],
    [{ x: { mean: [0, 1], std: [1] } }, /two lists of finite numbers of the same length/],
    [{ x: { mean: [0], std: [0] } }, /'preprocess' of 'x' has a std of 0/],
  ])("a broken one is refused: %j", (p, message) => {
    expect(() => readPreprocess(p, "w.json")).toThrow(PreprocessError);
    expect(() => readPreprocess(p, "w.json")).toThrow(message);
    const path = join(mkdtempSync(join(tmpdir(), "nndc-pre-")), "w.json");
    writeFileSync(path, JSON.stringify({ format: "nndc-weights/1", model: "m", hash: "h", params: { w: 1 }, epoch: 0, seed: 1, preprocess: p }));
    expect(() => loadWeights(path, { model: "m", hash: "h", shapes: { w: [] } }, { w: new Float64Array(1) })).toThrow(message);
  });
});
