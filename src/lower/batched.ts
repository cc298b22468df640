// The products of a layer that see the whole minibatch, lowered as
// register-blocked matrix products over a chunk of examples instead of one
// example at a time:
//
//   forward     Z = X Wᵀ   (W x for every example in the chunk: before the
//                           loop over examples when x is a data field, between
//                           two passes over them when it is computed, passes.ts)
//   transposed  Z = X W    (Wᵀ δ for every example, between two passes)
//   gradient    G += A Bᵀ  (Σ over the chunk of the outer products a bᵀ of the
//                           weight gradient, after the loop: each example only
//                           writes down its a, and b if it is not a data field,
//                           as a column of a chunk-wide matrix, so that this too
//                           is dot products along contiguous memory)
//
// One example at a time, each entry of W is loaded once per example and each
// entry of G is read and written once per example. Blocked, a few entries of
// W meet a few examples in registers (R×E products for R+E loads), and G is
// read and written once per chunk. This is what makes the generated trainer
// faster than a hand-written one, which cannot afford to write a kernel per
// shape.

import type { Tuning } from "./tuning.js";
import { add, mul, num, type Expr, type Product, type Stmt, type Strided } from "../ir/ir.js";
import { contraction, type Entry, type Names } from "./contraction.js";

export type { Names } from "./contraction.js";

/** A row-major matrix in an array: entry (row, col) at offset + row·stride + col. */
export interface Matrix {
  readonly array: string;
  readonly offset: Expr;
  readonly stride: number;
}

const at = (m: Matrix, row: Expr, col: Expr): Expr => add(add(m.offset, mul(row, num(m.stride))), col);
const entry = (m: Matrix): Entry => (row, k) => ({ k: "load", array: m.array, at: at(m, row, k) });
/** The matrix read by rows (entry (a, b) at row a, column b), or down its columns. */
const rowsOf = (m: Matrix): Strided => ({ array: m.array, offset: m.offset, strides: [m.stride, 1] });
const columnsOf = (m: Matrix): Strided => ({ array: m.array, offset: m.offset, strides: [1, m.stride] });
/** The product whole, with its scalar loops. */
const product = (p: Product, body: Stmt[]): Stmt[] => [{ k: "product", product: p, body }];

/**
 * out(e, r) = Σ_k W(r, k) X(e, k) for rows r < rows and examples e < m: dot
 * products along contiguous rows of both, R rows × E examples at a time.
 */
export function forwardProduct(W: Matrix, X: Matrix, out: Matrix, rows: number, inner: number, m: Expr, names: Names, block: Tuning["forwardBlock"]): Stmt[] {
  const whole: Product = { out: columnsOf(out), op: "=", left: rowsOf(W), right: rowsOf(X), rows, cols: m, depth: num(inner) };
  return product(whole, contraction({
    left: entry(W),
    right: entry(X),
    rows,
    cols: m,
    depth: inner,
    block: { rows: fitting(block.rows, rows), cols: block.examples, split: 1 },
    store: (r, e, sum) => ({ k: "store", array: out.array, at: at(out, e, r), op: "=", value: sum }),
    outer: "rows",
    bases: ["s", "w", "x"],
    names,
  }));
}

/**
 * out(e, c) = Σ_r W(r, c) X(e, r) for columns c < cols and examples e < m:
 * Wᵀ x for every example (a layer's input gradient Wᵀ δ), W read down its
 * columns, a block's C columns side by side in a row of W.
 */
export function transposedProduct(W: Matrix, X: Matrix, out: Matrix, cols: number, depth: number, m: Expr, names: Names, block: Tuning["forwardBlock"]): Stmt[] {
  const whole: Product = { out: columnsOf(out), op: "=", left: columnsOf(W), right: rowsOf(X), rows: cols, cols: m, depth: num(depth) };
  return product(whole, contraction({
    left: (c, r) => ({ k: "load", array: W.array, at: at(W, r, c) }),
    right: entry(X),
    rows: cols,
    cols: m,
    depth,
    block: { rows: fitting(block.rows, cols), cols: block.examples, split: 1 },
    store: (c, e, sum) => ({ k: "store", array: out.array, at: at(out, e, c), op: "=", value: sum }),
    outer: "rows",
    bases: ["s", "w", "x"],
    names,
  }));
}

/**
 * G(r, c) += Σ_e A(r, e) B(c, e) over examples e < m, both operands stored
 * transposed (an entry's values for the chunk's examples contiguous): for
 * each block of C columns (kept in L1 across all rows), R rows at a time, the
 * sum over the chunk in registers, then one read and write of G.
 */
export function gradientProduct(A: Matrix, B: Matrix, G: Matrix, rows: number, cols: number, m: Expr, names: Names, block: Tuning["gradientBlock"]): Stmt[] {
  const whole: Product = { out: rowsOf(G), op: "+=", left: rowsOf(A), right: rowsOf(B), rows, cols: num(cols), depth: m };
  return product(whole, contraction({
    left: entry(A),
    right: entry(B),
    rows,
    cols,
    depth: m,
    block: { rows: fitting(block.rows, rows), cols: cols >= block.cols ? block.cols : 1, split: 1 },
    store: (r, c, sum) => ({ k: "store", array: G.array, at: at(G, r, c), op: "+=", value: sum }),
    outer: "cols",
    bases: ["g", "a", "b"],
    names,
  }));
}

/** The block's rows: as many as tuned, else 2 or 1 where there are fewer. */
const fitting = (tuned: number, rows: number) => (rows >= tuned ? tuned : rows >= 2 ? 2 : 1);
