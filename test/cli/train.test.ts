// nndc train end to end: the results the README promises of every example (kept
// fast with small epoch counts that still reach them), determinism, resume,
// and bad data.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fromCsv } from "../../src/runtime/data.js";
import { adam, adamw, rmsprop, sgd, type Optimizer, type Shapes } from "../../src/runtime/optimizers.js";
import { constant, cosine, exponential, stepDecay, warmup, type Schedule } from "../../src/runtime/schedule.js";
import { train, type TrainableModel } from "../../src/runtime/train.js";
import { front } from "../support/front.js";
import { generate } from "../support/generated.js";

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

const epochLines = (out: string) => [...out.matchAll(/^epoch +(\d+)\/\d+ .*$/gm)].map((m) => ({ epoch: Number(m[1]), line: m[0] }));
const lossOf = (line: string, what = "loss") => Number(new RegExp(`(?:^|  )${what} ([\\d.e+-]+)`).exec(line)?.[1]);
const flat = (path: string) => Object.fromEntries(Object.entries(weights(path).params).map(([k, v]) => [k, [v].flat(3) as number[]]));

describe("accuracy only for class targets", () => {
  const dir = tmp();
  const file = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));

  it("an autoencoder with real-valued targets prints losses only", () => {
    const model = file("ae.nnd", "model ae {\n  input x: [4]\n  target y: [4]\n  param W1: [2, 4]\n  param W2: [4, 2]\n  h = tanh(W1 @ x)\n  yhat = sigmoid(W2 @ h)\n  output yhat\n  loss = mean((yhat - y)^2)\n}\n");
    const rows = Array.from({ length: 12 }, (_, i) => [0.1, 0.5, 0.9, 0.3].map((v) => ((v + i / 12) % 1).toFixed(3)));
    const data = file("ae.csv", `a,b,c,d,ya,yb,yc,yd\n${rows.map((r) => [...r, ...r].join(",")).join("\n")}\n`);
    const r = nndc(["train", model, "--data", data, "--epochs", "3", "--batch", "4", "--out", join(dir, "ae.json")]);
    expect(r.status, r.stderr).toBe(0);
    expect(epochLines(r.stdout).length).toBe(3);
    expect(r.stdout).not.toMatch(/acc/);
  });

  it("linear regression on 0/1 targets prints losses only (its output is no probability)", () => {
    const data = file("binary.csv", "x,y\n0,0\n1,0\n2,1\n3,1\n");
    const r = nndc(["train", "examples/linear_regression.nnd", "--data", data, "--optimizer", "sgd", "--epochs", "3", "--out", join(dir, "lin.json")]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/epoch 3\/3 {2}loss/);
    expect(r.stdout).not.toMatch(/acc/);
  });

  it("XOR (a sigmoid output on 0/1 targets) and logistic regression print it", () => {
    const xor = nndc(["train", "examples/xor.nnd", "--data", "examples/data/xor.csv", "--epochs", "2", "--out", join(dir, "x.json")]);
    expect(xor.stdout).toMatch(/epoch 2\/2 .* train acc [\d.]+ %/);
    const logistic = nndc(["train", "examples/logistic_regression.nnd", "--data", "examples/data/breast_cancer.csv", "--standardize", "--epochs", "1", "--out", join(dir, "l.json")]);
    expect(logistic.stdout).toMatch(/epoch 1\/1 .* train acc [\d.]+ %/);
  });
});

describe("Newton's epoch lines", () => {
  it("each line is one moment: epoch 0 the start, epoch 1 the weights after the step", () => {
    const out = join(tmp(), "w.json");
    const r = nndc(["train", "examples/linear_regression.nnd", "--data", "examples/data/linear.csv", "--optimizer", "newton", "--epochs", "1", "--out", out]);
    expect(r.status, r.stderr).toBe(0);
    const rows = readFileSync("examples/data/linear.csv", "utf8").trim().split("\n").slice(1).map((l) => l.split(",").map(Number));
    const mse = (w: number, b: number) => rows.reduce((s, [x, y]) => s + (w * x! + b - y!) ** 2, 0) / rows.length;
    const { w, b } = weights(out).params as { w: number; b: number };
    const [start, after] = epochLines(r.stdout);
    expect(start!.epoch).toBe(0);
    expect(lossOf(start!.line)).toBeCloseTo(mse(0, 0), 3);
    expect(after!.epoch).toBe(1);
    expect(Math.abs(lossOf(after!.line) - mse(w, b)) / mse(w, b)).toBeLessThan(1e-5);
  });
});

