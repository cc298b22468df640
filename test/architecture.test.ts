// The pipeline's folders depend on each other in one direction only
// (README.md, How it is built): each may import the folders before it, the CLI
// imports anything, nothing imports the CLI, and the runtime imports nothing
// from the compiler. The graph is the IR that diff and simplify both rewrite;
// the pipeline that runs them in order is src/pipeline/derive.ts. Every file
// is in a stage's folder but src/index.ts, the library's entry.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, dirname, resolve } from "node:path";
import { expect, it } from "vitest";

/** Each stage and the stages it may import. */
const allowed: Record<string, readonly string[]> = {
  tensor: [],
  ir: [],
  ops: ["ir", "tensor"],
  diagnostics: ["tensor"],
  parse: ["diagnostics", "tensor"],
  check: ["parse", "diagnostics", "ops", "tensor"],
  format: ["parse", "diagnostics"],
  graph: ["ops", "diagnostics", "tensor"],
  diff: ["graph", "check", "parse", "diagnostics", "ops", "tensor"],
  simplify: ["graph", "diagnostics", "ops", "tensor"],
  lower: ["simplify", "diff", "graph", "check", "parse", "diagnostics", "ir", "ops", "tensor"],
  emit: ["lower", "simplify", "diff", "graph", "check", "parse", "diagnostics", "ir", "ops", "tensor"],
  pipeline: ["emit", "lower", "simplify", "diff", "graph", "check", "format", "parse", "diagnostics", "ir", "ops", "tensor"],
  explain: ["pipeline", "simplify", "diff", "graph", "check", "format", "parse", "diagnostics", "ops", "tensor"],
  verify: ["pipeline", "graph", "check", "diagnostics", "ops", "tensor"],
  library: ["explain", "pipeline", "format", "check", "parse", "diagnostics"],
  runtime: [],
  cli: ["library", "verify", "explain", "pipeline", "emit", "lower", "simplify", "diff", "graph", "check", "format", "parse", "diagnostics", "runtime", "ir", "ops", "tensor"],
};

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (path.endsWith(".ts")) yield path;
  }
}

it("imports between src/ folders follow the pipeline", () => {
  const violations: string[] = [];
  for (const file of sourceFiles("src")) {
    const [stage] = relative("src", file).split("/");
    const text = readFileSync(file, "utf8");
    for (const [, spec] of text.matchAll(/(?:import|export)\s[^;]*?from\s+"([^"]+)"/g)) {
      if (!spec!.startsWith(".")) continue;
      const target = relative("src", resolve(dirname(file), spec!));
      const [targetStage] = target.split("/");
      if (target.startsWith("..") || targetStage === stage || targetStage?.endsWith(".js")) continue;
      // src/index.ts, the library's entry, may expose any stage but the CLI.
      const ok = stage!.endsWith(".ts") ? targetStage !== "cli" : (allowed[stage!] ?? []).includes(targetStage!);
      if (!ok) violations.push(`${file} imports ${spec}`);
    }
  }
  expect(violations).toEqual([]);
});

it("every folder in src/ is a known stage, and only the library's entry is outside them", () => {
  const entries = readdirSync("src");
  const folders = entries.filter((f) => statSync(join("src", f)).isDirectory());
  expect(folders.filter((f) => !(f in allowed))).toEqual([]);
  expect(entries.filter((f) => f.endsWith(".ts"))).toEqual(["index.ts"]);
});
