// A product of the IR (out op Σ_k left(i, k) · right(j, k)) as a SIMD
// kernel: v128 registers of two f64 or four f32 lanes, register-blocked.
// Two layouts have a kernel; any other runs the product's scalar loops.
//
//   dot    left and right contiguous along k (W x, a bᵀ summed over a
//          chunk): a block of R rows × C columns keeps R·C vector sums
//          along k, each k step loads R + C vectors for R·C multiply-adds;
//          the lanes are added at the end, the last k < L scalar.
//   axpy   left and out contiguous along i (Wᵀ δ): a block of V vectors of
//          rows × C columns, each k step loads V vectors of left and splats
//          C entries of right; the sums are whole vectors of out.
//
// The lanes change the order of the sum's terms, so a result differs from
// the scalar loops' in its last bits (within 1e-12 relative in f64). In f32
// the vector sums are f32, the scalar parts f64, as the TypeScript target's.

import type { Expr, Precision, Product } from "../../ir/ir.js";
import { F64, I32, OP, SIMD, V128, memarg, s32, u32, type Bytes, type ValType } from "./encode.js";

/** What a kernel needs of the function it is compiled into. */
export interface KernelHost {
  readonly precision: Precision;
  emit(...bytes: Bytes): void;
  /** e's value as an i32, on the stack. */
  i32(e: Expr): void;
  /** The byte address of a buffer's entry 0, on the stack. */
  base(array: string): void;
  temp(type: ValType): number;
  release(index: number, type: ValType): void;
}

/** Register blocks: dot's rows × columns, axpy's vectors of rows × columns. */
export interface KernelBlocks {
  readonly dot: { readonly rows: number; readonly cols: number };
  readonly axpy: { readonly vectors: number; readonly cols: number };
}

/**
 * 8 sums + 6 operands of the 16 vector registers of x86-64, for each kernel.
 * Measured on W5's step (f32 and f64): dot 4 × 2 and axpy 4 vectors × 2 as
 * fast (within 3 %), dot 3 × 3 about 7 % slower.
 */
export const SIMD_BLOCKS: KernelBlocks = { dot: { rows: 2, cols: 4 }, axpy: { vectors: 2, cols: 4 } };

/** Which kernel the product's layout allows, if any. */
export function kernelOf(p: Product): "dot" | "axpy" | undefined {
  if (p.left.strides[1] === 1 && p.right.strides[1] === 1) return "dot";
  if (p.left.strides[0] === 1 && p.out.strides[0] === 1) return "axpy";
  return undefined;
}

/** A row or column index: a local's value or a constant, plus a block offset. */
type Index = { readonly local: number } | { readonly value: number };

const get = (i: number): Bytes => [OP["local.get"], ...u32(i)];
const set = (i: number): Bytes => [OP["local.set"], ...u32(i)];
const i32 = (n: number): Bytes => [OP["i32.const"], ...s32(n)];
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * Emits the product's kernel; false when its layout has none (the caller
 * runs its loops). `fused`: relaxed SIMD's multiply-add, one rounding
 * where the machine has FMA (an engine without relaxed SIMD refuses it).
 */
export function compileProduct(p: Product, host: KernelHost, fused: boolean, blocks: KernelBlocks = SIMD_BLOCKS): boolean {
  const kind = kernelOf(p);
  if (kind === undefined) return false;
  new Kernel(p, host, fused, blocks).emit(kind);
  return true;
}

class Kernel {
  /** Bytes per entry, lanes per vector. */
  private readonly E: number;
  private readonly L: number;
  private readonly owned: [number, ValType][] = [];
  // Addresses of entry (0, 0) of each operand, the column count, the depth.
  private left = 0;
  private right = 0;
  private out = 0;
  private cols = 0;
  private depth = 0;
  /** dot's k in bytes: the end of the whole vectors, the end. */
  private vectorEnd = 0;
  private depthBytes = 0;

  constructor(
    private readonly p: Product,
    private readonly h: KernelHost,
    private readonly fused: boolean,
    private readonly blocks: KernelBlocks,
  ) {
    this.E = h.precision === "f64" ? 8 : 4;
    this.L = 16 / this.E;
  }

