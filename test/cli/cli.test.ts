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
