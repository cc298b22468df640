// The loop IR between the graph and a target: functions that declare what
// they take and give, scalar expressions over locals and buffer loads, and a
// few statements (declarations, assignments, counted loops). Scalar
// functions are intrinsics, named here and mapped by each target to its own
// (Math.exp in TypeScript, a polynomial in WebAssembly). Nothing here is
// JavaScript: a group of buffers (a model's parameters, a batch) is handed
// over as the target likes (an object in TypeScript, pointers in
// WebAssembly), and a renderer turns each form into one construct of its
// language. Small on purpose; check.ts says what is well typed.

/**
 * The types of values. f64 is arithmetic; i32 is index arithmetic (within
 * ±2³¹ by construction, since every buffer is smaller, so a target may
 * compute it in any wider type) and, through the wrapping intrinsics, the
 * seeded generator's. bool is what comparisons give and tests take.
 * (Vectors are not IR values: a target with SIMD runs a `product` statement as a kernel of its own.)
 */
export type Scalar = "f64" | "i32";
export type Type = Scalar | "bool";

/** What a module's buffers hold: a load widens an entry to f64, a store rounds to it. */
export type Precision = "f64" | "f32";

const F1 = { args: ["f64"], result: "f64" } as const;
const F2 = { args: ["f64", "f64"], result: "f64" } as const;
const I2 = { args: ["i32", "i32"], result: "i32" } as const;

/** The scalar functions every target provides, with their types. */
export const intrinsics = {
  exp: F1,
  log: F1,
  log1p: F1,
  sqrt: F1,
  abs: F1,
  sin: F1,
  cos: F1,
  tan: F1,
  tanh: F1,
  pow: F2,
  max: F2,
  min: F2,
  isFinite: { args: ["f64"], result: "bool" },
  imin: I2,
  /** The generator's wrapping (two's complement) arithmetic and bit operations. */
  iadd: I2,
  imul: I2,
  xor: I2,
  or: I2,
  shr_u: I2,
} as const satisfies Record<string, { readonly args: readonly Type[]; readonly result: Type }>;
export type Intrinsic = keyof typeof intrinsics;

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
  /**
   * A conversion: i32 to f64 (its value, or with `unsigned` its bits read as
   * an unsigned number), or f64 to i32 (an integer's value modulo 2³², as
   * JavaScript's ToInt32 and WebAssembly's wrapping truncation agree on).
   */
  | { readonly k: "cast"; readonly to: Scalar; readonly a: Expr; readonly unsigned?: true };

/** Arithmetic, and comparisons giving bool; == and != compare values (TypeScript spells them === and !==). */
export type BinOp = "+" | "-" | "*" | "/" | "%" | "<" | ">" | ">=" | "==" | "!=";

export type Stmt =
  | { readonly k: "decl"; readonly mutable: boolean; readonly name: string; readonly type: Type; readonly init: Expr; readonly comment?: string }
  | { readonly k: "set"; readonly name: string; readonly op: AssignOp; readonly value: Expr }
  | { readonly k: "store"; readonly array: string; readonly at: Expr; readonly op: AssignOp; readonly value: Expr; readonly comment?: string }
  | { readonly k: "for"; readonly index: string; readonly from: Expr; readonly to: Expr; readonly body: readonly Stmt[]; readonly comment?: string; readonly step?: number }
  | { readonly k: "comment"; readonly text: string }
  | { readonly k: "if"; readonly test: Expr; readonly body: readonly Stmt[] }
  /** A new buffer of zeros, of the module's precision: what a call gives back. */
  | { readonly k: "alloc"; readonly name: string; readonly size: Expr }
  | { readonly k: "return"; readonly value: Expr }
  /**
   * A matrix product, said whole so that a target with vector instructions
   * can run it as one kernel; `body` is the same product as scalar loops
   * (register-blocked), which a target without them runs in its place.
   */
  | { readonly k: "product"; readonly product: Product; readonly body: readonly Stmt[] };

/** A matrix in a buffer: entry (a, b) at offset + a·strides[0] + b·strides[1]. */
export interface Strided {
  readonly array: string;
  readonly offset: Expr;
  readonly strides: readonly [number, number];
}

/** out(i, j) op Σ_k left(i, k) · right(j, k), for i < rows, j < cols, k < depth. */
export interface Product {
  readonly out: Strided;
  readonly op: "=" | "+=";
  readonly left: Strided;
  readonly right: Strided;
  readonly rows: number;
  readonly cols: Expr;
  readonly depth: Expr;
}

export type AssignOp = "=" | "+=" | "*=";

/** One value of a group: the key its user sees, the local the body names it by, and whether it is a number or a buffer. */
export interface Field {
  readonly key: string;
  readonly local: string;
  readonly kind: "f64" | "buffer";
}

