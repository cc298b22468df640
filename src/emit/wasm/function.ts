// One IR function as a WebAssembly function: its parameters (a number; a
// buffer or a group's buffer as a byte address in linear memory), its locals
// (one per declaration, reused once its block has ended), and its body as
// stack code. Types come from the IR (check.ts guarantees them): an integer
// literal takes the type its context wants. A loop is `block { loop { br_if
// exit … br top } }`; a buffer's entry k of an f64 buffer is at address + 8k
// (4k for f32, widened on load and rounded on store).

import type { Expr, Func, Helper, Intrinsic, Param, Precision, Result, Scalar, Stmt, Type } from "../../ir/ir.js";
import { helperAsFunc, intrinsics } from "../../ir/ir.js";
import { F64, I32, OP, VOID, f64, memarg, s32, u32, type Bytes, type ValType } from "./encode.js";
import { INTRINSICS } from "./intrinsics.js";
import { compileProduct, type KernelHost } from "./product.js";

/** What a function body may name outside itself. */
export interface Scope {
  readonly precision: Precision;
  /** Byte address of each module-level buffer. */
  readonly buffers: ReadonlyMap<string, number>;
  /** Index of each global (the generator's state, the heap's top). */
  readonly globals: ReadonlyMap<string, { readonly index: number; readonly type: Scalar }>;
  /** Index of each function a call may name (helpers, the generator). */
  readonly functions: ReadonlyMap<string, number>;
  /** Index of the imported function for each intrinsic computed by the host (Math.exp, …). */
  readonly imported: ReadonlyMap<Intrinsic | "toInt32", number>;
  /** Index of alloc(bytes) → address, zero-filled. */
  readonly alloc: number;
  /** Products as SIMD kernels (product.ts), with relaxed SIMD's fused multiply-add or not, or as their scalar loops. */
  readonly simd: Simd;
}

export type Simd = "plain" | "fused" | "none";

export interface Compiled {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
  readonly locals: readonly ValType[];
  readonly code: Bytes;
}

const valType = (t: Type | "buffer"): ValType => (t === "f64" ? F64 : I32);

/** The wasm parameters of an IR parameter: its value, or an address per buffer. */
export function paramTypes(p: Param): [string, Type | "buffer"][] {
  if (p.k === "scalar") return [[p.name, p.type]];
  if (p.k === "buffer") return [[p.name, "buffer"]];
  return p.fields.map((x) => [x.local, x.kind]);
}

export function resultTypes(r: Result): ValType[] {
  if (r.k === "none") return [];
  if (r.k === "scalar") return [valType(r.type)];
  if (r.k === "buffer") return [I32];
  return r.fields.map((x) => valType(x.kind));
}

export function compileFunc(fn: Func, scope: Scope): Compiled {
  const c = new FunctionCompiler(scope, fn.params.flatMap(paramTypes));
  // The body's own declarations stay in the function's scope: a group's results are among them.
  c.top(fn.body);
  // A group is given back as its fields' values, in order.
  if (fn.result.k === "group") for (const x of fn.result.fields) c.get(x.local);
  return { params: fn.params.flatMap(paramTypes).map(([, t]) => valType(t)), results: resultTypes(fn.result), locals: c.locals, code: c.code };
}

export function compileHelper(h: Helper, scope: Scope): Compiled {
  return compileFunc(helperAsFunc(h), scope);
}

type Var = { readonly index: number; readonly type: Type | "buffer" };

class FunctionCompiler {
  readonly code: Bytes = [];
  /** The declared locals after the parameters, by index. */
  readonly locals: ValType[] = [];
  private readonly scopes: Map<string, Var>[];
  private readonly free = new Map<ValType, number[]>();
  private readonly paramCount: number;

  constructor(
    private readonly s: Scope,
    params: readonly [string, Type | "buffer"][],
  ) {
    this.paramCount = params.length;
    this.scopes = [new Map(params.map(([name, type], index) => [name, { index, type }]))];
  }

  private emit(...bytes: Bytes): void {
    for (const b of bytes) this.code.push(b);
  }

