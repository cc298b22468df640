// Reading and writing the user's files. Failures become diagnostics; a write
// goes to a temporary file first and is renamed over the target, so a crash
// never leaves a half-written file behind.

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { error, type Diagnostic } from "../diagnostics/diagnostic.js";

export function readText(path: string): { text: string } | { diagnostic: Diagnostic } {
  try {
    return { text: readFileSync(path, "utf8") };
  } catch (e) {
    return { diagnostic: error("NND3002", undefined, path, reason(e)) };
  }
}

export function writeAtomically(path: string, text: string): Diagnostic | undefined {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(temporary, "w");
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
    return undefined;
  } catch (e) {
    rmSync(temporary, { force: true });
    return error("NND3004", undefined, path, reason(e));
  }
}

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "EISDIR":
      return "it is a directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    default:
      return e instanceof Error ? e.message : String(e);
  }
}