/** What the groups of a model's and a fn's functions are; a target names their types after them. */
export type GroupRole = "params" | "batch" | "inputs" | "outputs" | "gradients" | "inputGradients";

/** What a function takes: a number, a buffer, or a group of values handed over together. */
export type Param =
  | { readonly k: "scalar"; readonly name: string; readonly type: Scalar }
  | { readonly k: "buffer"; readonly name: string }
  | { readonly k: "group"; readonly name: string; readonly role: GroupRole; readonly fields: readonly Field[] };

/** What it gives back: nothing, what its return statement gives (a number or a buffer), or the group of its fields' locals. */
export type Result =
  | { readonly k: "none" }
  | { readonly k: "scalar"; readonly type: Scalar }
  | { readonly k: "buffer" }
  | { readonly k: "group"; readonly role: GroupRole; readonly fields: readonly Field[] };

export interface Func {
  readonly name: string;
  readonly params: readonly Param[];
  readonly result: Result;
  readonly body: readonly Stmt[];
  /** What it computes, for a reader of the generated code. */
  readonly doc?: string;
}

/** A module-level variable (the seeded generator's state). */
export interface Global {
  readonly name: string;
  readonly type: Scalar;
  readonly init: number;
}

export const num = (value: number): Expr => ({ k: "num", value });
export const ref = (name: string): Expr => ({ k: "ref", name });
export const load = (array: string, at: Expr): Expr => ({ k: "load", array, at });
export const call = (fn: string, ...args: Expr[]): Expr => ({ k: "call", fn, args });
export const intrinsic = (fn: Intrinsic, ...args: Expr[]): Expr => ({ k: "intrinsic", fn, args });
export const cast = (to: Scalar, a: Expr, unsigned?: true): Expr => (unsigned ? { k: "cast", to, a, unsigned } : { k: "cast", to, a });

/** A declaration: f64 unless said otherwise. */
export function decl(name: string, init: Expr, o: { readonly mutable?: boolean; readonly type?: Type; readonly comment?: string } = {}): Stmt {
  const base = { k: "decl", mutable: o.mutable ?? false, name, type: o.type ?? "f64", init } as const;
  return o.comment === undefined ? base : { ...base, comment: o.comment };
}

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

/** A helper the generated module defines once: a function of f64 numbers to an f64 number, its body an expression or statements ending in a return. */
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
    case "cast":
      return { ...e, a: f(e.a) };
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
    case "comment":
      return s;
    case "product": {
      const p = s.product;
      const strided = (m: Strided): Strided => ({ ...m, offset: fe(m.offset) });
      return { ...s, product: { ...p, out: strided(p.out), left: strided(p.left), right: strided(p.right), cols: fe(p.cols), depth: fe(p.depth) }, body: s.body.map(fs) };
    }
  }
}

/** The statements nested in s (a loop's, a test's, a product's scalar loops), or none. */
export const nestedIn = (s: Stmt): readonly Stmt[] => (s.k === "for" || s.k === "if" || s.k === "product" ? s.body : []);

/** The statements with every product replaced by its scalar loops: what a target without vector kernels runs. */
export function scalarProducts(stmts: readonly Stmt[]): Stmt[] {
  return stmts.flatMap((s): Stmt[] => (s.k === "product" ? scalarProducts(s.body) : s.k === "for" || s.k === "if" ? [{ ...s, body: scalarProducts(s.body) }] : [s]));
}

/** The names of the module's functions e calls, added to `into`. */
export function callsOf(e: Expr, into: Set<string> = new Set()): Set<string> {
  if (e.k === "call") into.add(e.fn);
  mapChildren(e, (x) => (callsOf(x, into), x));
  return into;
}

/** A helper as a function of f64 numbers to an f64 number, its expression body a return. */
export function helperAsFunc(h: Helper): Func {
  return { name: h.name, params: h.params.map((name) => ({ k: "scalar", name, type: "f64" })), result: { k: "scalar", type: "f64" }, body: "k" in h.body ? [{ k: "return", value: h.body }] : h.body };
}

/** The names of the module's functions the statements call, added to `into`. */
export function callsIn(stmts: readonly Stmt[], into: Set<string> = new Set()): Set<string> {
  const stmt = (st: Stmt): Stmt => mapStmt(st, (e) => (callsOf(e, into), e), stmt);
  stmts.forEach(stmt);
  return into;
}

/** Every name the statements read as a value (`ref`), loop bounds and indices included. */
export function refsIn(stmts: readonly Stmt[], into: Set<string> = new Set()): Set<string> {
  const expr = (e: Expr): Expr => {
    if (e.k === "ref") into.add(e.name);
    return mapChildren(e, expr);
  };
  const stmt = (st: Stmt): Stmt => mapStmt(st, expr, stmt);
  stmts.forEach(stmt);
  return into;
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
