// The compile-time tables of `npm run bench -- --only=compile --readme`: they
// replace their own block of the README and nothing else.

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { putCompileIntoReadme, renderCompile, type ScalingRow } from "../bench/report.js";

const row = (model: string, family: ScalingRow["family"], size: number, hessian: boolean, ms: number): ScalingRow => ({ family, model, size, params: family === "logistic map" ? 1 : size, hessian, kib: 2 * ms, medianMs: ms, cpuMs: ms / 2 });

const extras = {
  compile: [{ file: "examples/xor.nnd", decls: 1, kib: 0.4, runs: 5, medianMs: 12.5, msPerDecl: 12.5 }],
  compileScaling: [row("8-8-3", "network", 99, false, 20), row("8-8-3", "network", 99, true, 40), row("784-128-10", "network", 101770, false, 30), row("logistic map, n = 1", "logistic map", 1, false, 5), row("logistic map, n = 1", "logistic map", 1, true, 7)],
};

it("renders one row per model, with and without --hessian, and the logistic map by n", () => {
  const text = renderCompile(extras).join("\n");
  expect(text).toContain("| 8-8-3 | 99 | 20 | 10 | 40 | 40 | 20 | 80 |");
  expect(text).toContain("| 784-128-10 | 101770 | 30 | 15 | 60 | – | – | – |");
  expect(text).toContain("| ms --hessian | 7 |");
});

it("puts the tables into their block of the README, leaving the rest as it was", () => {
  const file = join(mkdtempSync(join(tmpdir(), "nndc-readme-")), "README.md");
  const [before, after] = ["# title\n<!-- bench:begin -->\nrace tables\n", "\nflop tables\n<!-- bench:end -->\nthe end\n"];
  writeFileSync(file, `${before}<!-- bench:compile:begin -->\nold compile table\n<!-- bench:compile:end -->${after}`);
  putCompileIntoReadme(extras, file);
  const text = readFileSync(file, "utf8");
  expect(text.startsWith(`${before}<!-- bench:compile:begin -->\n`)).toBe(true);
  expect(text.endsWith(`<!-- bench:compile:end -->${after}`)).toBe(true);
  expect(text).not.toContain("old compile table");
  expect(text).toContain("| examples/xor.nnd | 1 | 0.4 | 12.5 | 12.5 |");
});