  private lookup(name: string): Var | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const v = this.scopes[i]!.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** A local for a declaration: a free one of its type, or a new one; freed when its block ends. */
  private declare(name: string, type: Type | "buffer"): Var {
    const vt = valType(type);
    const index = this.free.get(vt)?.pop() ?? this.paramCount + this.locals.push(vt) - 1;
    const v = { index, type };
    this.scopes.at(-1)!.set(name, v);
    return v;
  }

  private temp(type: ValType): number {
    return this.free.get(type)?.pop() ?? this.paramCount + this.locals.push(type) - 1;
  }

  private release(index: number, type: ValType): void {
    if (index < this.paramCount) return;
    if (!this.free.has(type)) this.free.set(type, []);
    this.free.get(type)!.push(index);
  }

  top(stmts: readonly Stmt[]): void {
    for (const s of stmts) this.stmt(s);
  }

  block(stmts: readonly Stmt[]): void {
    this.scopes.push(new Map());
    for (const s of stmts) this.stmt(s);
    for (const v of this.scopes.pop()!.values()) this.release(v.index, valType(v.type));
  }

  get(name: string): void {
    this.access(name, OP["local.get"], OP["global.get"]);
  }

  private set(name: string): void {
    this.access(name, OP["local.set"], OP["global.set"]);
  }

  /** A local's or else a module global's get or set. */
  private access(name: string, local: number, global: number): void {
    const v = this.lookup(name);
    if (v !== undefined) return this.emit(local, ...u32(v.index));
    const g = this.s.globals.get(name);
    if (g === undefined) throw new Error(`internal: wasm: ${name} is not declared`);
    this.emit(global, ...u32(g.index));
  }

  private typeOfName(name: string): Type {
    const v = this.lookup(name);
    const t = v?.type ?? this.s.globals.get(name)?.type;
    if (t === undefined || t === "buffer") throw new Error(`internal: wasm: ${name} is not a number`);
    return t;
  }

  private stmt(s: Stmt): void {
    switch (s.k) {
      case "decl": {
        this.expr(s.init, s.type);
        const v = this.declare(s.name, s.type);
        return this.emit(OP["local.set"], ...u32(v.index));
      }
      case "set": {
        const type = this.typeOfName(s.name);
        if (s.op !== "=") this.get(s.name);
        this.expr(s.value, type);
        if (s.op !== "=") this.arith(s.op === "+=" ? "+" : "*", type);
        return this.set(s.name);
      }
      case "store":
        return this.store(s.array, s.at, s.op, s.value);
      case "for":
        return this.loop(s);
      case "if":
        this.expr(s.test, "bool");
        this.emit(OP.if, VOID);
        this.block(s.body);
        return this.emit(OP.end);
      case "alloc": {
        this.expr(s.size, "i32");
        this.emit(OP["i32.const"], ...s32(this.elementBytes()), OP["i32.mul"], OP.call, ...u32(this.s.alloc));
        const v = this.declare(s.name, "buffer");
        return this.emit(OP["local.set"], ...u32(v.index));
      }
      case "return":
        // A buffer is given back as its address.
        if (s.value.k === "ref" && this.lookup(s.value.name)?.type === "buffer") this.get(s.value.name);
        else this.expr(s.value, this.typeOf(s.value) === "i32" ? "i32" : "f64");
        return this.emit(OP.return);
      case "product":
        // A layout with no kernel runs the product's scalar loops.
        if (this.s.simd === "none" || !compileProduct(s.product, this.kernelHost(), this.s.simd === "fused")) this.block(s.body);
        return;
      case "comment":
        return;
    }
  }

  private kernelHost(): KernelHost {
    return {
      precision: this.s.precision,
      emit: (...bytes) => this.emit(...bytes),
      i32: (e) => this.expr(e, "i32"),
      base: (array) => {
        const fixed = this.s.buffers.get(array);
        if (fixed === undefined) this.get(array);
        else this.emit(OP["i32.const"], ...s32(fixed));
      },
      temp: (type) => this.temp(type),
      release: (index, type) => this.release(index, type),
    };
  }

