// Small dimensions as straight-line code: loops over a few entries are
// unrolled, and then arrays whose every access has a constant index become
// locals, which V8 keeps in registers. For XOR's 2-4-1 network this turns a
// step into arithmetic on named numbers, with no loop counters, no index
// arithmetic and no typed-array loads for the hidden layer, its weights or
// their gradients.
//
// Two passes over one function's statements:
//   unroll     a `for` with constant bounds, at most `trips` trips and at
//              most `statements` statements once unrolled (tuning.ts), is replaced by its
//              body once per value of its counter (locals declared in the body
//              renamed in each copy), the counter folded into the indices;
//   scalarize  each candidate array (scratch buffers; the parameter and
//              gradient arrays) of at most `arrayEntries` entries whose loads and
//              stores all have constant indices becomes one local per entry:
//              scratch starts at 0; an outside array is read into its locals
//              before its first use and, if written, written back after its
//              last.

import type { Tuning } from "./tuning.js";
import { add, forEachAccess, mapChildren, mapStmt, mul, num, type Expr, type Stmt } from "../ir/ir.js";


export interface ScalarizeOptions {
  /** Arrays that may become locals: `scratch` ones hold nothing on entry; `outside` ones (parameters, gradients) do. */
  readonly scratch: ReadonlySet<string>;
  readonly outside: ReadonlySet<string>;
  /** A fresh identifier. */
  readonly fresh: (base: string) => string;
  /** The name an array's entries are named after as locals (h for xor_h: h_0, h_1); the array's own name when absent. */
  readonly baseOf?: (array: string) => string;
  /** How far to unroll and which arrays are small. */
  readonly limits: Tuning["unroll"];
}

/** The function's statements with small loops unrolled and small constant-indexed arrays as locals. */
export function straighten(body: readonly Stmt[], o: ScalarizeOptions): Stmt[] {
  return scalarize(body.flatMap((s) => unroll(s, o.fresh, o.limits)), o);
}

// ---- unrolling

/** Statements a statement becomes when every loop in it is unrolled. */
function unrolledSize(s: Stmt): number {
  if (s.k === "for") {
    const trips = tripCount(s);
    const inner = s.body.reduce((a, b) => a + unrolledSize(b), 0);
    return trips === undefined ? Infinity : trips * inner;
  }
  if (s.k === "if") return 1 + s.body.reduce((a, b) => a + unrolledSize(b), 0);
  // A product is its scalar loops where it is not a kernel.
  if (s.k === "product") return s.body.reduce((a, b) => a + unrolledSize(b), 0);
  return s.k === "comment" ? 0 : 1;
}

function tripCount(s: Stmt & { k: "for" }): number | undefined {
  if (s.from.k !== "num" || s.to.k !== "num") return undefined;
  const step = s.step ?? 1;
  return Math.max(0, Math.ceil((s.to.value - s.from.value) / step));
}

function unroll(s: Stmt, fresh: (base: string) => string, limits: Tuning["unroll"]): Stmt[] {
  if (s.k === "if" || s.k === "product") return [{ ...s, body: s.body.flatMap((b) => unroll(b, fresh, limits)) }];
  if (s.k !== "for") return [s];
  const body = s.body.flatMap((b) => unroll(b, fresh, limits));
  const trips = tripCount(s);
  const loop: Stmt = { ...s, body };
  if (trips === undefined || trips > limits.trips || unrolledSize(loop) > limits.statements) return [loop];
  const out: Stmt[] = s.comment === undefined ? [] : [{ k: "comment", text: s.comment }];
  const from = (s.from as Expr & { k: "num" }).value;
  const step = s.step ?? 1;
  for (let t = 0; t < trips; t++) {
    const names = new Map<string, Expr>([[s.index, num(from + t * step)]]);
    // Locals declared in the body get new names in every copy but the first.
    if (t > 0) for (const b of body) if (b.k === "decl") names.set(b.name, { k: "ref", name: fresh(b.name) });
    out.push(...body.filter((b) => t === 0 || b.k !== "comment").map((b) => substStmt(b, names)));
  }
  return out;
}

/** e with names replaced, index arithmetic on constants folded. */
function subst(e: Expr, r: ReadonlyMap<string, Expr>): Expr {
  if (e.k === "ref") return r.get(e.name) ?? e;
  const inner = mapChildren(e, (x) => subst(x, r));
  if (inner.k === "bin" && inner.op === "+") return add(inner.a, inner.b);
  if (inner.k === "bin" && inner.op === "*") return mul(inner.a, inner.b);
  return inner;
}

