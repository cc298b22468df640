// Relaxed SIMD: the module embeds its kernels twice, with and without the
// fused multiply-add, and takes the fused ones where the engine validates
// them. Node 20 has relaxed SIMD only behind a flag, so each engine is a
// child Node: with the flag it runs the fused kernels, without it the plain
// ones, and either way the TypeScript target's numbers within 1e-12.

import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/pipeline/compile.js";
import { wasm } from "../../src/emit/wasm/target.js";
import { front } from "../support/front.js";
import { freshDir } from "../support/cli.js";
import { expectClose } from "../support/agree.js";
import { withinScale } from "../support/values.js";

interface Run {
  readonly loss: number;
  readonly grads: Record<string, number[]>;
}

async function written(source: string): Promise<string> {
  const checked = front(source, "m.nnd").checked!;
  const dir = freshDir("nndc-relaxed-");
  const base = { precision: "f64", source: "m.nnd" } as const;
  writeFileSync(join(dir, "ts.ts"), (await compile(checked, base)).code);
  writeFileSync(join(dir, "wasm.ts"), (await compile(checked, { ...base, target: wasm })).code);
  return dir;
}

function run(dir: string, flags: string[]): { fused: boolean; ts: Run; wasm: Run } {
  const inputs = JSON.stringify([["x", 784], ["y", 10]]);
  const r = spawnSync(process.execPath, [...flags, "--import", "tsx", "test/support/relaxed-run.ts", dir, "mnist", inputs], { encoding: "utf8", timeout: 120_000, maxBuffer: 1 << 28 });
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout) as { fused: boolean; ts: Run; wasm: Run };
}

describe("relaxed SIMD", () => {
  it("is taken where the engine has it and left where it has not, the numbers the same within 1e-12 either way", async () => {
    const dir = await written(readFileSync("examples/mnist.nnd", "utf8"));
    expect(readFileSync(join(dir, "wasm.ts"), "utf8")).toContain("WebAssembly.validate($fused)");
    for (const [flags, fused] of [[["--experimental-wasm-relaxed-simd"], true], [[], false]] as const) {
      const r = run(dir, [...flags]);
      expect(r.fused, flags.join(" ") || "no flag").toBe(fused);
      expectClose([r.wasm.loss], [r.ts.loss], "loss", 1e-12);
      for (const [k, g] of Object.entries(r.ts.grads)) {
        const { ok, worst, scale } = withinScale(r.wasm.grads[k]!, g, 1e-12);
        expect(ok, `${k}: largest difference ${worst}, against its largest entry ${scale}`).toBe(true);
      }
    }
  });
});
