// The loop over examples in chunks, and the products lifted out of it (the
// schedule's "per chunk"): W x for a data field x, computed for every
// example of the chunk by one blocked product before its examples; W h and
// Wᵀ δ for values computed per example, by one blocked product between two
// passes over the chunk's examples (passes.ts); and a weight gradient a bᵀ
// summed over the chunk by one blocked product after them. All are
// contractions (contraction.ts, through batched.ts).

import type { Node } from "../graph/node.js";
import { sizeOf as size } from "../tensor/shape.js";
import { add, loop, mul, num, ref, type Expr, type Stmt } from "../ir/ir.js";
import { forwardProduct, gradientProduct, transposedProduct, type Matrix, type Names } from "./batched.js";
import type { Buffer, Kernel, Place } from "./kernel.js";
import type { Renamer } from "./names.js";
import { liftsForward, liftsHidden, liftsOuter, type Lifted } from "./schedule.js";
import type { Tuning } from "./tuning.js";

/** What a chunk needs of the model being lowered. */
export interface ChunkContext {
  readonly params: readonly Node[];
  /** The local each parameter's array is bound to. */
  readonly paramArrays: readonly string[];
  /** The model's inputs then targets, as in a batch, and their locals. */
  readonly data: readonly Node[];
  readonly dataArrays: readonly string[];
  readonly names: ReadonlyMap<Node, string>;
  /** A node as a formula, for comments. */
  readonly formula: (n: Node) => string;
  readonly renamer: Renamer;
  /** The model's scratch arrays: a chunk adds its own. */
  readonly buffers: Buffer[];
  readonly tuning: Tuning;
}

/** A chunk's products, as statements: `before` its examples, `between` passes over them (before pass p at p), `after` them. */
export interface Made {
  readonly before: readonly Stmt[];
  readonly between: readonly (readonly Stmt[])[];
  readonly after: readonly Stmt[];
}

/** A product lifted between passes: its operand computed per example, and where the product goes. */
interface Cut {
  readonly node: Node;
  readonly W: Node;
  readonly transposed: boolean;
  readonly operand: Node;
  readonly into: string;
}

const signed = (sign: 1 | -1, e: Expr): Expr => (sign === 1 ? e : { k: "neg", a: e });

export class Chunk {
  readonly lifted: Lifted[] = [];
  private readonly before: ((names: Names) => Stmt[])[] = [];
  private readonly after: ((names: Names) => Stmt[])[] = [];
  private readonly cuts: Cut[] = [];
  /** Data fields already transposed for this chunk. */
  private readonly transposed = new Map<Node, Matrix>();
  private names: { readonly start: string; readonly count: string; readonly row: string } | undefined;

  constructor(private readonly c: ChunkContext) {}

  // The chunk's names are taken from the renamer only once something is
  // lifted, so a model with no large product keeps its names (and its code).
  private get named() {
    return (this.names ??= { start: this.c.renamer.fresh("chunk"), count: this.c.renamer.fresh("m"), row: this.c.renamer.fresh("row") });
  }
  /** The first example of the chunk. */
  get start(): string {
    return this.named.start;
  }
  /** How many examples it holds. */
  get count(): string {
    return this.named.count;
  }
  /** The example's row within it. */
  get row(): string {
    return this.named.row;
  }

