// Loading data: positional and named CSV columns, one-hot labels, JSON, IDX,
// the seeded split; and every data set in ../shared/data loads directly.

import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DataError, fromCsv, fromJson, loadData, parseColumnMap, shuffled, split } from "../../src/runtime/data.js";

const iris = { inputs: [{ name: "x", shape: [4] }], targets: [{ name: "y", shape: [3] }] };
const irisCsv = readFileSync("examples/data/iris.csv", "utf8");

describe("CSV", () => {
  it("fills inputs in order, then a label column one-hot", () => {
    const d = fromCsv(irisCsv, "iris.csv", iris);
    expect(d.n).toBe(150);
    expect(Array.from(d.values.get("x")!.subarray(0, 4))).toEqual([5.1, 3.5, 1.4, 0.2]);
    expect(Array.from(d.values.get("y")!.subarray(0, 3))).toEqual([1, 0, 0]);
    expect(Array.from(d.values.get("y")!.subarray(149 * 3))).toEqual([0, 0, 1]);
  });

  it("maps columns by header name with --columns", () => {
    const d = fromCsv(irisCsv, "iris.csv", iris, parseColumnMap("x=petal_width_cm,petal_length_cm,sepal_width_cm,sepal_length_cm; y=label"));
    expect(Array.from(d.values.get("x")!.subarray(0, 4))).toEqual([0.2, 1.4, 3.5, 5.1]);
  });

  it("maps scalar fields by name when the header has them all", () => {
    const d = fromCsv("y,x\n5,1\n7,2\n", "xy.csv", { inputs: [{ name: "x", shape: [] }], targets: [{ name: "y", shape: [] }] });
    expect(Array.from(d.values.get("x")!)).toEqual([1, 2]);
    expect(Array.from(d.values.get("y")!)).toEqual([5, 7]);
  });

  it.each([
    ["x=a,b,c,d;y=label", /no column 'a'/],
    ["x=sepal_length_cm;y=label", /gives 1 columns for 'x', which has 4 entries/],
    ["x=sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm", /names no columns for 'y'/],
    ["x", /not of the form/],
  ])("--columns %s is a clear error", (map, message) => {
    expect(() => fromCsv(irisCsv, "iris.csv", iris, parseColumnMap(map))).toThrow(message);
  });
});

describe("JSON", () => {
  it("takes a list of examples, with a class label for a vector target", () => {
    const d = fromJson('[{"x": [1, 2, 3, 4], "y": 2}, {"x": [5, 6, 7, 8], "y": [0, 1, 0]}]', "d.json", iris);
    expect(Array.from(d.values.get("y")!)).toEqual([0, 0, 1, 0, 1, 0]);
    expect(() => fromJson('[{"x": [1, 2], "y": 0}]', "d.json", iris)).toThrow(/example 0, 'x' must be 4 numbers/);
  });
});

describe("the seeded split", () => {
  it("is a permutation, the same for the same seed", () => {
    const a = shuffled(100, 7);
    expect([...a].sort((x, y) => x - y)).toEqual([...Array(100).keys()]);
    expect(Array.from(shuffled(100, 7))).toEqual(Array.from(a));
    expect(Array.from(shuffled(100, 8))).not.toEqual(Array.from(a));
    const { train, test } = split(fromCsv(irisCsv, "iris.csv", iris), 0.2, 1);
    expect([train.n, test.n]).toEqual([120, 30]);
  });
});

describe("../shared/data loads directly", () => {
  const shared = "../shared/data";
  const sets: [string, string[], { inputs: { name: string; shape: number[] }[]; targets: { name: string; shape: number[] }[] }, number][] = [
    ["iris", [`${shared}/iris/iris.csv`], iris, 150],
    ["wine", [`${shared}/wine/wine.csv`], { inputs: [{ name: "x", shape: [13] }], targets: [{ name: "y", shape: [3] }] }, 178],
    ["breast cancer", [`${shared}/breast_cancer/breast_cancer.csv`], { inputs: [{ name: "x", shape: [30] }], targets: [{ name: "y", shape: [] }] }, 569],
    ["digits", [`${shared}/digits/digits.csv`], { inputs: [{ name: "x", shape: [64] }], targets: [{ name: "y", shape: [10] }] }, 1797],
    ["optdigits train", [`${shared}/digits/optdigits_train.csv`], { inputs: [{ name: "x", shape: [64] }], targets: [{ name: "y", shape: [10] }] }, 3823],
    ["MNIST test (CSV)", [`${shared}/mnist/mnist_test.csv`], { inputs: [{ name: "x", shape: [784] }], targets: [{ name: "y", shape: [10] }] }, 10000],
    ["Fashion-MNIST test (IDX, gzipped)", [`${shared}/fashion-mnist/t10k-images-idx3-ubyte.gz`, `${shared}/fashion-mnist/t10k-labels-idx1-ubyte.gz`], { inputs: [{ name: "x", shape: [784] }], targets: [{ name: "y", shape: [10] }] }, 10000],
  ];
  // A user's clone has no ../shared/data: there these are skipped, not passed.
  for (const [name, paths, fields, n] of sets) {
    it.skipIf(!paths.every((p) => existsSync(p)))(name, () => {
    const d = loadData(paths, fields);
    expect(d.n).toBe(n);
    const y = d.values.get(fields.targets[0]!.name)!;
    if (fields.targets[0]!.shape.length === 1) expect(y.reduce((a, b) => a + b, 0)).toBe(n); // one-hot
    });
  }

  it("reports a missing file", () => {
    expect(() => loadData(["nope.csv"], iris)).toThrow(DataError);
  });
});
