// nndc predict end to end: train, then predict over a data file with and
// without its targets, as CSV on stdout, a CSV file or a JSON file; the loss
// and accuracy on stderr; weights of another model, bad data and bad
// options refused.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { check } from "../../src/check/check.js";
import { compile } from "../../src/pipeline/compile.js";
import { loadGenerated } from "../../src/pipeline/load.js";
import { parse } from "../../src/parse/parse.js";
import { fromCsv } from "../../src/runtime/data.js";
import { preprocessDataset } from "../../src/runtime/preprocess.js";
import { datasetLoss, type TrainableModel } from "../../src/runtime/train.js";
import { loadWeights } from "../../src/runtime/weights.js";

function nndc(args: string[]) {
  const r = spawnSync(process.execPath, ["dist/cli/main.js", ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?/);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), "nndc-predict-"));
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const csvRows = (text: string) => text.trim().split("\n").map((line) => line.split(","));
const irisWeights = join(dir, "iris.json");
const xorWeights = join(dir, "xor.json");
const linearWeights = join(dir, "linear.json");

beforeAll(() => {
  for (const args of [
    ["examples/iris.nnd", "--data", "examples/data/iris.csv", "--standardize", "--epochs", "30", "--lr", "0.03", "--out", irisWeights],
    ["examples/xor.nnd", "--data", "examples/data/xor.csv", "--epochs", "300", "--batch", "4", "--lr", "0.05", "--out", xorWeights],
    ["examples/linear_regression.nnd", "--data", "examples/data/linear.csv", "--optimizer", "newton", "--epochs", "3", "--out", linearWeights],
  ]) {
    const r = nndc(["train", ...args]);
    expect(r.status, r.stderr).toBe(0);
  }
}, 300_000);

/** The mean loss over the data, computed in this process with the runtime (preprocessing applied). */
async function expectedLoss(file: string, weights: string, data: string): Promise<number> {
  const { program } = parse(readFileSync(file, "utf8"), file);
  const checked = check(program!).checked!;
  const compiled = await compile(checked, { precision: "f64", source: file });
  const name = [...checked.models.keys()][0]!;
  const model = (await loadGenerated(compiled.code))[compiled.exports.get(name)!] as TrainableModel;
  const params = model.zeros();
  const saved = loadWeights(weights, { model: name, hash: (JSON.parse(readFileSync(weights, "utf8")) as { hash: string }).hash, shapes: model.shapes }, params);
  const code = compiled.models[0]!;
  const fields = { inputs: code.data.slice(0, checked.models.get(name)!.inputs.length), targets: code.data.slice(checked.models.get(name)!.inputs.length) };
  const d = preprocessDataset(saved.preprocess, fromCsv(readFileSync(data, "utf8"), data, fields));
  return datasetLoss(model, params, d, model.zeros());
}