  private loop(s: Stmt & { k: "for" }): void {
    this.scopes.push(new Map());
    this.expr(s.from, "i32");
    const i = this.declare(s.index, "i32");
    this.emit(OP["local.set"], ...u32(i.index));
    this.emit(OP.block, VOID, OP.loop, VOID);
    this.emit(OP["local.get"], ...u32(i.index));
    this.expr(s.to, "i32");
    this.emit(OP["i32.ge_s"], OP.br_if, 1);
    this.block(s.body);
    this.emit(OP["local.get"], ...u32(i.index), OP["i32.const"], ...s32(s.step ?? 1), OP["i32.add"], OP["local.set"], ...u32(i.index));
    this.emit(OP.br, 0, OP.end, OP.end);
    for (const v of this.scopes.pop()!.values()) this.release(v.index, valType(v.type));
  }

  private elementBytes(): number {
    return this.s.precision === "f64" ? 8 : 4;
  }

  /**
   * Leaves the address of array[at] on the stack, less the constant part,
   * which is returned for the access's memarg offset.
   */
  private address(array: string, at: Expr): number {
    const size = this.elementBytes();
    const base = this.s.buffers.get(array);
    const constant = at.k === "num" ? at.value * size : 0;
    if (base === undefined) this.get(array);
    else this.emit(OP["i32.const"], 0);
    if (at.k !== "num") {
      this.expr(at, "i32");
      this.emit(OP["i32.const"], this.s.precision === "f64" ? 3 : 2, OP["i32.shl"], OP["i32.add"]);
    }
    return (base ?? 0) + constant;
  }

  private loadAt(offset: number): void {
    if (this.s.precision === "f64") this.emit(OP["f64.load"], ...memarg(3, offset));
    else this.emit(OP["f32.load"], ...memarg(2, offset), OP["f64.promote_f32"]);
  }

  private store(array: string, at: Expr, op: "=" | "+=" | "*=", value: Expr): void {
    const offset = this.address(array, at);
    if (op !== "=") {
      // The address is needed twice: for the load of the old value and for the store.
      const a = this.temp(I32);
      this.emit(OP["local.tee"], ...u32(a), OP["local.get"], ...u32(a));
      this.release(a, I32);
      this.loadAt(offset);
      this.expr(value, "f64");
      this.arith(op === "+=" ? "+" : "*", "f64");
    } else this.expr(value, "f64");
    if (this.s.precision === "f64") this.emit(OP["f64.store"], ...memarg(3, offset));
    else this.emit(OP["f32.demote_f64"], OP["f32.store"], ...memarg(2, offset));
  }

  /** The type an expression has on its own: an integer literal has none yet. */
  private typeOf(e: Expr): Type | "int" {
    switch (e.k) {
      case "num":
        return Number.isInteger(e.value) ? "int" : "f64";
      case "ref":
        return this.typeOfName(e.name);
      case "load":
        return "f64";
      case "neg":
        return this.typeOf(e.a);
      case "bin": {
        if (["<", ">", ">=", "==", "!="].includes(e.op)) return "bool";
        const a = this.typeOf(e.a);
        return a === "int" ? this.typeOf(e.b) : a;
      }
      case "intrinsic":
        return intrinsics[e.fn].result;
      case "call":
        return "f64";
      case "cond": {
        const t = this.typeOf(e.then);
        return t === "int" ? this.typeOf(e.else) : t;
      }
      case "cast":
        return e.to;
    }
  }

  private expr(e: Expr, want: Type): void {
    switch (e.k) {
      case "num":
        if (want === "i32") return this.emit(OP["i32.const"], ...s32(e.value));
        return this.emit(OP["f64.const"], ...f64(e.value));
      case "ref":
        return this.get(e.name);
      case "load":
        return this.loadAt(this.address(e.array, e.at));
      case "neg":
        if (want === "i32") {
          this.emit(OP["i32.const"], 0);
          this.expr(e.a, "i32");
          return this.emit(OP["i32.sub"]);
        }
        this.expr(e.a, "f64");
        return this.emit(OP["f64.neg"]);
      case "bin":
        return this.binary(e.op, e.a, e.b, want);
      case "intrinsic":
        return this.intrinsic(e.fn, e.args);
      case "call": {
        const index = this.s.functions.get(e.fn);
        if (index === undefined) throw new Error(`internal: wasm: no function ${e.fn}`);
        for (const a of e.args) this.expr(a, "f64");
        return this.emit(OP.call, ...u32(index));
      }
      case "cond": {
        // A bool is an i32 in WebAssembly.
        this.expr(e.test, "bool");
        this.emit(OP.if, valType(want === "bool" ? "i32" : want));
        this.expr(e.then, want);
        this.emit(OP.else);
        this.expr(e.else, want);
        return this.emit(OP.end);
      }
      case "cast":
        if (e.to === "f64") {
          this.expr(e.a, "i32");
          return this.emit(e.unsigned ? OP["f64.convert_i32_u"] : OP["f64.convert_i32_s"]);
        }
        // ToInt32, as JavaScript computes it, for any f64 (the host's `x | 0`).
        this.expr(e.a, "f64");
        return this.emit(OP.call, ...u32(this.s.imported.get("toInt32")!));
    }
  }

