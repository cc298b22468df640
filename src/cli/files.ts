// Reading and writing the user's files. Every failure becomes a diagnostic
// naming the path and the reason (exit 1), never a stack trace or a hang; a
// write goes to a temporary file first and is renamed over the target, so a
// failure never leaves a half-written file behind.

import { readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { makeDirectory, writeFileAtomically } from "../runtime/files.js";
import { error, type Diagnostic } from "../diagnostics/diagnostic.js";

export function readText(path: string): { text: string } | { diagnostic: Diagnostic } {
  try {
    return { text: readFileSync(path, "utf8") };
  } catch (e) {
    return { diagnostic: error("NND3002", undefined, path, reason(e, "read")) };
  }
}

/** Writes `path` atomically; its directory must exist (see writeOutput). */
export function writeAtomically(path: string, text: string): Diagnostic | undefined {
  return attemptWrite(path, () => writeFileAtomically(path, text));
}

/** Runs a write of `path` (e.g. saveWeights); a failure is a diagnostic naming the path. */
export function attemptWrite(path: string, write: () => void): Diagnostic | undefined {
  try {
    write();
    return undefined;
  } catch (e) {
    return error("NND3004", undefined, path, reason(e, "write"));
  }
}

/** Creates a directory and its parents; a failure is a diagnostic. */
export function ensureDirectory(dir: string): Diagnostic | undefined {
  try {
    makeDirectory(dir);
    return undefined;
  } catch (e) {
    return error("NND3011", undefined, dir, reason(e, "mkdir", dir));
  }
}

/**
 * Makes sure `path` can be written before the work that produces it starts:
 * its directory exists (created if need be) and it is not itself a directory.
 */
export function prepareOutput(path: string): Diagnostic | undefined {
  const failed = ensureDirectory(dirname(path));
  if (failed !== undefined) return failed;
  try {
    if (statSync(path).isDirectory()) return error("NND3004", undefined, path, "it is a directory");
  } catch {
    // Absent (the usual case) or unreadable: the write itself will say.
  }
  return undefined;
}

/** The one helper for a command's output file: create the directory, then write atomically. */
export function writeOutput(path: string, text: string): Diagnostic | undefined {
  return ensureDirectory(dirname(path)) ?? writeAtomically(path, text);
}

const REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "the file system is read-only",
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is exceeded",
  EISDIR: "it is a directory",
  EEXIST: "a file of that name is in the way",
  ENAMETOOLONG: "the name is too long",
  ELOOP: "too many levels of symbolic links",
  EMFILE: "too many open files",
  EIO: "an input/output error",
  EBUSY: "the file is busy",
  EINVAL: "the file system does not allow it there",
};

function reason(e: unknown, doing: "read" | "write" | "mkdir", dir?: string): string {
  const { code, path } = e as NodeJS.ErrnoException;
  const culprit = path === undefined || dir === undefined || resolve(path) === resolve(dir) ? "" : ` ('${path}')`;
  const it = culprit === "" ? "it" : `'${path}'`;
  if (code === "ENOTDIR") return doing === "mkdir" ? `${it} is a file, not a directory` : "a part of the path is a file, not a directory";
  // Reading, ENOENT means the file is absent; creating, the parent exists but
  // the file system has no place for a new entry (as under /proc).
  if (code === "ENOENT") return doing === "read" ? "no such file" : doing === "mkdir" ? `the file system does not allow a directory there${culprit}` : "the file system does not allow a file there";
  if (code !== undefined && code in REASONS) return `${REASONS[code]!}${culprit}`;
  return e instanceof Error ? e.message : String(e);
}
