// End to end: run the built `nndc` as a user would, and look at what it prints
// and how it exits (0 success, 1 a problem in the input, 2 a bad command line).

import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const BIN = "dist/cli/main.js";

function nndc(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "", ...env },
  });
  // Whatever happens, a user never sees a JavaScript stack trace.
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?/);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), "nndc-"));

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'npm run build' (npm test does it)`);
});

describe("help and version", () => {
  it("--help lists the commands", () => {
    const r = nndc(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: nndc/);
    expect(r.stdout).toMatch(/check/);
    expect(r.stdout).toMatch(/fmt/);
  });

  it("--version prints the package version", () => {
    const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    expect(nndc(["--version"])).toMatchObject({ status: 0, stdout: `${version}\n` });
  });

  it.each(["check", "fmt"])("%s --help", (command) => {
    const r = nndc([command, "--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Usage: nndc ${command}`));
  });

  it("the package's bin is this script, runnable with a shebang", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { bin: Record<string, string> };
    expect(pkg.bin["nndc"]).toBe(BIN);
    expect(readFileSync(BIN, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });
});

describe("bad command lines exit 2", () => {
  it.each([
    [["frobnicate"], /unknown command 'frobnicate'/],
    [["check"], /missing required argument 'files'/],
    [["check", "--frob", "x.nnd"], /unknown option '--frob'/],
    [["fmt", "--check", "--write", "examples/xor.nnd"], /cannot be used with/],
  ])("nndc %j", (args, message) => {
    const r = nndc(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe("nndc check", () => {
  const examples = readdirSync("examples").filter((f) => f.endsWith(".nnd")).map((f) => `examples/${f}`);

  it("passes every example silently", () => {
    expect(nndc(["check", ...examples])).toMatchObject({ status: 0, stdout: "", stderr: "" });
  });

  it("--verbose says what it found", () => {
    const r = nndc(["check", "--verbose", "examples/xor.nnd"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("model xor: 17 parameters");
    expect(r.stdout).toContain("params   W1 [4, 2] ~ xavier, b1 [4] ~ zeros, w2 [4] ~ normal(0, 0.5), b2 [] ~ zeros");
  });

  it("reports every error with a code frame and exits 1", () => {
    const file = "test/fixtures/errors/elementwise-shapes.nnd";
    const r = nndc(["check", file]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    const golden = readFileSync(file.replace(/\.nnd$/, ".out"), "utf8");
    expect(r.stderr).toBe(`${golden}\nFound 6 errors.\n`);
  });

  it("prints warnings but exits 0 for them alone", () => {
    const r = nndc(["check", "test/fixtures/errors/unused-argument.nnd"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/warning NND4001: argument 'y' of 'f' is not used/);
    expect(r.stderr).toMatch(/Found 2 warnings\.\n$/);
  });

  it("reports a missing file or a directory, exit 1", () => {
    const missing = nndc(["check", "no/such/file.nnd"]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/error NND3002: cannot read 'no\/such\/file.nnd': no such file/);
    expect(nndc(["check", "examples"]).stderr).toMatch(/NND3002: cannot read 'examples': it is a directory/);
  });

  it("turns 100,000 nested brackets into a diagnostic", () => {
    const dir = tmp();
    const file = join(dir, "deep.nnd");
    writeFileSync(file, `fn f(x) = ${"(".repeat(100_000)}x${")".repeat(100_000)}\n`);
    const r = nndc(["check", file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error NND1002: expression nested too deeply/);
  });

  it("colours its output when asked", () => {
    const r = nndc(["check", "test/fixtures/errors/bad-index.nnd"], { NO_COLOR: "", FORCE_COLOR: "1" });
    expect(r.stderr).toContain("\u001b[31merror\u001b[39m");
  });
});

describe("nndc fmt", () => {
  it("prints the canonical layout", () => {
    const r = nndc(["fmt", "test/fixtures/format/messy.nnd"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync("test/fixtures/format/messy.expected.nnd", "utf8"));
  });

  it("--check fails on an unformatted file and --write fixes it, atomically", () => {
    const dir = tmp();
    const file = join(dir, "messy.nnd");
    copyFileSync("test/fixtures/format/messy.nnd", file);
    const check = nndc(["fmt", "--check", file]);
    expect(check.status).toBe(1);
    expect(check.stderr).toMatch(/error NND3003: '.*messy.nnd' is not formatted/);
    expect(nndc(["fmt", "--write", file])).toMatchObject({ status: 0, stdout: `formatted ${file}\n` });
    expect(readFileSync(file, "utf8")).toBe(readFileSync("test/fixtures/format/messy.expected.nnd", "utf8"));
    expect(readdirSync(dir)).toEqual(["messy.nnd"]); // no temporary file left behind
    expect(nndc(["fmt", "--check", file]).status).toBe(0);
  });

  it("leaves a file with syntax errors alone and exits 1", () => {
    const dir = tmp();
    const file = join(dir, "broken.nnd");
    const text = "fn f(x) =   x +\n";
    writeFileSync(file, text);
    const r = nndc(["fmt", "--write", file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/NND1001/);
    expect(readFileSync(file, "utf8")).toBe(text);
  });
});

// Tests run as root, where permissions stop nothing: the failures come from
// /proc and /sys, which refuse new entries to everyone, and from a file in
// the way. Each process has a time limit, so a hang fails the test.
describe("file-system failures are diagnostics, exit 1, within a time limit", () => {
  const within = (args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 20_000, env: { ...process.env, NO_COLOR: "1" } });
    expect(r.signal, `nndc ${args.join(" ")} was killed (a hang?)`).toBeNull();
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?/);
    return r;
  };

  it.each([
    ["an existing file as -o", (file: string) => file, /NND3011: cannot create the directory '.*existing.ts': it is a file, not a directory/],
    ["a directory under a file", (file: string) => join(file, "sub"), /NND3011: cannot create the directory '.*sub': '.*existing.ts' is a file, not a directory/],
    ["a path under /proc", () => "/proc/forbidden", /NND3011: cannot create the directory '\/proc\/forbidden': the file system does not allow a directory there/],
    ["a deeper path under /proc", () => "/proc/forbidden/a/b", /NND3011: cannot create the directory '\/proc\/forbidden\/a\/b': .*\('\/proc\/forbidden'\)/],
    ["a directory under /sys", () => "/sys/x", /NND3011: cannot create the directory '\/sys\/x': permission denied/],
    ["/sys itself, which takes no files", () => "/sys", /NND3004: cannot write '\/sys\/xor.ts': permission denied/],
  ])("compile -o %s", (_, out, message) => {
    const file = join(tmp(), "existing.ts");
    writeFileSync(file, "// mine\n");
    const r = within(["compile", "examples/xor.nnd", "-o", out(file)]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe("");
    expect(readFileSync(file, "utf8")).toBe("// mine\n");
  });

  it.each([
    ["--out under /proc", ["--out", "/proc/forbidden/w.json"], /NND3011: cannot create the directory '\/proc\/forbidden'/],
    ["--out a directory", ["--out", "DIR"], /NND3004: cannot write '.*': it is a directory/],
    ["--out under a file", ["--out", "FILE/w.json"], /NND3011: .*is a file, not a directory/],
    ["--plot under /proc", ["--plot", "/proc/forbidden/p.svg"], /NND3011: cannot create the directory '\/proc\/forbidden'/],
  ])("train %s fails before training", (_, flags, message) => {
    const dir = tmp();
    const file = join(dir, "file");
    writeFileSync(file, "x");
    const args = flags.map((f) => f.replace("DIR", dir).replace("FILE", file));
    const r = within(["train", "examples/xor.nnd", "--data", "examples/data/xor.csv", "--epochs", "2", ...(args[0] === "--plot" ? ["--out", join(dir, "w.json")] : []), ...args]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).not.toMatch(/epoch/);
    expect(readdirSync(dir).sort()).toEqual(["file"]);
  });

  it("train: weights that cannot be written at the end are a diagnostic, and nothing is left half-written", () => {
    const r = within(["train", "examples/xor.nnd", "--data", "examples/data/xor.csv", "--epochs", "2", "--out", "/sys/w.json"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/NND3004: cannot write '\/sys\/w.json': permission denied/);
  });

  it("eval --params and --example that cannot be read", () => {
    const r = within(["eval", "examples/xor.nnd", "--params", "/proc/forbidden.json", "--example", "examples"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/NND3002: cannot read '\/proc\/forbidden.json': no such file/);
    expect(r.stderr).toMatch(/NND3002: cannot read 'examples': it is a directory/);
  });
});

describe("gradcheck counts checked, skipped and failed apart", () => {
  it("a skipped derivative is not counted as agreeing", () => {
    const r = nndc(["gradcheck", "examples/functions.nnd"]);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/All 29/);
    expect(r.stdout).toMatch(/\nAll 25 checked derivatives agree with finite differences\.\n4 derivatives skipped, not checked \(reasons above\): fn grad_quad A, fn hess_quad x, fn hess_quad A, fn jac_softmax v\.\n$/);
    expect(r.stdout).toMatch(/ A +\[3, 3\] +skipped: its derivative has rank 3, and nndc derives ranks 0 to 2/);
  });

  it("a file without skips keeps the short verdict", () => {
    expect(nndc(["gradcheck", "examples/xor.nnd"]).stdout).toMatch(/\nAll 4 derivatives agree with finite differences\.\n$/);
  });

  it.each([
    [["--tolerance", "abc"], /NND3010: --tolerance must be a number ≥ 0 .*not 'abc'/],
    [["--tolerance", "-1e-5"], /NND3010: --tolerance must be a number ≥ 0 .*not '-1e-5'/],
    [["--tolerance", ""], /NND3010: --tolerance/],
    [["--seed", "abc"], /NND3010: --seed must be a whole number from 0 to 4294967295, not 'abc'/],
    [["--seed", "1.5"], /NND3010: --seed/],
    [["--seed", "-3"], /NND3010: --seed/],
  ])("gradcheck %j is a bad command line, exit 2", (flags, message) => {
    const r = nndc(["gradcheck", "examples/xor.nnd", ...flags]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe("");
  });
});

describe("exit 2 for names on the command line that the file does not have", () => {
  const twoModels = () => {
    const file = join(tmp(), "two.nnd");
    writeFileSync(file, "model a {\n  input x: []\n  param w: []\n  loss = (w * x)^2\n}\nmodel b {\n  input x: []\n  param v: []\n  loss = (v - x)^2\n}\n");
    return file;
  };
  it.each([
    ["no --model in a two-model file (grad)", () => ["grad", twoModels()], /NND3007: .*it has 2 models; name one with --model \(a, b\)/],
    ["no --model in a two-model file (train)", () => ["train", twoModels(), "--data", "examples/data/xor.csv"], /NND3007/],
    ["no --model in a two-model file (eval)", () => ["eval", twoModels(), "--params", "p.json", "--example", "e.json"], /NND3007/],
    ["--model nosuch (grad)", () => ["grad", "examples/xor.nnd", "--model", "nosuch"], /NND3005: examples\/xor.nnd has no model 'nosuch'/],
    ["--model nosuch (eval)", () => ["eval", "examples/xor.nnd", "--model", "nosuch", "--params", "p.json", "--example", "e.json"], /NND3005/],
    ["--model nosuch (train)", () => ["train", "examples/xor.nnd", "--model", "nosuch", "--data", "examples/data/xor.csv"], /NND3005/],
    ["--fn nosuch (grad)", () => ["grad", "examples/functions.nnd", "--fn", "nosuch"], /NND3005: examples\/functions.nnd has no fn 'nosuch'/],
    ["--fn nosuch (eval)", () => ["eval", "examples/functions.nnd", "--fn", "nosuch", "--at", "{}"], /NND3005/],
    ["--wrt nosuch (grad)", () => ["grad", "examples/xor.nnd", "--wrt", "nosuch"], /NND3006: --wrt nosuch: model 'xor' has no variable 'nosuch'/],
    ["--wrt nosuch (explain)", () => ["explain", "examples/xor.nnd", "--wrt", "nosuch"], /NND3006/],
    ["a malformed --columns", () => ["train", "examples/iris.nnd", "--data", "examples/data/iris.csv", "--columns", "x"], /--columns: 'x' is not of the form field=column/],
    ["--columns naming no input or target", () => ["train", "examples/iris.nnd", "--data", "examples/data/iris.csv", "--columns", "z=a"], /--columns: the model has no input or target 'z' \(it has: x, y\)/],
  ])("%s", (_, args, message) => {
    const r = nndc(args());
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it("a problem in the file still exits 1 when a name is also wrong", () => {
    const r = nndc(["grad", "test/fixtures/errors/unknown-name.nnd", "--model", "nosuch"]);
    expect(r.status).toBe(1);
  });
});

describe("the size guard", () => {
  // Before the guard, gradcheck of this model grew to 11 GB until it was killed.
  const big = () => {
    const file = join(tmp(), "big.nnd");
    writeFileSync(file, "dim H = 1000000000\nmodel m {\n  input x: [2]\n  target y: []\n  param W: [H, 2]\n  param w: [H]\n  loss = (dot(w, tanh(W @ x)) - y)^2\n}\n");
    return file;
  };
  it.each([["check"], ["gradcheck"], ["compile", "-o", "OUT"], ["grad"]])("nndc %s refuses a model too large to run, at once", (command, ...rest) => {
    const out = tmp();
    const r = spawnSync(process.execPath, [BIN, command, big(), ...rest.map((a) => a.replace("OUT", out))], { encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } });
    expect(r.signal, "killed: it ran out of time").toBeNull();
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error NND2026: model 'm' holds about 5,000,000,006 numbers at once \(its values for one example, 37.3 GiB\), more than the limit of 268,435,456 \(2 GiB\)/);
    expect(readdirSync(out)).toEqual([]);
  });
});

// A flat chain is not nesting: it checks, differentiates and runs, and no
// stage (parser, checker, simplifier, reverse mode, code generation,
// prettier) recurses once per term. 5,000 terms is five times the old limit
// of 1,000 levels and keeps the test under a few minutes; test/parse/limits.test.ts
// checks 20,000.
describe("a flat chain of 5,000 terms", () => {
  const N = 5_000;
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 600_000, maxBuffer: 1 << 28, env: { ...process.env, NO_COLOR: "1" } });
    expect(r.signal, "killed: out of time").toBeNull();
    expect(r.stderr).not.toMatch(/Maximum call stack|RangeError|nested too deeply/);
    return r;
  };
  const file = (name: string, body: string) => {
    const path = join(tmp(), `${name}.nnd`);
    writeFileSync(path, `fn ${name}(x) = ${body}\n`);
    return path;
  };
  const ks = Array.from({ length: N }, (_, i) => i + 1);

  it("a sum: check, grad and eval give the right value and derivative", { timeout: 1_200_000 }, () => {
    const path = file("s", ks.map((k) => `sin(${k} * x)`).join(" + "));
    expect(run(["check", path])).toMatchObject({ status: 0, stderr: "" });
    const grad = run(["grad", path, "--fn", "s"]);
    expect(grad.status, grad.stderr).toBe(0);
    expect(grad.stdout).toContain(`${N} cos(${N} x)`);
    const r = run(["eval", path, "--fn", "s", "--at", '{"x": 0.3}']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { value: number; grad: { x: number } };
    const value = ks.reduce((s, k) => s + Math.sin(k * 0.3), 0);
    const slope = ks.reduce((s, k) => s + k * Math.cos(k * 0.3), 0);
    expect(Math.abs(out.value - value)).toBeLessThan(1e-9);
    expect(Math.abs(out.grad.x - slope)).toBeLessThan(1e-6);
  });

  it("a product: check, grad and eval give the right value and derivative", { timeout: 1_200_000 }, () => {
    // prod (1 + x / k^2) converges; its derivative is the product times sum 1 / (k^2 + x).
    const path = file("p", ks.map((k) => `(1 + x / ${k * k})`).join(" * "));
    expect(run(["check", path])).toMatchObject({ status: 0, stderr: "" });
    expect(run(["grad", path, "--fn", "p"]).status).toBe(0);
    const r = run(["eval", path, "--fn", "p", "--at", '{"x": 0.5}']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { value: number; grad: { x: number } };
    const value = ks.reduce((p, k) => p * (1 + 0.5 / (k * k)), 1);
    const slope = value * ks.reduce((s, k) => s + 1 / (k * k + 0.5), 0);
    expect(out.value / value - 1).toBeCloseTo(0, 10);
    expect(out.grad.x / slope - 1).toBeCloseTo(0, 8);
  });
});

describe("a reader that stops early", () => {
  it("ends the command quietly, with no stack trace", () => {
    // `head -1` closes the pipe after one line, while train still prints.
    const r = spawnSync("sh", ["-c", `"${process.execPath}" "${BIN}" train examples/xor.nnd --data examples/data/xor.csv --epochs 2000 --log-every 1 --batch 4 --out "$TMPDIR/xor-pipe.weights.json" | head -1`], {
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, TMPDIR: tmpdir() },
    });
    expect(r.stdout).toMatch(/^training xor/);
    expect(r.stderr).not.toMatch(/EPIPE|at .*\.js:\d+/);
  });
});
