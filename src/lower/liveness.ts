// Buffer reuse by liveness: two scratch arrays of one size whose values are
// never needed at the same time become one. Within the loop over examples,
// each statement is a step in time; an array lives from the first statement
// that touches it to the last. Arrays used outside that loop keep their own
// storage (their values cross iterations).

import type { Expr, Stmt } from "./ir.js";
import type { Buffer } from "./kernel.js";

function exprArrays(e: Expr, out: Set<string>): void {
  switch (e.k) {
    case "load":
      out.add(e.array);
      exprArrays(e.at, out);
      return;
    case "neg":
      return exprArrays(e.a, out);
    case "bin":
      exprArrays(e.a, out);
      return exprArrays(e.b, out);
    case "call":
      for (const a of e.args) exprArrays(a, out);
      return;
    case "cond":
      exprArrays(e.test, out);
      exprArrays(e.then, out);
      return exprArrays(e.else, out);
    case "newArray":
      return exprArrays(e.size, out);
    default:
      return;
  }
}

/** Every array a statement reads or writes. */
export function arraysOf(s: Stmt, out = new Set<string>()): Set<string> {
  switch (s.k) {
    case "decl":
      exprArrays(s.init, out);
      break;
    case "set":
      exprArrays(s.value, out);
      break;
    case "store":
      out.add(s.array);
      exprArrays(s.at, out);
      exprArrays(s.value, out);
      break;
    case "for":
      exprArrays(s.from, out);
      exprArrays(s.to, out);
      for (const b of s.body) arraysOf(b, out);
      break;
    case "alloc":
      exprArrays(s.size, out);
      break;
    case "return":
      exprArrays(s.value, out);
      break;
    case "returnObject":
      for (const [, v] of s.entries) exprArrays(v, out);
      break;
    case "if":
      exprArrays(s.test, out);
      for (const b of s.body) arraysOf(b, out);
      break;
    case "comment":
      break;
  }
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
  switch (e.k) {
    case "load":
      return { ...e, array: r.get(e.array) ?? e.array, at: renameExpr(e.at, r) };
    case "neg":
      return { ...e, a: renameExpr(e.a, r) };
    case "bin":
      return { ...e, a: renameExpr(e.a, r), b: renameExpr(e.b, r) };
    case "call":
      return { ...e, args: e.args.map((a) => renameExpr(a, r)) };
    case "cond":
      return { ...e, test: renameExpr(e.test, r), then: renameExpr(e.then, r), else: renameExpr(e.else, r) };
    default:
      return e;
  }
}

export function renameArrays(s: Stmt, r: ReadonlyMap<string, string>): Stmt {
  switch (s.k) {
    case "decl":
      return { ...s, init: renameExpr(s.init, r) };
    case "set":
      return { ...s, value: renameExpr(s.value, r) };
    case "store":
      return { ...s, array: r.get(s.array) ?? s.array, at: renameExpr(s.at, r), value: renameExpr(s.value, r) };
    case "for":
      return { ...s, body: s.body.map((b) => renameArrays(b, r)) };
    case "if":
      return { ...s, test: renameExpr(s.test, r), body: s.body.map((b) => renameArrays(b, r)) };
    case "return":
      return { ...s, value: renameExpr(s.value, r) };
    case "returnObject":
      return { ...s, entries: s.entries.map(([k, v]) => [k, renameExpr(v, r)] as const) };
    default:
      return s;
  }
}