  /**
   * Lifts W x (W a parameter, x a data field) out of the loop over examples:
   * one blocked product per chunk into a chunk-sized buffer, where the
   * per-example code then reads it (`placed`).
   */
  liftForward(nodes: readonly Node[], placed: Map<Node, Place>): void {
    const { tuning, renamer } = this.c;
    for (const n of nodes) {
      if (!liftsForward(n, this.c.params, this.c.data, tuning.liftFrom)) continue;
      const [W, x] = n.args as [Node, Node];
      const [rows, inner] = W.shape as [number, number];
      const buffer = renamer.moduleLevel(`${this.c.names.get(n) ?? renamer.temporary("t")}_chunk`);
      this.c.buffers.push({ name: buffer, size: tuning.chunk * rows });
      const W_: Matrix = { array: this.c.paramArrays[this.c.params.indexOf(W)]!, offset: num(0), stride: inner };
      const out: Matrix = { array: buffer, offset: num(0), stride: rows };
      this.before.push((names) => [{ k: "comment", text: `${this.c.formula(n)}, for every example of the chunk` }, ...forwardProduct(W_, this.dataMatrix(x), out, rows, inner, ref(this.count), names, tuning.forwardBlock)]);
      placed.set(n, { kind: "array", array: buffer, offset: mul(ref(this.row), num(rows)) });
      this.lifted.push({ node: n, kind: "forward product", into: buffer });
    }
  }

  /**
   * Lifts W h and Wᵀ δ (h, δ computed per example) out of the loop over
   * examples: the loop is cut before what reads them, and one blocked product
   * per chunk computes them between the passes. Returns each product with its
   * operand, for the passes' plan.
   */
  liftHidden(nodes: readonly Node[], placed: Map<Node, Place>, perExample: ReadonlySet<Node>): Map<Node, Node> {
    const { tuning, renamer } = this.c;
    const byOperand = new Map<Node, Node>();
    for (const n of nodes) {
      const lift = placed.has(n) ? undefined : liftsHidden(n, this.c.params, perExample, this.c.data, tuning.liftFrom);
      if (lift === undefined) continue;
      const rows = n.shape[0]!;
      const into = renamer.moduleLevel(`${this.c.names.get(n) ?? renamer.temporary("t")}_chunk`);
      this.c.buffers.push({ name: into, size: tuning.chunk * rows });
      placed.set(n, { kind: "array", array: into, offset: mul(ref(this.row), num(rows)) });
      this.cuts.push({ node: n, ...lift, operand: n.args[1]!, into });
      this.lifted.push({ node: n, kind: lift.transposed ? "transposed product" : "forward product", into });
      byOperand.set(n, n.args[1]!);
    }
    return byOperand;
  }

  /**
   * G += sign · a bᵀ summed over the chunk by one blocked product after its
   * examples, when it is large enough. Both operands are kept transposed, an
   * entry's values for the chunk's examples side by side, so that the product
   * is dot products along contiguous memory: each example stores a (and b,
   * unless it is a data field, which is transposed once per chunk) in its
   * column of a chunk buffer. Returns the per-example stores, by the operand
   * they read (each goes in its operand's pass).
   */
  liftOuter(kernel: Kernel, sign: 1 | -1, outer: Node, shape: readonly number[], array: string, offset: Expr, comment: string | undefined): { node: Node; stores: Stmt[] }[] | undefined {
    const { tuning, renamer } = this.c;
    if (!liftsOuter(outer, shape, tuning.liftFrom)) return undefined;
    this.lifted.push({ node: outer, kind: "weight gradient", into: array });
    const [rows, cols] = shape as [number, number];
    const [a, b] = outer.args as [Node, Node];
    const stash = (node: Node, width: number, s: 1 | -1): { matrix: Matrix; stores: Stmt[] } => {
      const buffer = renamer.moduleLevel(`${this.c.names.get(node) ?? renamer.temporary("t")}_chunk`);
      this.c.buffers.push({ name: buffer, size: tuning.chunk * width });
      const stores = kernel.forEach([width], ([k]) => [{ k: "store", array: buffer, at: add(mul(k!, num(tuning.chunk)), ref(this.row)), op: "=", value: signed(s, kernel.elem(node, [k!])) }]);
      return { matrix: { array: buffer, offset: num(0), stride: tuning.chunk }, stores };
    };
    const A = stash(a, rows, sign);
    const B = this.c.data.includes(b) ? { matrix: this.transposedData(b), stores: [] } : stash(b, cols, 1);
    const G: Matrix = { array, offset, stride: cols };
    this.after.push((names) => [...(comment === undefined ? [] : [{ k: "comment", text: comment } as Stmt]), ...gradientProduct(A.matrix, B.matrix, G, rows, cols, ref(this.count), names, tuning.gradientBlock)]);
    return [{ node: a, stores: A.stores }, { node: b, stores: B.stores }];
  }

