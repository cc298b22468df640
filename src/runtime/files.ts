// Small file and array helpers the runtime and the command line share.

import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

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
