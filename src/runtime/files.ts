// Small file and array helpers the runtime and the command line share.

import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync, type Stats } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

/**
 * Creates a directory and its missing parents, one level at a time. Node's
 * `mkdirSync(dir, { recursive: true })` retries forever where the file system
 * answers ENOENT to every mkdir (a path under /proc); this asks each level
 * once and throws the first failure. A file in the way is an ENOTDIR error
 * whose `path` is that file.
 */
export function makeDirectory(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    const found = statOrMissing(at);
    if (found === "missing") {
      const parent = dirname(at);
      if (parent === at) break;
      missing.push(at);
      at = parent;
      continue;
    }
    if (!found.isDirectory()) throw Object.assign(new Error(`${at} is not a directory`), { code: "ENOTDIR", path: at, syscall: "mkdir" });
    break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      // Created meanwhile by someone else is fine.
      const now = (e as NodeJS.ErrnoException).code === "EEXIST" ? statOrMissing(d) : "missing";
      if (now === "missing" || !now.isDirectory()) throw e;
    }
  }
}

function statOrMissing(path: string): Stats | "missing" {
  try {
    return statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // ENOTDIR: a parent is a file; the walk up finds it and says so.
    if (code === "ENOENT" || code === "ENOTDIR") return "missing";
    throw e;
  }
}

/**
 * Writes a file so that a crash never leaves it half written: into a
 * temporary file beside it, flushed to disk, then renamed over it.
 */
export function writeFileAtomically(path: string, text: string): void {
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
  } catch (e) {
    rmSync(temporary, { force: true });
    throw e;
  }
}

/** A row-major tensor as JSON: a number for a scalar, nested arrays otherwise. */
export function toNested(data: ArrayLike<number>, shape: readonly number[]): unknown {
  if (shape.length === 0) return data[0];
  const inner = shape.slice(1);
  const step = inner.reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0]! }, (_, i) => toNested(Array.prototype.slice.call(data, i * step, (i + 1) * step) as number[], inner));
}