const renamed = (name: string, r: ReadonlyMap<string, Expr>): string => {
  const to = r.get(name);
  return to?.k === "ref" ? to.name : name;
};

function substStmt(s: Stmt, r: ReadonlyMap<string, Expr>): Stmt {
  const inner = mapStmt(s, (e) => subst(e, r), (b) => substStmt(b, r));
  return inner.k === "decl" || inner.k === "set" ? { ...inner, name: renamed(inner.name, r) } : inner;
}

// ---- scalar replacement

interface Access {
  /** For each constant index, the top-level statement that first touches it; undefined once any index is not a constant. */
  first: Map<number, number> | undefined;
  written: boolean;
  /** The last top-level statement that touches the array. */
  last: number;
}

function scalarize(body: readonly Stmt[], o: ScalarizeOptions): Stmt[] {
  const access = new Map<string, Access>();
  body.forEach((s, top) =>
    forEachAccess(s, (array, at, written) => {
      if (!o.scratch.has(array) && !o.outside.has(array)) return;
      let a = access.get(array);
      if (a === undefined) access.set(array, (a = { first: new Map(), written: false, last: top }));
      a.last = top;
      a.written ||= written;
      if (at.k !== "num") a.first = undefined;
      else if (a.first !== undefined && !a.first.has(at.value)) a.first.set(at.value, top);
    }),
  );

  const locals = new Map<string, Map<number, string>>();
  /** Per top-level statement, the entries it touches first: [array, index, local]. */
  const declareAt = new Map<number, [string, number, string][]>();
  for (const [array, a] of access) {
    if (a.first === undefined || a.first.size > o.limits.arrayEntries) continue;
    const entries = new Map<number, string>();
    for (const [k, top] of [...a.first].sort(([x], [y]) => x - y)) {
      const name = o.fresh(`${o.baseOf?.(array) ?? array}_${k}`);
      entries.set(k, name);
      if (!declareAt.has(top)) declareAt.set(top, []);
      declareAt.get(top)!.push([array, k, name]);
    }
    locals.set(array, entries);
  }
  if (locals.size === 0) return [...body];

  const out: Stmt[] = [];
  body.forEach((s, top) => {
    const replaced = replace(s, locals);
    let merged = false;
    for (const [array, k, name] of declareAt.get(top) ?? []) {
      const mutable = !o.outside.has(array) || access.get(array)!.written;
      // `A[k] = v` as the entry's first touch, at the top level, becomes `let A_k = v`.
      if (s.k === "store" && s.array === array && s.op === "=" && replaced.k === "set") {
        out.push({ k: "decl", mutable, type: "f64", name, init: replaced.value });
        merged = true;
      } else out.push({ k: "decl", mutable, type: "f64", name, init: o.outside.has(array) ? { k: "load", array, at: num(k) } : num(0) });
    }
    if (!merged) out.push(replaced);
    for (const [array, entries] of locals) {
      const a = access.get(array)!;
      if (a.last !== top || !o.outside.has(array) || !a.written) continue;
      for (const [k, name] of entries) out.push({ k: "store", array, at: num(k), op: "=", value: { k: "ref", name } });
    }
  });
  // A function's last statement may be its return: write-backs belong before it.
  const returnAt = out.findIndex((s) => s.k === "return");
  if (returnAt >= 0 && returnAt < out.length - 1) out.push(...out.splice(returnAt, 1));
  return out;
}

type Locals = ReadonlyMap<string, ReadonlyMap<number, string>>;

function replaceExpr(e: Expr, l: Locals): Expr {
  const name = e.k === "load" && e.at.k === "num" ? l.get(e.array)?.get(e.at.value) : undefined;
  return name === undefined ? mapChildren(e, (x) => replaceExpr(x, l)) : { k: "ref", name };
}

function replace(s: Stmt, l: Locals): Stmt {
  const name = s.k === "store" && s.at.k === "num" ? l.get(s.array)?.get(s.at.value) : undefined;
  const inner = mapStmt(s, (e) => replaceExpr(e, l), (b) => replace(b, l));
  return name === undefined || inner.k !== "store" ? inner : { k: "set", name, op: inner.op, value: inner.value };
}
