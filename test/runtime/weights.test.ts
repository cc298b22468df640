// One check for every reader of weights: checkWeights says which model a file
// is for and which model this is; loadWeights (train --resume, the library)
// throws exactly its message, and `nndc eval --params` reports it.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkWeights, loadWeights, saveWeights } from "../../src/runtime/weights.js";

const shapes = { w: [2], b: [] };
const params = () => ({ w: Float64Array.of(1, 2), b: Float64Array.of(3) });
const saved = (model: string, hash: string) => {
  const path = join(mkdtempSync(join(tmpdir(), "nndc-weights-")), "w.json");
  saveWeights(path, { model, hash, shapes, params: params(), epoch: 4, seed: 1 });
  return path;
};

describe("checkWeights", () => {
  const file = (model: unknown, hash: unknown, format: unknown = "nndc-weights/1") => ({ format, model, hash, params: {} });
  const cases: [string, unknown, string | undefined][] = [
    ["the same model", file("m", "abc"), undefined],
    ["a renamed model", file("old", "abc"), "w.json holds the weights of model 'old', not of this model 'm'"],
    ["an edited model", file("m", "def"), `w.json holds the weights of another version of model 'm' (hash "def"), not of this one (hash "abc"): the model changed since they were saved`],
    ["another format", file("m", "abc", "nndc-weights/2"), `w.json is not an nndc weights file (format "nndc-weights/2", expected "nndc-weights/1")`],
    ["no format", { model: "m", hash: "abc" }, `w.json is not an nndc weights file (format missing, expected "nndc-weights/1")`],
    ["not an object", [1, 2], `w.json is not an nndc weights file (format missing, expected "nndc-weights/1")`],
  ];
  it.each(cases)("%s", (_, json, message) => expect(checkWeights(json, { model: "m", hash: "abc" }, "w.json")).toBe(message));
});

describe("loadWeights refuses with checkWeights' message", () => {
  it.each([
    ["renamed", "old", "abc"],
    ["edited", "m", "def"],
  ])("%s", (_, model, hash) => {
    const path = saved(model, hash);
    const expected = checkWeights({ format: "nndc-weights/1", model, hash }, { model: "m", hash: "abc" }, path);
    expect(expected).toBeDefined();
    expect(() => loadWeights(path, { model: "m", hash: "abc", shapes }, params())).toThrow(expected!);
  });

  it("and reads the model's own file", () => {
    const into = { w: new Float64Array(2), b: new Float64Array(1) };
    expect(loadWeights(saved("m", "abc"), { model: "m", hash: "abc", shapes }, into).epoch).toBe(4);
    expect([...into.w, ...into.b]).toEqual([1, 2, 3]);
  });
});
