// Local reuse for very long straight-line code. JavaScript engines give every
// local of a function its own slot in the function's frame: V8's interpreter
// keeps them all on the stack, so a function of 150,000 constants (the
// gradient of a sum of 50,000 distinct terms) overflows the stack before it
// runs its first line. Few of those values are alive at once; here a number
// whose last reader has run gives its local to the next number declared, so
// the frame holds only the values alive together. Ordinary code (below
// REUSE_ABOVE locals in one list) keeps one named constant per value, as a
// reader expects.

import { mapChildren, mapStmt, type Expr, type Stmt } from "../ir/ir.js";

/** Straight-line lists with more number locals than this share them. */
export const REUSE_ABOVE = 2000;

/**
 * The statements with number locals reused where their lives do not overlap:
 * in each statement list (a function's body, a loop's body) that declares
 * more than `above` of them. A reused local keeps its first value's name and
 * becomes `let`; the later values assign to it.
 */
export function reuseLocals(stmts: readonly Stmt[], above = REUSE_ABOVE, liveOut: ReadonlySet<string> = new Set()): Stmt[] {
  const inner = stmts.map((s) => (s.k === "for" || s.k === "if" || s.k === "product" ? { ...s, body: reuseLocals(s.body, above) } : s));
  const candidates = inner.filter(isNumberLocal).length;
  return candidates > above ? shareLocals(inner, liveOut) : inner;
}

/** A declared number: arrays, aliases and flags keep their own locals. */
function isNumberLocal(s: Stmt): s is Extract<Stmt, { k: "decl" }> {
  return s.k === "decl" && s.init.k !== "ref" && isNumeric(s.init);
}

/** True for arithmetic: its operands are numbers too (a name inside it is one). */
function isNumeric(e: Expr): boolean {
  switch (e.k) {
    case "num":
    case "load":
    case "ref":
      return true;
    case "neg":
      return isNumeric(e.a);
    case "bin":
      return ["+", "-", "*", "/", "%"].includes(e.op) && isNumeric(e.a) && isNumeric(e.b);
    case "intrinsic":
      return e.fn !== "isFinite";
    case "call":
    case "cast":
      return true;
    case "cond":
      return isNumeric(e.then) && isNumeric(e.else);
    default:
      return false;
  }
}

/** `liveOut`: the names read after the list (a function's results), whose locals are never given away. */
function shareLocals(stmts: readonly Stmt[], liveOut: ReadonlySet<string>): Stmt[] {
  const last = lastUses(stmts);
  for (const name of liveOut) last.set(name, stmts.length);
  const slotOf = new Map<string, string>();
  // Free slots, each with the index of the statement that last read its value.
  const free: { slot: string; until: number }[] = [];
  const busy: { slot: string; until: number }[] = [];
  const out: Stmt[] = [];
  stmts.forEach((s, i) => {
    // A value read for the last time by this statement frees its local for
    // the value this statement declares (its right side is evaluated first).
    for (let j = busy.length - 1; j >= 0; j--) if (busy[j]!.until <= i) free.push(...busy.splice(j, 1));
    const renamed = renameRefs(s, slotOf);
    if (!isNumberLocal(s)) return void out.push(renamed);
    const until = last.get(s.name) ?? i;
    const reused = free.pop();
    if (reused === undefined) {
      slotOf.set(s.name, s.name);
      busy.push({ slot: s.name, until });
      out.push({ ...(renamed as typeof s), mutable: true });
    } else {
      slotOf.set(s.name, reused.slot);
      busy.push({ slot: reused.slot, until });
      out.push({ k: "set", name: reused.slot, op: "=", value: (renamed as typeof s).init });
    }
  });
  return out;
}

/** For each name, the index of the last statement in the list that mentions it (nested statements count as their parent). */
function lastUses(stmts: readonly Stmt[]): Map<string, number> {
  const last = new Map<string, number>();
  stmts.forEach((s, i) => {
    for (const name of namesIn(s)) last.set(name, i);
  });
  return last;
}

function namesIn(s: Stmt, out = new Set<string>()): Set<string> {
  const expr = (e: Expr): Expr => {
    if (e.k === "ref") out.add(e.name);
    mapChildren(e, expr);
    return e;
  };
  const stmt = (st: Stmt): Stmt => {
    if (st.k === "set") out.add(st.name);
    mapStmt(st, expr, stmt);
    return st;
  };
  stmt(s);
  return out;
}

function renameRefs(s: Stmt, slotOf: ReadonlyMap<string, string>): Stmt {
  if (slotOf.size === 0) return s;
  const expr = (e: Expr): Expr => {
    const inner = mapChildren(e, expr);
    return inner.k === "ref" && slotOf.has(inner.name) ? { ...inner, name: slotOf.get(inner.name)! } : inner;
  };
  const stmt = (st: Stmt): Stmt => {
    const inner = mapStmt(st, expr, stmt);
    return inner.k === "set" && slotOf.has(inner.name) ? { ...inner, name: slotOf.get(inner.name)! } : inner;
  };
  return stmt(s);
}