describe("early stopping", () => {
  const iris = (out: string, epochs: number, more: string[] = []) =>
    nndc(["train", "examples/iris.nnd", "--data", "examples/data/iris.csv", "--test-split", "0.2", "--standardize", "--seed", "3", "--epochs", String(epochs), "--out", out, ...more]);

  it("saves the best epoch's weights and optimizer state, says so, and resumes from them exactly", () => {
    const dir = tmp();
    const r = iris(join(dir, "best.json"), 200, ["--patience", "10"]);
    expect(r.status, r.stderr).toBe(0);
    const [, best, loss] = /restored the weights of epoch (\d+), test loss ([\d.e+-]+) \(the best; the last epoch was (\d+)\)/.exec(r.stdout)!;
    const lines = epochLines(r.stdout);
    const stop = lines.at(-1)!;
    expect(stop.epoch).toBe(Number(best) + 10);
    expect(r.stdout).toMatch(new RegExp(`stopped \\(early stopping\\) after epoch ${stop.epoch}`));
    expect(weights(join(dir, "best.json")).epoch).toBe(Number(best));
    // The file is the one a run of exactly that many epochs writes.
    iris(join(dir, "straight.json"), Number(best));
    expect(readFileSync(join(dir, "best.json"), "utf8")).toBe(readFileSync(join(dir, "straight.json"), "utf8"));
    expect(Number(loss)).toBeLessThan(lossOf(stop.line, "test loss"));
    // And resuming it continues that run.
    iris(join(dir, "best.json"), Number(best) + 3, ["--resume", join(dir, "best.json")]);
    iris(join(dir, "straight3.json"), Number(best) + 3);
    expect(flat(join(dir, "best.json"))).toEqual(flat(join(dir, "straight3.json")));
  });
});

