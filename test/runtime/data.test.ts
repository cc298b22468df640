// Loading data: positional and named CSV columns, one-hot labels, JSON, IDX,
// the seeded split; and every data set in ../shared/data loads directly.

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRows } from "../../src/runtime/csv.js";
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

describe("CSV problems, in words, with the file and the line", () => {
  const xor = { inputs: [{ name: "x", shape: [2] }], targets: [{ name: "y", shape: [] }] };
  it.each([
    // an empty line before the short row: the line number is the file's, not the row's index
    ["a row of the wrong length", "x1,x2,y\n0,1,1\n\n1,0\n", "d.csv:4: this row has 2 columns, but the header (line 1) has 3"],
    ["a row too long, in a file with quotes", 'x1,x2,y\n"0",1,1\n1,0,1,5\n', "d.csv:3: this row has 4 columns, but the header (line 1) has 3"],
    ["a quote never closed", 'x1,x2,y\n0,1,1\n"1,0,1\n0,0,0\n', `d.csv:3: a quote ('"') opens a field that is never closed`],
    ["a quote inside a field", 'x1,x2,y\n0,1,1\n1,0"5",1\n', `d.csv:3: column 2 has a quote ('"') inside it; quote the whole field ("...") and double each quote inside ("")`],
    ["text after a closing quote", 'x1,x2,y\n0,"1"5,1\n', `d.csv:2: column 2 has text after its closing quote ('"'); a quoted field ends at the quote`],
    ["an empty file", "", "d.csv: the file is empty: expected a header row of column names, then one row per example (no data rows)"],
    ["a header alone", "x1,x2,y\n", "d.csv: no data rows after the header"],
    ["a cell that is not a number", "x1,x2,y\n0,1,1\n1,oops,0\n", "d.csv:3: column 2 ('x2') is 'oops', not a number"],
    ["an empty cell", "x1,x2,y\n0,,1\n", "d.csv:2: column 2 ('x2') is empty, not a number"],
  ])("%s", (_, text, message) => {
    expect(() => fromCsv(text, "d.csv", xor)).toThrow(new DataError(message));
  });

  it("splitting a quote-free file gives what the CSV parser gives", () => {
    // (a line of blanks alone is an empty line: the parser's lone empty field is dropped)
    const cell = fc.oneof(fc.integer({ min: -1000, max: 1000 }).map(String), fc.double({ noNaN: true, noDefaultInfinity: true }).map(String), fc.constantFrom(" 1.5", "2 ", "a b", ""));
    const line = fc.array(cell, { minLength: 1, maxLength: 5 }).map((cells) => cells.join(","));
    const file = fc.tuple(fc.array(fc.oneof(line, fc.constant("")), { maxLength: 8 }), fc.constantFrom("\n", "\r\n"), fc.boolean());
    fc.assert(
      fc.property(file, ([lines, newline, bom]) => {
        const text = `${bom ? "\ufeff" : ""}${lines.join(newline)}`;
        const expected = (parse(text, { skip_empty_lines: true, trim: true, info: true, relax_column_count: true, bom: true }) as unknown as { record: string[]; info: { lines: number } }[])
          .filter((r) => !(r.record.length === 1 && r.record[0] === ""))
          .map((r) => ({ cells: r.record, line: r.info.lines }));
        expect(parseRows(text, "p.csv")).toEqual(expected);
      }),
    );
  });
});

describe("data without the targets (for prediction)", () => {
  const xor = { inputs: [{ name: "x", shape: [2] }], targets: [{ name: "y", shape: [] }] };
  const optional = { optionalTargets: true };
  it("CSV: the inputs' columns alone, in order, by name, or by --columns", () => {
    const d = fromCsv("a,b\n1,2\n3,4\n", "d.csv", xor, undefined, optional);
    expect([...d.values.keys()]).toEqual(["x"]);
    expect(Array.from(d.values.get("x")!)).toEqual([1, 2, 3, 4]);
    const named = fromCsv("q,x\n9,1\n", "d.csv", { inputs: [{ name: "x", shape: [] }], targets: [{ name: "y", shape: [] }] }, undefined, optional);
    expect(Array.from(named.values.get("x")!)).toEqual([1]);
    const mapped = fromCsv("a,b,c\n1,2,3\n", "d.csv", xor, parseColumnMap("x=c,a"), optional);
    expect(Array.from(mapped.values.get("x")!)).toEqual([3, 1]);
    // with the targets, they are read as before
    expect(Array.from(fromCsv("a,b,c\n1,2,3\n", "d.csv", xor, undefined, optional).values.get("y")!)).toEqual([3]);
  });

  it("CSV: a wrong column count says what the inputs alone would take", () => {
    expect(() => fromCsv("a,b,c,d\n1,2,3,4\n", "d.csv", xor, undefined, optional)).toThrow("d.csv: the model needs 3 columns (x: 2, y: 1), but the file has 4 (or 2 for the inputs alone)");
    expect(() => fromCsv("a,b\n1,2\n", "d.csv", xor)).toThrow("d.csv: the model needs 3 columns (x: 2, y: 1), but the file has 2");
  });

  it("JSON: examples without the targets", () => {
    const d = fromJson('[{"x": [1, 2]}, {"x": [3, 4]}]', "d.json", xor, optional);
    expect([...d.values.keys()]).toEqual(["x"]);
    expect(() => fromJson('[{"x": [1, 2]}]', "d.json", xor)).toThrow("d.json: example 0, 'y' must be 1 number (shape [])");
  });

  it("IDX: images without labels, and truncated files", () => {
    const dir = mkdtempSync(join(tmpdir(), "nndc-idx-"));
    const be = (magic: number, ...dims: number[]) => {
      const b = Buffer.alloc(4 * (dims.length + 1));
      [magic, ...dims].forEach((v, i) => b.writeUInt32BE(v, 4 * i));
      return b;
    };
    const images = join(dir, "images.gz");
    writeFileSync(images, gzipSync(Buffer.concat([be(0x803, 2, 2, 2), Buffer.from([0, 255, 51, 102, 255, 0, 0, 0])])));
    const fields = { inputs: [{ name: "x", shape: [4] }], targets: [{ name: "y", shape: [3] }] };
    const d = loadData([images], fields, undefined, optional);
    expect(d.n).toBe(2);
    expect(Array.from(d.values.get("x")!)).toEqual([0, 1, 0.2, 0.4, 1, 0, 0, 0]);
    expect(() => loadData([images], fields)).toThrow(/IDX images without labels; give images and labels as two paths/);
    const short = join(dir, "short.idx");
    writeFileSync(short, Buffer.concat([be(0x803, 3, 2, 2), Buffer.from([1, 2, 3, 4, 5])]));
    expect(() => loadData([short], fields, undefined, optional)).toThrow(`${short}: the file ends after 1 of its 3 images`);
    const labels = join(dir, "labels.idx");
    writeFileSync(labels, Buffer.concat([be(0x801, 2), Buffer.from([1])]));
    expect(() => loadData([images, labels], fields)).toThrow(`${labels}: the file ends after 1 of its 2 labels`);
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