  emit(kind: "dot" | "axpy"): void {
    const { p, h } = this;
    this.left = this.addressOf(p.left.array, p.left.offset);
    this.right = this.addressOf(p.right.array, p.right.offset);
    this.out = this.addressOf(p.out.array, p.out.offset);
    this.cols = this.local(I32, () => h.i32(p.cols));
    this.depth = this.local(I32, () => h.i32(p.depth));
    if (kind === "dot") this.dot();
    else this.axpy();
    for (const [i, t] of this.owned) h.release(i, t);
  }

  // ---- locals, loops, addresses

  /** body, its locals given back when it ends (a block's sums are dead after its stores). */
  private scoped(body: () => void): void {
    const before = this.owned.length;
    body();
    for (const [i, t] of this.owned.splice(before)) this.h.release(i, t);
  }

  private local(type: ValType, init?: () => void): number {
    const i = this.h.temp(type);
    this.owned.push([i, type]);
    if (init !== undefined) {
      init();
      this.h.emit(...set(i));
    }
    return i;
  }

  private addressOf(array: string, offset: Expr): number {
    return this.local(I32, () => {
      this.h.base(array);
      this.h.i32(offset);
      this.h.emit(...i32(this.E), OP["i32.mul"], OP["i32.add"]);
    });
  }

  /** for (c = from; c < to; c += step) body, with `to` a local. */
  private loop(from: () => void, to: number, step: number, body: (c: number) => void): void {
    const { h } = this;
    const c = this.local(I32, from);
    h.emit(OP.block, 0x40, OP.loop, 0x40, ...get(c), ...get(to), OP["i32.ge_s"], OP.br_if, 1);
    body(c);
    h.emit(...get(c), ...i32(step), OP["i32.add"], ...set(c), OP.br, 0, OP.end, OP.end);
  }

  /** A local holding n − n mod step: the end of the whole blocks. */
  private whole(n: number, step: number): number {
    return this.local(I32, () => this.h.emit(...get(n), ...get(n), ...i32(step), OP["i32.rem_s"], OP["i32.sub"]));
  }

  private push(x: Index, plus = 0): void {
    if ("value" in x) return this.h.emit(...i32(x.value + plus));
    this.h.emit(...get(x.local));
    if (plus !== 0) this.h.emit(...i32(plus), OP["i32.add"]);
  }

  /** base + (x + plus) · stride · E, on the stack. */
  private at(base: number, x: Index, plus: number, stride: number): void {
    this.h.emit(...get(base));
    this.push(x, plus);
    this.h.emit(...i32(stride * this.E), OP["i32.mul"], OP["i32.add"]);
  }

  /** Over the rows [0, rows) in blocks of `step`, the rest one at a time (constants). */
  private rowBlocks(step: number, block: (i: Index, rows: number) => void, lanes = 1): void {
    const rows = this.p.rows;
    const wholeRows = rows - (rows % (step * lanes));
    if (wholeRows > 0) {
      const end = this.local(I32, () => this.h.emit(...i32(wholeRows)));
      this.loop(() => this.h.emit(...i32(0)), end, step * lanes, (i) => block({ local: i }, step));
    }
    for (let r = wholeRows; r + lanes <= rows; r += lanes) block({ value: r }, 1);
  }

  /** Over the columns [0, cols) in blocks of `step`, the rest one at a time. */
  private colBlocks(step: number, block: (j: Index, cols: number) => void): void {
    const end = this.whole(this.cols, step);
    this.loop(() => this.h.emit(...i32(0)), end, step, (j) => block({ local: j }, step));
    if (step > 1) this.loop(() => this.h.emit(...get(end)), this.cols, 1, (j) => block({ local: j }, 1));
  }

  // ---- dot: contiguous along k

  private dot(): void {
    const { rows, cols } = this.blocks.dot;
    const { h, E } = this;
    this.vectorEnd = this.local(I32, () => h.emit(...get(this.depth), ...get(this.depth), ...i32(this.L), OP["i32.rem_s"], OP["i32.sub"], ...i32(E), OP["i32.mul"]));
    this.depthBytes = this.local(I32, () => h.emit(...get(this.depth), ...i32(E), OP["i32.mul"]));
    // The operand swept again for every block of the other is the smaller:
    // rows of left for a run-time column count (a chunk's examples), else
    // the columns (a weight gradient's right operand, kept for every row).
    if (typeof this.p.cols === "object" && this.p.cols.k !== "num") this.rowBlocks(rows, (i, r) => this.colBlocks(cols, (j, c) => this.scoped(() => this.dotBlock(i, r, j, c))));
    else this.colBlocks(cols, (j, c) => this.rowBlocks(rows, (i, r) => this.scoped(() => this.dotBlock(i, r, j, c))));
  }

