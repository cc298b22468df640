// The preprocessing train saves (--standardize, --scale) and every user of
// the weights applies (eval, --resume); a split that leaves a side empty;
// CSV problems in words, end to end.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function nndc(args: string[]) {
  const r = spawnSync(process.execPath, ["dist/cli/main.js", ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?/);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), "nndc-pre-"));
type Saved = { preprocess?: Record<string, { mean: number[]; std: number[] }>; epoch: number; params: unknown };
const saved = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Saved;
const write = (dir: string, name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe("train --standardize", () => {
  const dir = tmp();
  const weights = join(dir, "iris.json");
  const trained = nndc(["train", "examples/iris.nnd", "--data", "examples/data/iris.csv", "--test-split", "0.2", "--standardize", "--epochs", "30", "--lr", "0.03", "--seed", "2", "--out", weights]);

  it("saves the training rows' mean and deviation of every input entry", () => {
    expect(trained.status, trained.stderr).toBe(0);
    const p = saved(weights).preprocess!;
    expect(Object.keys(p)).toEqual(["x"]);
    expect(p["x"]!.mean).toHaveLength(4);
    expect(p["x"]!.std).toHaveLength(4);
    // From the 120 training rows, not all 150: the full set's mean sepal length is 5.8433...
    expect(p["x"]!.mean[0]).toBeGreaterThan(5.5);
    expect(p["x"]!.mean[0]).not.toBeCloseTo(5.843333, 6);
  });

  it("eval on raw setosa, versicolor and virginica rows predicts each species", () => {
    const rows: [number[], number][] = [[[5.1, 3.5, 1.4, 0.2], 0], [[7.0, 3.2, 4.7, 1.4], 1], [[6.3, 3.3, 6.0, 2.5], 2]];
    for (const [x, species] of rows) {
      const example = write(dir, `e${species}.json`, JSON.stringify({ x, y: [0, 1, 2].map((k) => Number(k === species)) }));
      const r = nndc(["eval", "examples/iris.nnd", "--params", weights, "--example", example]);
      expect(r.status, r.stderr).toBe(0);
      const probs = (JSON.parse(r.stdout) as { outputs: { probs: number[] } }).outputs.probs;
      expect(probs.indexOf(Math.max(...probs))).toBe(species);
      expect(probs[species]).toBeGreaterThan(0.5);
    }
  });

  it("--resume keeps the saved preprocessing, with or without the flag", () => {
    const again = join(dir, "again.json");
    writeFileSync(again, readFileSync(weights));
    const r = nndc(["train", "examples/iris.nnd", "--data", "examples/data/iris.csv", "--test-split", "0.2", "--epochs", "32", "--seed", "2", "--resume", again, "--out", again]);
    expect(r.status, r.stderr).toBe(0);
    expect(saved(again).epoch).toBe(32);
    expect(saved(again).preprocess).toEqual(saved(weights).preprocess);
  });

  it("--resume uses the saved statistics, not the new rows'", () => {
    // Resumed on the first 50 rows (setosa alone): recomputed statistics would differ.
    const few = write(dir, "setosa.csv", readFileSync("examples/data/iris.csv", "utf8").split("\n").slice(0, 51).join("\n"));
    const again = join(dir, "few.json");
    const r = nndc(["train", "examples/iris.nnd", "--data", few, "--standardize", "--epochs", "31", "--resume", weights, "--out", again]);
    expect(r.status, r.stderr).toBe(0);
    expect(saved(again).preprocess).toEqual(saved(weights).preprocess);
  });

  it("--resume with other preprocessing than the file's is refused", () => {
    const r = nndc(["train", "examples/iris.nnd", "--data", "examples/data/iris.csv", "--scale", "x=1/8", "--epochs", "31", "--resume", weights, "--out", join(dir, "never.json")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error NND3035: --resume ${weights} was trained with preprocessing (x standardised), but this run asks for preprocessing (x divided by 8)`);
    expect(existsSync(join(dir, "never.json"))).toBe(false);
  });
});

describe("eval --params", () => {
  const dir = tmp();
  it("a plain map of params has no preprocessing, even with a param named preprocess", () => {
    const model = write(dir, "m.nnd", "model m {\n  input x: []\n  target y: []\n  param preprocess: [] ~ zeros\n  yhat = preprocess * x\n  output yhat\n  loss = (yhat - y)^2\n}\n");
    const params = write(dir, "p.json", JSON.stringify({ preprocess: 3 }));
    const example = write(dir, "e.json", JSON.stringify({ x: 2, y: 0 }));
    const r = nndc(["eval", model, "--params", params, "--example", example]);
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { outputs: { yhat: number } }).outputs.yhat).toBe(6);
  });

  it("a weights file whose preprocessing is broken is refused (exit 1)", () => {
    const weights = join(dir, "xor.json");
    expect(nndc(["train", "examples/xor.nnd", "--data", "examples/data/xor.csv", "--epochs", "1", "--scale", "x=2", "--out", weights]).status).toBe(0);
    const file = saved(weights);
    file.preprocess = { x: { mean: [0, 0], std: [0, 1] } };
    writeFileSync(weights, JSON.stringify(file));
    const example = write(dir, "xe.json", JSON.stringify({ x: [0, 1], y: 1 }));
    const r = nndc(["eval", "examples/xor.nnd", "--params", weights, "--example", example]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error NND3037: ${weights}: 'preprocess' of 'x' has a std of 0`);
  });
});

describe("train --scale", () => {
  it("digits with x=1/16: saved as mean 0, std 16, and predict reads the raw pixels", () => {
    const dir = tmp();
    const weights = join(dir, "digits.json");
    const r = nndc(["train", "examples/digits.nnd", "--data", "examples/data/digits.csv", "--scale", "x=1/16", "--test-split", "0.2", "--epochs", "8", "--lr", "0.01", "--out", weights]);
    expect(r.status, r.stderr).toBe(0);
    expect(Number(/test accuracy ([\d.]+) %/.exec(r.stdout)?.[1])).toBeGreaterThanOrEqual(90);
    const p = saved(weights).preprocess!;
    expect(p["x"]!.mean).toEqual(new Array(64).fill(0));
    expect(p["x"]!.std).toEqual(new Array(64).fill(16));
    const predicted = nndc(["predict", "examples/digits.nnd", "--params", weights, "--data", "examples/data/digits.csv"]);
    expect(predicted.status, predicted.stderr).toBe(0);
    expect(Number(/accuracy ([\d.]+) %/.exec(predicted.stderr)?.[1])).toBeGreaterThanOrEqual(90);
  });

  it.each([
    [["--scale", "x=1/16", "--standardize"], "error NND3034: --scale x and --standardize both set how input 'x' is scaled; give one of them"],
    [["--scale", "q=2"], "error NND3033: --scale q: model 'xor' has no input 'q' (its inputs: x)"],
    [["--scale", "x=abc"], "error NND3032: --scale 'x=abc': expected input=factor, with a factor such as 2, 0.5 or 1/16 (not 0)"],
    [["--scale", "x=1/0"], "error NND3032: --scale 'x=1/0'"],
    [["--scale", "x=2;x=3"], "error NND3032: --scale 'x=3': input 'x' is given twice"],
    [["--scale", ";"], "error NND3032: --scale ';': no input given"],
  ])("%j is a bad command line (exit 2)", (args, message) => {
    const out = join(tmp(), "never.json");
    const r = nndc(["train", "examples/xor.nnd", "--data", "examples/data/xor.csv", "--epochs", "1", "--out", out, ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(existsSync(out)).toBe(false);
  });

  it("a factor as a plain number: z=2 is std 0.5", () => {
    const out = join(tmp(), "w.json");
    const r = nndc(["train", "examples/xor.nnd", "--data", "examples/data/xor.csv", "--epochs", "1", "--scale", "x = 2", "--out", out]);
    expect(r.status, r.stderr).toBe(0);
    expect(saved(out).preprocess).toEqual({ x: { mean: [0, 0], std: [0.5, 0.5] } });
  });
});

describe("a split that leaves no rows", () => {
  it.each([
    ["0.99", "--test-split 0.99 of 4 rows leaves 0 for training and 4 for testing; each part needs at least one row"],
    ["0.1", "--test-split 0.1 of 4 rows leaves 4 for training and 0 for testing; each part needs at least one row"],
  ])("--test-split %s on 4 rows is an error naming the counts", (fraction, message) => {
    const out = join(tmp(), "never.json");
    const r = nndc(["train", "examples/xor.nnd", "--data", "examples/data/xor.csv", "--test-split", fraction, "--out", out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error NND3031: ${message}`);
    expect(r.stdout).not.toMatch(/NaN/);
    expect(existsSync(out)).toBe(false);
  });

  it("--test-split 0.25 on 4 rows trains on 3", () => {
    const r = nndc(["train", "examples/xor.nnd", "--data", "examples/data/xor.csv", "--test-split", "0.25", "--epochs", "1", "--out", join(tmp(), "w.json")]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("training xor on 3 examples (1 held out)");
  });
});

describe("CSV problems end to end", () => {
  const dir = tmp();
  it.each([
    ["ragged.csv", "x1,x2,y\n0,1,1\n1,0\n", "ragged.csv:3: this row has 2 columns, but the header (line 1) has 3"],
    ["quote.csv", 'x1,x2,y\n0,1,1\n"1,0,1\n', `quote.csv:3: a quote ('"') opens a field that is never closed`],
    ["empty.csv", "", "empty.csv: the file is empty"],
    ["word.csv", "x1,x2,y\n0,1,1\n1,one,0\n", "word.csv:3: column 2 ('x2') is 'one', not a number"],
  ])("%s", (name, text, message) => {
    const path = write(dir, name, text);
    for (const command of [["train", "examples/xor.nnd", "--data", path, "--out", join(dir, "never.json")], ["predict", "examples/xor.nnd", "--params", "nowhere.json", "--data", path]]) {
      const r = nndc(command);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`error NND3030: ${join(dir, message)}`);
      expect(r.stderr).not.toMatch(/Invalid Record Length|Quote Not Closed/);
    }
    expect(existsSync(join(dir, "never.json"))).toBe(false);
  });
});
