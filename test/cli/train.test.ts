// nndc train end to end: the results the README promises of every example (kept
// fast with small epoch counts that still reach them), determinism, resume,
// and bad data.

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

const tmp = () => mkdtempSync(join(tmpdir(), "nndc-train-"));
const percent = (out: string, what: string) => Number(new RegExp(`${what} accuracy ([\\d.]+) %`).exec(out)?.[1]);
const weights = (path: string) => JSON.parse(readFileSync(path, "utf8")) as { params: Record<string, unknown>; epoch: number; model: string };

describe("results", () => {
  it("XOR: all four cases right, loss below 0.05", () => {
    const out = join(tmp(), "w.json");
    const r = nndc(["train", "examples/xor.nnd", "--data", "examples/data/xor.csv", "--epochs", "300", "--batch", "4", "--lr", "0.05", "--out", out]);
    expect(r.status, r.stderr).toBe(0);
    expect(percent(r.stdout, "train")).toBe(100);
    const last = [...r.stdout.matchAll(/loss ([\d.e+-]+)/g)].at(-1)!;
    expect(Number(last[1])).toBeLessThan(0.05);
    expect(weights(out).model).toBe("xor");
  });

  it("linear regression with Newton's method: w = 2, b = 3 within 1e-2, converged in at most 10 iterations", () => {
    const r = nndc(["train", "examples/linear_regression.nnd", "--data", "examples/data/linear.csv", "--optimizer", "newton", "--epochs", "10", "--out", join(tmp(), "w.json")]);
    expect(r.status, r.stderr).toBe(0);
    const [, w, b] = /w = ([\d.e+-]+) {2}b = ([\d.e+-]+)/.exec(r.stdout)!;
    expect(Math.abs(Number(w) - 2)).toBeLessThan(1e-2);
    expect(Math.abs(Number(b) - 3)).toBeLessThan(1e-2);
    expect(r.stdout).toMatch(/stopped \(converged\)/);
  });

  it("logistic regression on breast cancer: Newton converges within 10 iterations, ≥ 95 % test accuracy", () => {
    const r = nndc(["train", "examples/logistic_regression.nnd", "--data", "examples/data/breast_cancer.csv", "--test-split", "0.2", "--standardize", "--optimizer", "newton", "--epochs", "10", "--out", join(tmp(), "w.json")]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/stopped \(converged\) after epoch (\d|10),/);
    expect(percent(r.stdout, "test")).toBeGreaterThanOrEqual(95);
  });

  it("iris 4-16-3: ≥ 95 % test accuracy", () => {
    const r = nndc(["train", "examples/iris.nnd", "--data", "examples/data/iris.csv", "--test-split", "0.2", "--standardize", "--epochs", "60", "--lr", "0.03", "--seed", "2", "--out", join(tmp(), "w.json")]);
    expect(r.status, r.stderr).toBe(0);
    expect(percent(r.stdout, "test")).toBeGreaterThanOrEqual(95);
  });

  it("digits 64-32-10: ≥ 95 % test accuracy", () => {
    const r = nndc(["train", "examples/digits.nnd", "--data", "examples/data/digits.csv", "--test-split", "0.2", "--epochs", "20", "--lr", "0.003", "--out", join(tmp(), "w.json")]);
    expect(r.status, r.stderr).toBe(0);
    expect(percent(r.stdout, "test")).toBeGreaterThanOrEqual(95);
  });
});

describe("weights", () => {
  const args = (out: string, epochs: number, resume?: string) => [
    "train", "examples/iris.nnd", "--data", "examples/data/iris.csv", "--test-split", "0.2", "--standardize", "--epochs", String(epochs), "--seed", "3", "--out", out,
    ...(resume === undefined ? [] : ["--resume", resume]),
  ];

  it("the same seed gives byte-identical weights files", () => {
    const dir = tmp();
    nndc(args(join(dir, "a.json"), 5));
    nndc(args(join(dir, "b.json"), 5));
    expect(readFileSync(join(dir, "a.json"), "utf8")).toBe(readFileSync(join(dir, "b.json"), "utf8"));
  });

  it("2 epochs and then 3 more with --resume equal 5 epochs straight", () => {
    const dir = tmp();
    nndc(args(join(dir, "straight.json"), 5));
    nndc(args(join(dir, "resumed.json"), 2));
    const r = nndc(args(join(dir, "resumed.json"), 5, join(dir, "resumed.json")));
    expect(r.status, r.stderr).toBe(0);
    expect(weights(join(dir, "resumed.json")).params).toEqual(weights(join(dir, "straight.json")).params);
    expect(weights(join(dir, "resumed.json")).epoch).toBe(5);
  });

  it("refuses the weights of another model", () => {
    const dir = tmp();
    nndc(["train", "examples/xor.nnd", "--data", "examples/data/xor.csv", "--epochs", "1", "--out", join(dir, "xor.json")]);
    const r = nndc(args(join(dir, "iris.json"), 1, join(dir, "xor.json")));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/holds the weights of model 'xor', not of this model 'iris'/);
  });

  it("stops on a non-finite loss, naming epoch and step, and keeps the last good weights", () => {
    const out = join(tmp(), "w.json");
    const r = nndc(["train", "examples/linear_regression.nnd", "--data", "examples/data/linear.csv", "--optimizer", "sgd", "--lr", "10", "--epochs", "50", "--out", out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/non-finite at epoch \d+, step \d+; training stopped and the last good weights were kept/);
    const saved = weights(out);
    expect(Object.values(saved.params).every((v) => Number.isFinite(v as number))).toBe(true);
  });
});

