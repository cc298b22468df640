// The benchmark runs as a user runs it, on its smallest workload: the
// generated trainer (both targets) and both hand-written ones train XOR from the same
// weights on the same minibatches, each in its own process; each passes its
// gradient check against central differences and gets all four points
// right, and the report prints. (Speed is the benchmark's business, never a
// test's: nothing here looks at a time.)

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import type { Results } from "../bench/report.js";

it("npm run bench -- --quick runs XOR with the generated (TypeScript and WebAssembly) and hand-written trainers", () => {
  const dir = mkdtempSync(join(tmpdir(), "nndc-bench-"));
  const args = ["--import", "tsx", "bench/run.ts", "--quick", "--only=W1", "--peers=generated,hand", "--skip=ceiling,extras", `--results=${dir}`];
  const run = spawnSync(process.execPath, args, { encoding: "utf8", timeout: 120_000 });
  expect(run.status, run.stderr).toBe(0);
  const results = JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]!), "utf8")) as Results;
  const peers = results.workloads[0]!.peers;
  expect(peers.map((p) => p.peer)).toEqual(["generated f64", "generated wasm f64", "hand-written (a)", "hand-written (b)"]);
  for (const p of peers) {
    if ("error" in p) expect.fail(`${p.peer}: ${p.error}`);
    expect(p.gradcheck, p.peer).toBeLessThan(1e-6);
    expect(p.accuracy, p.peer).toBe(1);
    expect(p.segments).toHaveLength(5);
  }
  expect(run.stdout).toMatch(/^\| W1 \| 1\.00×, 100\.0 % \|/m);
}, 180_000);
