// What the generated code declares but never reads, found so that it can be
// left out: the module must type-check under noUnusedLocals and
// noUnusedParameters in a user's project. Lowering sometimes binds a value no
// later statement reads (an example's offset into an input that only the
// regulariser's pass needed, a log-sum-exp whose only use was simplified
// away); such a constant costs nothing at run time but fails those checks.

import { mapChildren, mapStmt, nestedIn, type Expr, type Stmt } from "../ir/ir.js";

/** Calls with an effect: they draw the next random number. */
const IMPURE = new Set(["random", "gaussian"]);

/** Every name the statements read (or write through, as `a[i] = v` does). */
export function namesRead(stmts: readonly Stmt[]): Set<string> {
  const names = new Set<string>();
  const expr = (e: Expr): Expr => {
    if (e.k === "ref") names.add(e.name);
    else if (e.k === "load") names.add(e.array);
    else if (e.k === "call") names.add(e.fn);
    mapChildren(e, expr);
    return e;
  };
  const stmt = (s: Stmt): Stmt => {
    if (s.k === "store") names.add(s.array);
    // `x += v` reads x; `x = v` alone does not.
    if (s.k === "set" && s.op !== "=") names.add(s.name);
    mapStmt(s, expr, stmt);
    return s;
  };
  stmts.forEach(stmt);
  return names;
}

function isPure(e: Expr): boolean {
  if (e.k === "call" && IMPURE.has(e.fn)) return false;
  let pure = true;
  mapChildren(e, (x) => {
    pure &&= isPure(x);
    return x;
  });
  return pure;
}

/** The statements without the constants nobody reads (after them too: `liveOut`), repeated until none is left. */
export function withoutUnusedConstants(stmts: readonly Stmt[], liveOut: ReadonlySet<string> = new Set()): readonly Stmt[] {
  let current = stmts;
  for (;;) {
    const read = namesRead(current);
    for (const name of liveOut) read.add(name);
    const unused = (s: Stmt) => (s.k === "decl" && !s.mutable && isPure(s.init)) || s.k === "alloc" ? !read.has(s.name) : false;
    const prune = (list: readonly Stmt[]): Stmt[] =>
      list.filter((s) => !unused(s)).map((s) => (s.k === "for" || s.k === "if" || s.k === "product" ? { ...s, body: prune(s.body) } : s));
    const next = prune(current);
    if (count(next) === count(current)) return current;
    current = next;
  }
}

const count = (list: readonly Stmt[]): number => list.reduce((n, s) => n + 1 + count(nestedIn(s)), 0);

/** A parameter's name as declared: `_`-prefixed when the body never reads it, as noUnusedParameters asks. */
export function parameterName(name: string, read: ReadonlySet<string>): string {
  if (read.has(name)) return name;
  let unused = `_${name}`;
  while (read.has(unused)) unused = `_${unused}`;
  return unused;
}