  private dotBlock(i: Index, R: number, j: Index, C: number): void {
    const { h, p, E } = this;
    const pl = range(R).map((a) => this.local(I32, () => this.at(this.left, i, a, p.left.strides[0])));
    const pr = range(C).map((b) => this.local(I32, () => this.at(this.right, j, b, p.right.strides[0])));
    const acc = range(R).map(() => range(C).map(() => this.local(V128, () => h.emit(...zero()))));
    const [lv, rv] = [range(R).map(() => this.local(V128)), range(C).map(() => this.local(V128))];
    const { vectorEnd, depthBytes } = this;
    this.loop(() => h.emit(...i32(0)), vectorEnd, 16, (k) => {
      pl.forEach((ptr, a) => h.emit(...get(ptr), ...get(k), OP["i32.add"], ...SIMD["v128.load"], ...memarg(4, 0), ...set(lv[a]!)));
      pr.forEach((ptr, b) => h.emit(...get(ptr), ...get(k), OP["i32.add"], ...SIMD["v128.load"], ...memarg(4, 0), ...set(rv[b]!)));
      acc.forEach((row, a) => row.forEach((s, b) => this.multiplyAdd(s, lv[a]!, rv[b]!)));
    });
    const sums = acc.map((row) => row.map((s) => this.local(F64, () => this.lanesAdded(s))));
    // The last entries of k, fewer than a vector's lanes, one at a time.
    this.loop(() => h.emit(...get(vectorEnd)), depthBytes, E, (k) => {
      sums.forEach((row, a) =>
        row.forEach((s, b) => {
          h.emit(...get(s), ...get(pl[a]!), ...get(k), OP["i32.add"], ...this.scalarLoad(0), ...get(pr[b]!), ...get(k), OP["i32.add"], ...this.scalarLoad(0));
          h.emit(OP["f64.mul"], OP["f64.add"], ...set(s));
        }),
      );
    });
    sums.forEach((row, a) => row.forEach((s, b) => this.storeScalar(i, a, j, b, s)));
  }

  /** The lanes of vector s added, as one f64 on the stack: l₀ + l₁, or (l₀ + l₁) + (l₂ + l₃). */
  private lanesAdded(s: number): void {
    const { h } = this;
    if (this.E === 8) return h.emit(...get(s), ...SIMD["f64x2.extract_lane"], 0, ...get(s), ...SIMD["f64x2.extract_lane"], 1, OP["f64.add"]);
    const lane = (n: number) => h.emit(...get(s), ...SIMD["f32x4.extract_lane"], n, OP["f64.promote_f32"]);
    lane(0), lane(1), h.emit(OP["f64.add"]), lane(2), lane(3), h.emit(OP["f64.add"], OP["f64.add"]);
  }

  /** out(i + a, j + b) op= the f64 in local s. */
  private storeScalar(i: Index, a: number, j: Index, b: number, s: number): void {
    const { h, p } = this;
    const address = this.local(I32, () => {
      this.at(this.out, i, a, p.out.strides[0]);
      this.push(j, b);
      h.emit(...i32(p.out.strides[1] * this.E), OP["i32.mul"], OP["i32.add"]);
    });
    h.emit(...get(address));
    if (p.op === "+=") h.emit(...get(address), ...this.scalarLoad(0), ...get(s), OP["f64.add"]);
    else h.emit(...get(s));
    h.emit(...this.scalarStore(0));
  }

  // ---- axpy: contiguous along i

  private axpy(): void {
    const { vectors, cols } = this.blocks.axpy;
    const { L } = this;
    const rows = this.p.rows;
    this.rowBlocks(vectors, (i, v) => this.colBlocks(cols, (j, c) => this.scoped(() => this.axpyBlock(i, v, j, c))), L);
    // Rows past the last whole vector, one at a time, as dots along a strided k.
    for (let r = rows - (rows % L); r < rows; r++) this.colBlocks(1, (j) => this.scoped(() => this.stridedDot({ value: r }, j)));
  }

