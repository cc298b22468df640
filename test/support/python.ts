// A Python with PyTorch, for tests that compare nndc with PyTorch live (in
// float64). Tests that need it skip, saying why, when there is none; CI
// installs one. NNDC_TORCH_PYTHON names a particular interpreter.

import { spawnSync } from "node:child_process";

const CANDIDATES = [process.env["NNDC_TORCH_PYTHON"], "/usr/bin/python3", "python3", "python"].filter(
  (p): p is string => p !== undefined && p !== "",
);

let found: { python: string | undefined } | undefined;

/** The first candidate that imports torch, or undefined. */
export function torchPython(): string | undefined {
  if (found === undefined) {
    const python = CANDIDATES.find((p) => spawnSync(p, ["-c", "import torch"], { stdio: "ignore", timeout: 60_000 }).status === 0);
    found = { python };
  }
  return found.python;
}

/** Why PyTorch comparisons were skipped, for the test's name. */
export const NO_TORCH = `skipped: no Python with torch (tried ${CANDIDATES.join(", ")}; set NNDC_TORCH_PYTHON)`;

/**
 * Python definitions every script gets: float64 by default, and `out(x)`,
 * which prints a result as JSON with non-finite numbers as the strings
 * "NaN", "Infinity" and "-Infinity" (JSON has no such numbers).
 */
const PRELUDE = `
import json, math, sys
import torch
torch.set_default_dtype(torch.float64)

def plain(x):
    if isinstance(x, torch.Tensor):
        x = x.detach().tolist()
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, float) and not math.isfinite(x):
        return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")
    return x

def out(x):
    print(json.dumps(plain(x)))

data = json.loads(sys.stdin.read())
`;

/** Strings "NaN", "Infinity", "-Infinity" back to numbers, anywhere in a JSON value. */
export function withNonFinite(value: unknown): unknown {
  if (value === "NaN") return NaN;
  if (value === "Infinity") return Infinity;
  if (value === "-Infinity") return -Infinity;
  if (Array.isArray(value)) return value.map(withNonFinite);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withNonFinite(v)]));
  return value;
}

/** Runs `script` (after the prelude; `data` holds `input`) and returns what it passed to out(). */
export function runTorch(python: string, script: string, input: unknown): unknown {
  const r = spawnSync(python, ["-c", PRELUDE + script], { input: JSON.stringify(input), encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) throw new Error(`python failed (${r.status ?? r.signal}):\n${r.stderr}`);
  return withNonFinite(JSON.parse(r.stdout));
}
