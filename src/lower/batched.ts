// The two products of a layer that see the whole minibatch, lowered as
// register-blocked matrix products over a chunk of examples instead of one
// example at a time:
//
//   forward   Z = X Wᵀ   (W x for every example in the chunk, before the loop
//                         over examples: the layer's input is a data field)
//   gradient  G += A Bᵀ  (Σ over the chunk of the outer products a bᵀ of the
//                         weight gradient, after the loop: each example only
//                         writes down its a, and b if it is not a data field,
//                         as a column of a chunk-wide matrix, so that this too
//                         is dot products along contiguous memory)
//
// One example at a time, each entry of W is loaded once per example and each
// entry of G is read and written once per example. Blocked, a few entries of
// W meet a few examples in registers (R×E products for R+E loads), and G is
// read and written once per chunk. This is what makes the generated trainer
// faster than a hand-written one, which cannot afford to write a kernel per
// shape.

import type { Tuning } from "./tuning.js";
import { decl, add, bin, mul, num, ref, type Expr, type Stmt } from "../ir/ir.js";

/** Examples per chunk: the scratch for a chunk stays in the L2 cache. */

/** A row-major matrix in an array: entry (row, col) at offset + row·stride + col. */
export interface Matrix {
  readonly array: string;
  readonly offset: Expr;
  readonly stride: number;
}

const at = (m: Matrix, row: Expr, col: Expr): Expr => add(add(m.offset, mul(row, num(m.stride))), col);
const forStep = (index: string, from: Expr, to: Expr, step: number, body: Stmt[]): Stmt => (step === 1 ? { k: "for", index, from, to, body } : { k: "for", index, from, to, body, step });
/** to − to mod step: the end of the whole blocks, for a bound known only at run time. */
const wholeBlocks = (to: Expr, step: number): Expr => (step === 1 ? to : bin("-", to, bin("%", to, num(step))));

export interface Names {
  /** A loop counter. */
  index(): string;
  /** A local. */
  local(base: string): string;
}

/**
 * One register block of dot products: for i < PP, j < QQ, the sum over
 * k < K of P(p + i, k) Q(q + j, k), in PP × QQ locals fed by PP + QQ loads
 * per k, then handed to `store`. Both products of a layer are this block.
 */
function dotBlock(P: Matrix, Q: Matrix, p: Expr, q: Expr, PP: number, QQ: number, K: Expr, bases: readonly [sum: string, p: string, q: string], store: (i: number, j: number, sum: Expr) => Stmt, names: Names): Stmt[] {
  const k = names.index();
  const acc = Array.from({ length: PP }, () => Array.from({ length: QQ }, () => names.local(bases[0])));
  const ps = Array.from({ length: PP }, () => names.local(bases[1]));
  const qs = Array.from({ length: QQ }, () => names.local(bases[2]));
  return [
    ...acc.flat().map((s) => decl(s, num(0), { mutable: true })),
    forStep(k, num(0), K, 1, [
      ...ps.map((v, i) => decl(v, { k: "load", array: P.array, at: at(P, add(p, num(i)), ref(k)) })),
      ...qs.map((v, j) => decl(v, { k: "load", array: Q.array, at: at(Q, add(q, num(j)), ref(k)) })),
      ...acc.flatMap((row, i) => row.map((s, j): Stmt => ({ k: "set", name: s, op: "+=", value: bin("*", ref(ps[i]!), ref(qs[j]!)) }))),
    ]),
    ...acc.flatMap((row, i) => row.map((s, j) => store(i, j, ref(s)))),
  ];
}

/**
 * out(e, r) = Σ_k W(r, k) X(e, k) for rows r < rows and examples e < m: dot
 * products along contiguous rows of both, R rows × E examples at a time.
 */
export function forwardProduct(W: Matrix, X: Matrix, out: Matrix, rows: number, inner: number, m: Expr, names: Names, block_: Tuning["forwardBlock"]): Stmt[] {
  const R = fitting(block_.rows, rows);
  const E = block_.examples;
  const block = (r: Expr, e: Expr, RR: number, EE: number): Stmt[] =>
    dotBlock(W, X, r, e, RR, EE, num(inner), ["s", "w", "x"], (i, j, sum) => ({ k: "store", array: out.array, at: at(out, add(e, num(j)), add(r, num(i))), op: "=", value: sum }), names);
  return tiles(rows, R, m, E, block, names);
}

/**
 * G(r, c) += Σ_e A(r, e) B(c, e) over examples e < m, both operands stored
 * transposed (an entry's values for the chunk's examples contiguous): for
 * each block of C columns (kept in L1 across all rows), R rows at a time, the
 * sum over the chunk in registers, then one read and write of G.
 */
export function gradientProduct(A: Matrix, B: Matrix, G: Matrix, rows: number, cols: number, m: Expr, names: Names, block_: Tuning["gradientBlock"]): Stmt[] {
  const R = fitting(block_.rows, rows);
  const C = cols >= block_.cols ? block_.cols : 1;
  const block = (c: Expr, r: Expr, CC: number, RR: number): Stmt[] =>
    dotBlock(A, B, r, c, RR, CC, m, ["g", "a", "b"], (i, j, sum) => ({ k: "store", array: G.array, at: at(G, add(r, num(i)), add(c, num(j))), op: "+=", value: sum }), names);
  // Columns outer, rows inner: a block's C columns of B are reused by every row.
  return tiles(cols, C, num(rows), R, block, names);
}

/** The block's rows: as many as tuned, else 2 or 1 where there are fewer. */
const fitting = (tuned: number, rows: number) => (rows >= tuned ? tuned : rows >= 2 ? 2 : 1);

/**
 * Blocks of `outerStep` × `innerStep` over [0, outer) × [0, inner), with the
 * remainders (known at compile time for `outer`, at run time for `inner`)
 * done by smaller blocks.
 */
function tiles(outer: number, outerStep: number, inner: Expr, innerStep: number, block: (o: Expr, i: Expr, os: number, is: number) => Stmt[], names: Names): Stmt[] {
  const o = names.index();
  const wholeOuter = outer - (outer % outerStep);
  const known = inner.k === "num" ? inner.value : undefined;
  const stmts: Stmt[] = [];
  let innerEnd: Expr;
  if (known !== undefined) innerEnd = num(known - (known % innerStep));
  else {
    const whole = names.local("whole");
    stmts.push(decl(whole, wholeBlocks(inner, innerStep), { type: "i32" }));
    innerEnd = ref(whole);
  }
  const sweep = (oRef: Expr, os: number): Stmt[] => {
    const i = names.index();
    const rest = names.index();
    const remainder = innerStep > 1 && (known === undefined || known % innerStep !== 0);
    return [
      ...(known === undefined || known >= innerStep ? [forStep(i, num(0), innerEnd, innerStep, block(oRef, ref(i), os, innerStep))] : []),
      ...(remainder ? [forStep(rest, innerEnd, inner, 1, block(oRef, ref(rest), os, 1))] : []),
    ];
  };
  if (wholeOuter > 0) stmts.push(forStep(o, num(0), num(wholeOuter), outerStep, sweep(ref(o), outerStep)));
  for (let r = wholeOuter; r < outer; r++) stmts.push(...sweep(num(r), 1));
  return stmts;
}