  private axpyBlock(i: Index, V: number, j: Index, C: number): void {
    const { h, p, E } = this;
    const pl = this.local(I32, () => this.at(this.left, i, 0, 1));
    const pr = range(C).map((b) => this.local(I32, () => this.at(this.right, j, b, p.right.strides[0])));
    const acc = range(V).map(() => range(C).map(() => this.local(V128, () => h.emit(...zero()))));
    const [lv, rv] = [range(V).map(() => this.local(V128)), range(C).map(() => this.local(V128))];
    this.loop(() => h.emit(...i32(0)), this.depth, 1, () => {
      lv.forEach((x, v) => h.emit(...get(pl), ...SIMD["v128.load"], ...memarg(4, 16 * v), ...set(x)));
      rv.forEach((x, b) => h.emit(...get(pr[b]!), ...this.splat(), ...set(x)));
      acc.forEach((row, v) => row.forEach((s, b) => this.multiplyAdd(s, lv[v]!, rv[b]!)));
      this.advance(pl, p.left.strides[1] * E);
      pr.forEach((x) => this.advance(x, p.right.strides[1] * E));
    });
    acc.forEach((row, v) =>
      row.forEach((s, b) => {
        const address = this.local(I32, () => {
          this.at(this.out, i, 0, 1);
          this.push(j, b);
          h.emit(...i32(p.out.strides[1] * E), OP["i32.mul"], OP["i32.add"]);
        });
        h.emit(...get(address));
        if (p.op === "+=") h.emit(...get(address), ...SIMD["v128.load"], ...memarg(4, 16 * v), ...get(s), ...this.add());
        else h.emit(...get(s));
        h.emit(...SIMD["v128.store"], ...memarg(4, 16 * v));
      }),
    );
  }

  /** out(i, j) op= Σ_k left(i, k) right(j, k), one entry, k strided in both. */
  private stridedDot(i: Index, j: Index): void {
    const { h, p, E } = this;
    const pl = this.local(I32, () => this.at(this.left, i, 0, p.left.strides[0]));
    const pr = this.local(I32, () => this.at(this.right, j, 0, p.right.strides[0]));
    const s = this.local(F64, () => h.emit(OP["f64.const"], 0, 0, 0, 0, 0, 0, 0, 0));
    this.loop(() => h.emit(...i32(0)), this.depth, 1, () => {
      h.emit(...get(s), ...get(pl), ...this.scalarLoad(0), ...get(pr), ...this.scalarLoad(0), OP["f64.mul"], OP["f64.add"], ...set(s));
      this.advance(pl, p.left.strides[1] * E);
      this.advance(pr, p.right.strides[1] * E);
    });
    this.storeScalar(i, 0, j, 0, s);
  }

  private advance(pointer: number, bytes: number): void {
    this.h.emit(...get(pointer), ...i32(bytes), OP["i32.add"], ...set(pointer));
  }

  // ---- the precision's instructions

  /** s += x · y, lane by lane. */
  private multiplyAdd(s: number, x: number, y: number): void {
    const { h } = this;
    if (this.fused) h.emit(...get(x), ...get(y), ...get(s), ...(this.E === 8 ? SIMD["f64x2.relaxed_madd"] : SIMD["f32x4.relaxed_madd"]), ...set(s));
    else h.emit(...get(s), ...get(x), ...get(y), ...this.mul(), ...this.add(), ...set(s));
  }

  private mul(): Bytes {
    return this.E === 8 ? SIMD["f64x2.mul"] : SIMD["f32x4.mul"];
  }
  private add(): Bytes {
    return this.E === 8 ? SIMD["f64x2.add"] : SIMD["f32x4.add"];
  }
  private splat(): Bytes {
    return this.E === 8 ? [...SIMD["v128.load64_splat"], ...memarg(3, 0)] : [...SIMD["v128.load32_splat"], ...memarg(2, 0)];
  }
  /** An entry as f64, from the address on the stack. */
  private scalarLoad(offset: number): Bytes {
    return this.E === 8 ? [OP["f64.load"], ...memarg(3, offset)] : [OP["f32.load"], ...memarg(2, offset), OP["f64.promote_f32"]];
  }
  private scalarStore(offset: number): Bytes {
    return this.E === 8 ? [OP["f64.store"], ...memarg(3, offset)] : [OP["f32.demote_f64"], OP["f32.store"], ...memarg(2, offset)];
  }
}

const zero = (): Bytes => [...SIMD["v128.const"], ...Array<number>(16).fill(0)];
