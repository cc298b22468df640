// Buffer reuse by liveness: two scratch arrays of one size whose values are
// never needed at the same time become one. Within the loop over examples,
// each statement is a step in time; an array lives from the first statement
// that touches it to the last. Arrays used outside that loop keep their own
// storage (their values cross iterations).

import { forEachAccess, mapChildren, mapStmt, type Expr, type Stmt } from "../ir/ir.js";
import type { Buffer } from "./kernel.js";

/** Every array a statement reads or writes. */
export function arraysOf(s: Stmt, out = new Set<string>()): Set<string> {
  forEachAccess(s, (array) => out.add(array));
  return out;
}

/**
 * Assigns the scratch buffers used only inside `body` (one iteration of the
 * loop over examples) to shared storage; returns the new name of each buffer.
 */
export function shareBuffers(body: readonly Stmt[], outside: ReadonlySet<string>, buffers: readonly Buffer[]): Map<string, string> {
  const sizes = new Map(buffers.map((b) => [b.name, b.size]));
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  body.forEach((s, i) => {
    for (const a of arraysOf(s)) {
      if (!sizes.has(a) || outside.has(a)) continue;
      if (!first.has(a)) first.set(a, i);
      last.set(a, i);
    }
  });
  const rename = new Map<string, string>();
  const free: { name: string; size: number; until: number }[] = [];
  for (const name of [...first.keys()].sort((a, b) => first.get(a)! - first.get(b)!)) {
    const start = first.get(name)!;
    const slot = free.findIndex((f) => f.size === sizes.get(name) && f.until < start);
    if (slot >= 0) {
      const reused = free[slot]!;
      rename.set(name, reused.name);
      reused.until = last.get(name)!;
    } else free.push({ name, size: sizes.get(name)!, until: last.get(name)! });
  }
  return rename;
}

function renameExpr(e: Expr, r: ReadonlyMap<string, string>): Expr {
  const inner = mapChildren(e, (x) => renameExpr(x, r));
  return inner.k === "load" ? { ...inner, array: r.get(inner.array) ?? inner.array } : inner;
}

export function renameArrays(s: Stmt, r: ReadonlyMap<string, string>): Stmt {
  const inner = mapStmt(s, (e) => renameExpr(e, r), (b) => renameArrays(b, r));
  return inner.k === "store" ? { ...inner, array: r.get(inner.array) ?? inner.array } : inner;
}
