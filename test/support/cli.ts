// The nndc command as a user runs it (the built CLI in a child process), and
// a fresh directory for what it writes. Whatever happens, no JavaScript stack
// trace reaches the user.

import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";

export function nndc(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["dist/cli/main.js", ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?/);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export const freshDir = (prefix = "nndc-"): string => mkdtempSync(join(tmpdir(), prefix));