describe("bad data", () => {
  const dir = tmp();
  const csv = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  it.each([
    ["a missing column", csv("missing.csv", "x1,y\n0,1\n"), /the model needs 3 columns .* but the file has 2/],
    ["a non-number cell", csv("nan.csv", "x1,x2,y\n0,1,1\n1,oops,0\n"), /nan.csv:3: column 2 \('x2'\) is 'oops', not a number/],
    ["an empty file", csv("empty.csv", ""), /no data rows/],
    ["a ragged row", csv("ragged.csv", "x1,x2,y\n0,1\n"), /Invalid Record Length|columns/],
  ])("%s", (_, path, message) => {
    const out = join(dir, "never.json");
    const r = nndc(["train", "examples/xor.nnd", "--data", path, "--out", out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it("a class label out of range", () => {
    const path = csv("labels.csv", "a,b,c,d,label\n1,2,3,4,3\n");
    const r = nndc(["train", "examples/iris.nnd", "--data", path, "--out", join(dir, "never.json")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/labels.csv:2: column 5 \('label'\): class label 3 is out of range for 3 classes/);
  });

  it("IDX files with the wrong magic number", () => {
    const images = csv("images.idx", "\u0000\u0000\u0008\u0001rest");
    const labels = csv("labels.idx", "\u0000\u0000\u0008\u0001");
    const r = nndc(["train", "examples/mnist.nnd", "--data", `${images},${labels}`, "--out", join(dir, "never.json")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not an IDX image file \(magic 0x801, expected 0x803\)/);
  });
});

describe("the loss curve", () => {
  it("--plot writes an SVG with the train and test curves", () => {
    const dir = tmp();
    const r = nndc(["train", "examples/iris.nnd", "--data", "examples/data/iris.csv", "--test-split", "0.2", "--standardize", "--epochs", "5", "--out", join(dir, "w.json"), "--plot", join(dir, "plots", "loss.svg")]);
    expect(r.status, r.stderr).toBe(0);
    const svg = readFileSync(join(dir, "plots", "loss.svg"), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain(">train<");
    expect(svg).toContain(">test<");
    expect(svg).toContain("iris: loss by epoch");
    expect(r.stdout).toMatch(/training loss by epoch\n.*┼/);
  });
});

describe("atomic saves", () => {
  it("a save killed midway leaves the previous weights file intact and loadable", async () => {
    const dir = tmp();
    const path = join(dir, "w.json");
    // A writer that saves big weights files over and over, alternating their contents.
    const script = join(dir, "writer.mjs");
    writeFileSync(
      script,
      [
        `import { saveWeights } from ${JSON.stringify(join(process.cwd(), "dist/runtime/weights.js"))};`,
        "const shapes = { W: [1000, 100] };",
        "for (let k = 0; ; k++) {",
        "  const W = new Float64Array(100000).fill(k % 2 ? 0.5 : 0.25);",
        `  saveWeights(${JSON.stringify(path)}, { model: "m", hash: "h", shapes, params: { W }, epoch: k, seed: 1 });`,
        "  if (k === 0) console.log('saved');",
        "}",
      ].join("\n"),
    );
    const { spawn } = await import("node:child_process");
    for (let attempt = 0; attempt < 5; attempt++) {
      const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "inherit"] });
      await new Promise<void>((ready) => child.stdout.once("data", () => ready()));
      await new Promise((wait) => setTimeout(wait, 20 + 37 * attempt));
      child.kill("SIGKILL");
      await new Promise((done) => child.once("exit", done));
      const file = weights(path);
      const W = (file.params["W"] as number[][]).flat();
      expect(W.length).toBe(100000);
      expect(new Set(W).size).toBe(1);
    }
  });
});

describe("--columns", () => {
  it("maps CSV columns to inputs and targets by header name", () => {
    const r = nndc(["train", "examples/iris.nnd", "--data", "examples/data/iris.csv", "--columns", "x=sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm;y=label", "--epochs", "2", "--out", join(tmp(), "w.json")]);
    expect(r.status, r.stderr).toBe(0);
    const wrong = nndc(["train", "examples/iris.nnd", "--data", "examples/data/iris.csv", "--columns", "x=petal;y=label", "--out", join(tmp(), "w.json")]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/no column 'petal'/);
  });
});

describe("bad command lines", () => {
  it.each([
    [["--test-split", "1.5"], /--test-split is the fraction held out/],
    [["--batch", "0"], /--batch at least 1/],
    [["--epochs", "-3"], /--epochs must be a number ≥ 0/],
    [["--lr", "fast"], /--lr must be a number above 0/],
  ])("%j exits 2", (args, message) => {
    const r = nndc(["train", "examples/xor.nnd", "--data", "examples/data/xor.csv", "--out", join(tmp(), "w.json"), ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