describe("hyperparameters from the command line", () => {
  /** What the options mean, built from the runtime directly: the optimizer and the schedule. */
  const reference = (o: Record<string, string>): [(s: Shapes) => Optimizer, Schedule | undefined] => {
    const n = (k: string, d = NaN) => (o[k] === undefined ? d : Number(o[k]));
    const name = o["optimizer"] ?? "adam";
    const lr = n("lr", { sgd: 0.1, nesterov: 0.05, rmsprop: 0.01, adam: 0.01, adamw: 0.01 }[name]);
    const weightDecay = n("weight-decay", name === "adamw" ? 0.01 : 0);
    const moments = { lr, beta1: n("beta1", 0.9), beta2: n("beta2", 0.999), eps: n("eps", 1e-8), weightDecay };
    const make = {
      sgd: (s: Shapes) => sgd(s, { lr, momentum: n("momentum", 0), weightDecay }),
      nesterov: (s: Shapes) => sgd(s, { lr, momentum: n("momentum", 0.9), nesterov: true, weightDecay }),
      rmsprop: (s: Shapes) => rmsprop(s, { lr, eps: n("eps", 1e-8), weightDecay }),
      adam: (s: Shapes) => adam(s, moments),
      adamw: (s: Shapes) => adamw(s, moments),
    }[name]!;
    // (Without --step-every or an exponential's --gamma, as a reference for "without" only: no decay.)
    const schedules: Record<string, Schedule | undefined> = { constant: undefined, step: stepDecay(lr, n("step-every", Infinity), n("gamma", 0.1)), exponential: exponential(lr, n("gamma", 1)), cosine: cosine(lr, 6) };
    const schedule = schedules[o["schedule"] ?? "constant"];
    return [make, o["warmup"] === undefined ? schedule : warmup(schedule ?? constant(lr), n("warmup"))];
  };
  // XOR, 6 epochs of 2 steps, as the runtime trains it.
  const xorRun = async () => {
    const model = (await generate(front(readFileSync("examples/xor.nnd", "utf8")).checked!)).module["xor"] as TrainableModel;
    const data = fromCsv(readFileSync("examples/data/xor.csv", "utf8"), "xor.csv", { inputs: [{ name: "x", shape: [2] }], targets: [{ name: "y", shape: [] }] });
    return ([make, schedule]: ReturnType<typeof reference>) => {
      const params = model.init(1);
      train(model, params, make(model.shapes), { train: data }, { epochs: 6, batch: 2, seed: 1, ...(schedule === undefined ? {} : { schedule }) });
      return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.from(v)]));
    };
  };

  it.each([
    { optimizer: "sgd", momentum: "0.5", "weight-decay": "0.1", schedule: "step", "step-every": "2", gamma: "0.5" },
    { optimizer: "nesterov", momentum: "0.6", schedule: "exponential", gamma: "0.7" },
    { optimizer: "adam", beta1: "0.5", beta2: "0.9", eps: "0.1", "weight-decay": "0.05", schedule: "cosine", warmup: "3" },
    { optimizer: "adamw", "weight-decay": "0.5", lr: "0.05" },
    { optimizer: "rmsprop", eps: "0.1", "weight-decay": "0.01" },
  ] as Record<string, string>[])("%j: every option reaches the optimizer", async (options) => {
    const run = await xorRun();
    const expected = run(reference(options));
    // Each option on its own changes the run, so a run equal to this one took every one of them.
    for (const key of Object.keys(options).filter((k) => k !== "optimizer")) {
      const without = Object.fromEntries(Object.entries(options).filter(([k]) => k !== key));
      expect(run(reference(without)), `without --${key}`).not.toEqual(expected);
    }
    const out = join(tmp(), "w.json");
    const args = Object.entries(options).flatMap(([k, v]) => [`--${k}`, v]);
    const r = nndc(["train", "examples/xor.nnd", "--data", "examples/data/xor.csv", "--epochs", "6", "--batch", "2", "--seed", "1", "--out", out, ...args]);
    expect(r.status, r.stderr).toBe(0);
    expect(flat(out)).toEqual(expected);
  });

  it("--help shows every default", () => {
    const help = nndc(["train", "--help"]).stdout.replace(/\s+/g, " ");
    for (const text of [
      "--lr <rate> learning rate (default 0.1 for sgd and adagrad, 0.05 for momentum and nesterov, 0.01 for rmsprop, adam and adamw; newton takes none)",
      "--momentum <m> momentum factor (sgd, momentum and nesterov; default 0 for sgd, 0.9 for momentum and nesterov)",
      "(adam and adamw; default 0.9)",
      "(adam and adamw; default 0.999)",
      "(adagrad, rmsprop, adam and adamw; default 1e-10 for adagrad, 1e-8 for rmsprop, adam and adamw)",
      "default 0.01 for adamw, 0 for the others",
      'default: "constant"',
      "--log-every <n>",
    ]) expect(help).toContain(text);
  });

  // The whole table of bad values is in hyperparameters.test.ts; here, that each kind is exit 2 end to end.
  it.each([
    [["--momentum", "0.9"], /NND3041: --momentum applies to the optimizers sgd, momentum and nesterov, not to adam/],
    [["--schedule", "step"], /NND3042: --schedule step needs --step-every/],
    [["--momentum", "abc"], /NND3040: --momentum must be a number from 0 up to \(not including\) 1, not 'abc'/],
    [["--schedule", "linear"], /argument 'linear' is invalid/],
    [["--patience", "soon"], /--patience must be a whole number ≥ 1/],
  ])("%j exits 2", (args, message) => {
    const out = join(tmp(), "w.json");
    const r = nndc(["train", "examples/xor.nnd", "--data", "examples/data/xor.csv", "--out", out, ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });
});

describe("epoch lines off a terminal", () => {
  it("300 XOR epochs: 10 to 20 lines, with the start, the first and the last epoch", () => {
    const r = nndc(["train", "examples/xor.nnd", "--data", "examples/data/xor.csv", "--epochs", "300", "--batch", "4", "--lr", "0.05", "--out", join(tmp(), "w.json")]);
    expect(r.status, r.stderr).toBe(0);
    const epochs = epochLines(r.stdout).map((l) => l.epoch);
    expect(epochs.length).toBeGreaterThanOrEqual(10);
    expect(epochs.length).toBeLessThanOrEqual(20);
    expect(epochs.slice(0, 2)).toEqual([0, 1]);
    expect(epochs.at(-1)).toBe(300);
  });

  it("--log-every sets the interval", () => {
    const r = nndc(["train", "examples/xor.nnd", "--data", "examples/data/xor.csv", "--epochs", "250", "--batch", "2", "--log-every", "100", "--out", join(tmp(), "w.json")]);
    expect(r.status, r.stderr).toBe(0);
    expect(epochLines(r.stdout).map((l) => l.epoch)).toEqual([1, 100, 200, 250]);
  });
});