describe("predict with the targets", () => {
  it("iris: CSV on stdout, one column per output entry, loss and accuracy on stderr", async () => {
    const r = nndc(["predict", "examples/iris.nnd", "--params", irisWeights, "--data", "examples/data/iris.csv"]);
    expect(r.status, r.stderr).toBe(0);
    const rows = csvRows(r.stdout);
    expect(rows[0]).toEqual(["probs[0]", "probs[1]", "probs[2]"]);
    expect(rows).toHaveLength(151);
    // Raw setosa rows (the first 50) come out setosa: the saved standardisation was applied.
    for (const row of rows.slice(1, 51)) expect(Number(row[0])).toBeGreaterThan(0.5);
    const [, loss, accuracy] = /^150 rows {2}loss ([\d.e+-]+) {2}accuracy ([\d.]+) %/.exec(r.stderr)!;
    expect(Number(accuracy)).toBeGreaterThanOrEqual(95);
    expect(Number(loss)).toBeCloseTo(await expectedLoss("examples/iris.nnd", irisWeights, "examples/data/iris.csv"), 5);
  });

  it("xor: a JSON file with one number per row, the same as eval gives", () => {
    const out = join(dir, "xor-preds.json");
    const r = nndc(["predict", "examples/xor.nnd", "--params", xorWeights, "--data", "examples/data/xor.csv", "--out", out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^4 rows {2}loss [\d.e+-]+ {2}accuracy 100\.0 %.*; predictions written to /);
    const { yhat } = JSON.parse(readFileSync(out, "utf8")) as { yhat: number[] };
    expect(yhat).toHaveLength(4);
    const example = write("xor-example.json", JSON.stringify({ x: [0, 1], y: 1 }));
    const evaluated = JSON.parse(nndc(["eval", "examples/xor.nnd", "--params", xorWeights, "--example", example]).stdout) as { outputs: { yhat: number } };
    expect(yhat[1]).toBe(evaluated.outputs.yhat);
  });

  it("regression: the loss, and no accuracy", async () => {
    const out = join(dir, "linear.csv");
    const r = nndc(["predict", "examples/linear_regression.nnd", "--params", linearWeights, "--data", "examples/data/linear.csv", "--out", out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/accuracy/);
    const loss = Number(/loss ([\d.e+-]+)/.exec(r.stderr)![1]);
    expect(loss).toBeCloseTo(await expectedLoss("examples/linear_regression.nnd", linearWeights, "examples/data/linear.csv"), 5);
    const rows = csvRows(readFileSync(out, "utf8"));
    expect(rows[0]).toEqual(["yhat"]);
    const x = Number(csvRows(readFileSync("examples/data/linear.csv", "utf8"))[1]![0]);
    expect(Number(rows[1]![0])).toBeCloseTo(2 * x + 3, 0);
  });
});

describe("predict on the inputs alone", () => {
  it("CSV without the target columns gives the same predictions, and no loss", () => {
    const inputs = write("iris-inputs.csv", readFileSync("examples/data/iris.csv", "utf8").trim().split("\n").map((l) => l.split(",").slice(0, 4).join(",")).join("\n"));
    const alone = nndc(["predict", "examples/iris.nnd", "--params", irisWeights, "--data", inputs]);
    const withTargets = nndc(["predict", "examples/iris.nnd", "--params", irisWeights, "--data", "examples/data/iris.csv"]);
    expect(alone.status, alone.stderr).toBe(0);
    expect(alone.stdout).toBe(withTargets.stdout);
    expect(alone.stderr).toMatch(/^150 rows {2}\(/);
  });

  it("JSON examples without the targets, to a JSON file", () => {
    const data = write("xor-inputs.json", JSON.stringify([{ x: [0, 0] }, { x: [1, 1] }, { x: [1, 0] }]));
    const out = join(dir, "xor-inputs-preds.json");
    const r = nndc(["predict", "examples/xor.nnd", "--params", xorWeights, "--data", data, "--out", out]);
    expect(r.status, r.stderr).toBe(0);
    const { yhat } = JSON.parse(readFileSync(out, "utf8")) as { yhat: number[] };
    expect(yhat.map((p) => Math.round(p))).toEqual([0, 0, 1]);
  });

  it("--columns picks the inputs by header name", () => {
    const data = write("xor-swapped.csv", "b,a\n1,0\n0,0\n");
    const r = nndc(["predict", "examples/xor.nnd", "--params", xorWeights, "--data", data, "--columns", "x=a,b"]);
    expect(r.status, r.stderr).toBe(0);
    expect(csvRows(r.stdout).slice(1).map((row) => Math.round(Number(row[0])))).toEqual([1, 0]);
  });
});

describe("predict refuses", () => {
  it("the weights of another model (exit 1)", () => {
    const r = nndc(["predict", "examples/iris.nnd", "--params", xorWeights, "--data", "examples/data/iris.csv"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/holds the weights of model 'xor', not of this model 'iris'/);
    expect(r.stdout).toBe("");
  });

  it("weights whose preprocessing does not fit the model (exit 1)", () => {
    const edited = JSON.parse(readFileSync(irisWeights, "utf8")) as { preprocess: Record<string, { mean: number[]; std: number[] }> };
    edited.preprocess["x"] = { mean: [0, 0], std: [1, 1] };
    const path = write("edited.json", JSON.stringify(edited));
    const r = nndc(["predict", "examples/iris.nnd", "--params", path, "--data", "examples/data/iris.csv"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error NND3037: ${path}: the preprocessing of 'x' has 2 entries, but the input has 4`);
  });

  it.each([
    ["a missing file", ["--data", join(dir, "nothing.csv")], 1, /error NND3030: cannot read '.*nothing\.csv': no such file/],
    ["a file with the wrong columns", ["--data", "examples/data/xor.csv"], 1, /error NND3030: examples\/data\/xor\.csv: the model needs 7 columns \(x: 4, y: 3\), but the file has 3 \(or 4 for the inputs alone\)/],
    ["an output that is neither .csv nor .json", ["--data", "examples/data/iris.csv", "--out", join(dir, "p.txt")], 2, /error NND3036: --out .*p\.txt: predictions are written as \.csv or \.json/],
    ["a model the file does not have", ["--data", "examples/data/iris.csv", "--model", "nosuch"], 2, /has no model 'nosuch'/],
    ["no --data", [], 2, /required option '--data <files>' not specified/],
    ["an output in a missing directory", ["--data", "examples/data/iris.csv", "--out", join(dir, "no", "such", "p.csv")], 1, /error NND3004: cannot write/],
  ])("%s", (_, args, status, message) => {
    const r = nndc(["predict", "examples/iris.nnd", "--params", irisWeights, ...args]);
    expect(r.status).toBe(status);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe("");
  });

  it("writes nothing when it fails", () => {
    const out = join(dir, "never.csv");
    nndc(["predict", "examples/iris.nnd", "--params", xorWeights, "--data", "examples/data/iris.csv", "--out", out]);
    expect(existsSync(out)).toBe(false);
  });
});
