// The loop IR between the graph and a target: scalar expressions over
// locals and array loads, and a few statements (declarations, assignments,
// counted loops). Scalar functions are intrinsics, named here and mapped by
// each target to its own (Math.exp in TypeScript, a polynomial in
// WebAssembly). Small on purpose: a renderer turns each form into one
// construct of its language.

/** The scalar functions every target provides. */
export const intrinsics = ["exp", "log", "log1p", "sqrt", "abs", "sin", "cos", "tan", "tanh", "pow", "max", "min", "isFinite"] as const;
export type Intrinsic = (typeof intrinsics)[number];

export type Expr =
  | { readonly k: "num"; readonly value: number }
  | { readonly k: "ref"; readonly name: string }
  | { readonly k: "load"; readonly array: string; readonly at: Expr }
  | { readonly k: "neg"; readonly a: Expr }
  | { readonly k: "bin"; readonly op: BinOp; readonly a: Expr; readonly b: Expr }
  | { readonly k: "intrinsic"; readonly fn: Intrinsic; readonly args: readonly Expr[] }
  /** A function the module defines itself: a helper, the seeded generator. */
  | { readonly k: "call"; readonly fn: string; readonly args: readonly Expr[] }
  | { readonly k: "cond"; readonly test: Expr; readonly then: Expr; readonly else: Expr }
  /** A new zeroed typed array of the module's precision. */
  | { readonly k: "newArray"; readonly size: Expr }
  /** object.key, for a user's name as a property (emit/ keeps `__proto__` and friends safe). */
  | { readonly k: "member"; readonly object: string; readonly key: string };

export type BinOp = "+" | "-" | "*" | "/" | "%" | "<" | ">" | ">=" | "===" | "!==";

export type Stmt =
  | { readonly k: "decl"; readonly mutable: boolean; readonly name: string; readonly init: Expr; readonly comment?: string }
  | { readonly k: "set"; readonly name: string; readonly op: AssignOp; readonly value: Expr }
  | { readonly k: "store"; readonly array: string; readonly at: Expr; readonly op: AssignOp; readonly value: Expr; readonly comment?: string }
  | { readonly k: "for"; readonly index: string; readonly from: Expr; readonly to: Expr; readonly body: readonly Stmt[]; readonly comment?: string; readonly step?: number }
  | { readonly k: "comment"; readonly text: string }
  | { readonly k: "if"; readonly test: Expr; readonly body: readonly Stmt[] }
  /** const name = new Float64Array(size) (or Float32Array): outputs a call returns. */
  | { readonly k: "alloc"; readonly name: string; readonly size: Expr }
  | { readonly k: "return"; readonly value: Expr }
  /** return { key: value, ... } with the user's names as keys. */
  | { readonly k: "returnObject"; readonly entries: readonly (readonly [string, Expr])[] };

export type AssignOp = "=" | "+=" | "*=";

export const num = (value: number): Expr => ({ k: "num", value });
export const ref = (name: string): Expr => ({ k: "ref", name });
export const load = (array: string, at: Expr): Expr => ({ k: "load", array, at });
export const call = (fn: string, ...args: Expr[]): Expr => ({ k: "call", fn, args });
export const intrinsic = (fn: Intrinsic, ...args: Expr[]): Expr => ({ k: "intrinsic", fn, args });

/** a + b, folding constant zeros, so that indices read `i * 4 + k`, not `i * 4 + 0 + k`. */
export function add(a: Expr, b: Expr): Expr {
  if (a.k === "num" && a.value === 0) return b;
  if (b.k === "num" && b.value === 0) return a;
  if (a.k === "num" && b.k === "num") return num(a.value + b.value);
  return { k: "bin", op: "+", a, b };
}

/** a * b, folding ones and zeros (for index arithmetic only). */
export function mul(a: Expr, b: Expr): Expr {
  if (a.k === "num" && a.value === 1) return b;
  if (b.k === "num" && b.value === 1) return a;
  if ((a.k === "num" && a.value === 0) || (b.k === "num" && b.value === 0)) return num(0);
  if (a.k === "num" && b.k === "num") return num(a.value * b.value);
  return { k: "bin", op: "*", a, b };
}

export const bin = (op: BinOp, a: Expr, b: Expr): Expr => ({ k: "bin", op, a, b });

/** True for expressions cheap enough to repeat (x * x rather than a temporary). */
export const isSimple = (e: Expr): boolean => e.k === "num" || e.k === "ref" || (e.k === "load" && isIndex(e.at));
const isIndex = (e: Expr): boolean => e.k === "num" || e.k === "ref" || (e.k === "bin" && (e.op === "+" || e.op === "*") && isIndex(e.a) && isIndex(e.b));

export function loop(index: string, to: number | Expr, body: readonly Stmt[], comment?: string): Stmt {
  const bound = typeof to === "number" ? num(to) : to;
  return comment === undefined ? { k: "for", index, from: num(0), to: bound, body } : { k: "for", index, from: num(0), to: bound, body, comment };
}

/** A helper the generated module defines once: `function name(params) { return body; }`, or with statements ending in a return. */
export interface Helper {
  readonly name: string;
  readonly params: readonly string[];
  readonly body: Expr | readonly Stmt[];
}

// ---- walking the IR: passes say what they do to the forms they care about and leave the rest to these.

/** e with each direct sub-expression replaced by f of it. */
export function mapChildren(e: Expr, f: (x: Expr) => Expr): Expr {
  switch (e.k) {
    case "load":
      return { ...e, at: f(e.at) };
    case "neg":
      return { ...e, a: f(e.a) };
    case "bin":
      return { ...e, a: f(e.a), b: f(e.b) };
    case "call":
    case "intrinsic":
      return { ...e, args: e.args.map(f) };
    case "cond":
      return { ...e, test: f(e.test), then: f(e.then), else: f(e.else) };
    case "newArray":
      return { ...e, size: f(e.size) };
    default:
      return e;
  }
}

/** s with its expressions replaced by fe of them and the statements nested in it by fs of them. */
export function mapStmt(s: Stmt, fe: (e: Expr) => Expr, fs: (s: Stmt) => Stmt): Stmt {
  switch (s.k) {
    case "decl":
      return { ...s, init: fe(s.init) };
    case "set":
      return { ...s, value: fe(s.value) };
    case "store":
      return { ...s, at: fe(s.at), value: fe(s.value) };
    case "for":
      return { ...s, from: fe(s.from), to: fe(s.to), body: s.body.map(fs) };
    case "if":
      return { ...s, test: fe(s.test), body: s.body.map(fs) };
    case "alloc":
      return { ...s, size: fe(s.size) };
    case "return":
      return { ...s, value: fe(s.value) };
    case "returnObject":
      return { ...s, entries: s.entries.map(([k, v]) => [k, fe(v)] as const) };
    case "comment":
      return s;
  }
}

/** Every array access in s (nested statements and index expressions included): its array, its index, and whether it writes. */
export function forEachAccess(s: Stmt, f: (array: string, at: Expr, written: boolean) => void): void {
  const expr = (e: Expr): Expr => {
    if (e.k === "load") f(e.array, e.at, false);
    mapChildren(e, expr);
    return e;
  };
  const stmt = (st: Stmt): Stmt => {
    if (st.k === "store") f(st.array, st.at, true);
    mapStmt(st, expr, stmt);
    return st;
  };
  stmt(s);
}