  /** The products as statements, their loop counters and locals named by the kernel; `passOf` says which pass reads each cut. */
  made(kernel: Kernel, passOf: ReadonlyMap<Node, number> = new Map()): Made {
    const names: Names = { index: () => kernel.freshIndex(), local: (base) => kernel.freshName(base) };
    const between: Stmt[][] = [];
    for (const cut of this.cuts) {
      const pass = passOf.get(cut.node) ?? 0;
      while (between.length <= pass) between.push([]);
      between[pass]!.push(...this.cutProduct(cut, kernel, names));
    }
    return { before: this.before.flatMap((f) => f(names)), between, after: this.after.flatMap((f) => f(names)) };
  }

  /** W H or Wᵀ Δ for the chunk, H (Δ) the operand's rows as the kernel kept them. */
  private cutProduct(cut: Cut, kernel: Kernel, names: Names): Stmt[] {
    const { tuning } = this.c;
    const [rows, cols] = cut.W.shape as [number, number];
    const W: Matrix = { array: this.c.paramArrays[this.c.params.indexOf(cut.W)]!, offset: num(0), stride: cols };
    const width = size(cut.operand.shape);
    const kept = kernel.chunkArray(cut.operand) ?? this.cuts.find((c) => c.node === cut.operand)?.into ?? this.liftedInto(cut.operand);
    if (kept === undefined) throw new Error(`internal: the operand of ${this.c.formula(cut.node)} is not kept for the chunk`);
    const X: Matrix = { array: kept, offset: num(0), stride: width };
    const out: Matrix = { array: cut.into, offset: num(0), stride: size(cut.node.shape) };
    const comment: Stmt = { k: "comment", text: `${this.c.formula(cut.node)}, for every example of the chunk` };
    const product = cut.transposed ? transposedProduct(W, X, out, cols, rows, ref(this.count), names, tuning.forwardBlock) : forwardProduct(W, X, out, rows, cols, ref(this.count), names, tuning.forwardBlock);
    return [comment, ...product];
  }

  /** The chunk buffer a product lifted before the examples went to. */
  private liftedInto(n: Node): string | undefined {
    return this.lifted.find((l) => l.node === n && l.kind === "forward product")?.into;
  }

  /** A data field's rows in the chunk, as a matrix. */
  private dataMatrix(node: Node): Matrix {
    const width = size(node.shape);
    return { array: this.c.dataArrays[this.c.data.indexOf(node)]!, offset: mul(ref(this.start), num(width)), stride: width };
  }

  /** A data field's rows in the chunk, transposed (once per chunk, before the products that read it). */
  private transposedData(node: Node): Matrix {
    const known = this.transposed.get(node);
    if (known !== undefined) return known;
    const { tuning } = this.c;
    const width = size(node.shape);
    const buffer = this.c.renamer.moduleLevel(`${this.c.dataArrays[this.c.data.indexOf(node)]!}_chunkT`);
    this.c.buffers.push({ name: buffer, size: tuning.chunk * width });
    const rowsOf = this.dataMatrix(node);
    this.after.push((names) => {
      const [e, k] = [names.index(), names.index()];
      const copy: Stmt = { k: "store", array: buffer, at: add(mul(ref(k), num(tuning.chunk)), ref(e)), op: "=", value: { k: "load", array: rowsOf.array, at: add(add(rowsOf.offset, mul(ref(e), num(width))), ref(k)) } };
      return [{ k: "comment", text: `${this.c.formula(node)} of the chunk's examples, transposed` }, { k: "for", index: e, from: num(0), to: ref(this.count), body: [loop(k, width, [copy])] }];
    });
    const matrix: Matrix = { array: buffer, offset: num(0), stride: tuning.chunk };
    this.transposed.set(node, matrix);
    return matrix;
  }
}
