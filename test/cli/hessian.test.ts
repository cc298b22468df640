// The Hessian on request, end to end: `compile --hessian` and `train
// --optimizer newton` on a model above MAX_HESSIAN_PARAMS fail with NND3060
// (exit 1, nothing written) instead of leaving the Hessian out in silence.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_HESSIAN_PARAMS } from "../../src/pipeline/derive.js";
import { freshDir, nndc } from "../support/cli.js";

const tmp = () => freshDir("nndc-hessian-");

describe("the Hessian's size limit", () => {
  it("compile --hessian of a model above it is NND3060, exit 1, and writes nothing", () => {
    const dir = tmp();
    const r = nndc(["compile", "examples/digits.nnd", "--hessian", "-o", dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error NND3060");
    expect(r.stderr).toContain(`model 'digits' has 2410 parameter entries, too many for its Hessian`);
    expect(r.stderr).toContain(`at most ${MAX_HESSIAN_PARAMS}`);
    expect(existsSync(join(dir, "digits.ts"))).toBe(false);
  });

  it("train --optimizer newton of a model above it is the same error", () => {
    const r = nndc(["train", "examples/digits.nnd", "--data", "examples/data/digits.csv", "--optimizer", "newton", "--epochs", "1", "--out", join(tmp(), "w.json")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error NND3060");
    expect(r.stderr).toContain("'digits' has 2410 parameter entries");
  });

  it("compile --hessian of a model within it writes the hessian method", () => {
    const dir = tmp();
    const r = nndc(["compile", "bench/models/autoencoder.nnd", "--hessian", "-o", dir]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(dir, "autoencoder.ts"), "utf8")).toContain("hessian(params: AutoencoderParams");
  });
});