  private binary(op: string, a: Expr, b: Expr, want: Type): void {
    const comparison = ["<", ">", ">=", "==", "!="].includes(op);
    const ta = this.typeOf(a);
    const tb = this.typeOf(b);
    // Operands of a comparison have their own type; of arithmetic, the wanted one.
    const type: Type = comparison ? (ta !== "int" ? (ta as Type) : tb !== "int" ? (tb as Type) : "i32") : want;
    this.expr(a, type);
    this.expr(b, type);
    if (comparison) return this.emit(type === "f64" ? F64_COMPARE[op]! : I32_COMPARE[op]!);
    this.arith(op, type);
  }

  private arith(op: string, type: Type): void {
    const table = type === "f64" ? F64_ARITH : I32_ARITH;
    const code = table[op];
    if (code === undefined) throw new Error(`internal: wasm: no ${type} ${op}`);
    this.emit(code);
  }

  private intrinsic(fn: Intrinsic, args: readonly Expr[]): void {
    const spelling = INTRINSICS[fn];
    if (spelling.k === "op") {
      args.forEach((a, k) => this.expr(a, intrinsics[fn].args[k]!));
      return this.emit(...spelling.code);
    }
    if (fn === "imin") return this.pick(args, I32, OP["i32.lt_s"]);
    if (fn === "isFinite") {
      // x − x is 0 for a finite x, NaN for ±∞ and NaN.
      const x = this.temp(F64);
      this.expr(args[0]!, "f64");
      this.emit(OP["local.tee"], ...u32(x), OP["local.get"], ...u32(x), OP["f64.sub"], OP["f64.const"], ...f64(0), OP["f64.eq"]);
      return this.release(x, F64);
    }
    const imported = this.s.imported.get(fn);
    if (imported === undefined) throw new Error(`internal: wasm: intrinsic ${fn} has no lowering`);
    for (const a of args) this.expr(a, "f64");
    this.emit(OP.call, ...u32(imported));
  }

  /** min of two: `select(a, b, a < b)`, each evaluated once. */
  private pick(args: readonly Expr[], type: ValType, less: number): void {
    const want = type === I32 ? "i32" : "f64";
    const [a, b] = [this.temp(type), this.temp(type)];
    this.expr(args[0]!, want);
    this.emit(OP["local.set"], ...u32(a));
    this.expr(args[1]!, want);
    this.emit(OP["local.set"], ...u32(b), OP["local.get"], ...u32(a), OP["local.get"], ...u32(b), OP["local.get"], ...u32(a), OP["local.get"], ...u32(b), less, OP.select);
    this.release(a, type);
    this.release(b, type);
  }
}

const F64_ARITH: Record<string, number> = { "+": OP["f64.add"], "-": OP["f64.sub"], "*": OP["f64.mul"], "/": OP["f64.div"] };
const I32_ARITH: Record<string, number> = { "+": OP["i32.add"], "-": OP["i32.sub"], "*": OP["i32.mul"], "/": OP["i32.div_s"], "%": OP["i32.rem_s"] };
const F64_COMPARE: Record<string, number> = { "<": OP["f64.lt"], ">": OP["f64.gt"], ">=": OP["f64.ge"], "==": OP["f64.eq"], "!=": OP["f64.ne"] };
const I32_COMPARE: Record<string, number> = { "<": OP["i32.lt_s"], ">": OP["i32.gt_s"], ">=": OP["i32.ge_s"], "==": OP["i32.eq"], "!=": OP["i32.ne"] };
