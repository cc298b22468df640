// The one generator of products: out(i, j) = Σ_k L(i, k) R(j, k), tiled into
// register blocks. Every product the compiler emits is one of these, with
// its own operands and block:
//
//   W x, per example          L = W's rows, R = x (one row); 2 × 1 blocks,
//                             the sum split four ways (kernel.ts)
//   W X, per chunk            L = W's rows, R = the chunk's examples; 4 × 2 (model.ts)
//   G += A Bᵀ, per chunk      L = A's rows, R = B's rows, k over the chunk's examples; 2 × 4
//   A B, vᵀ A, v · w          as W x, in 1 × 1 blocks
//   G += a bᵀ, per example    depth one, a row at a time, the rows where aᵢ
//                             is 0 skipped (model.ts)
//
// A block of rows × cols sums is kept in locals; each k loads rows + cols
// entries for rows · cols products (an operand entry used by more than one
// product is loaded into a local first). A sum split s ways keeps s partial
// sums that do not wait on each other (most of a dot product's speed in V8),
// added as (p₀ + p₁) + (p₂ + p₃) at the end; the remainder of k goes to p₀.
// Remainders of rows and columns are done by smaller blocks.

import { add, bin, decl, num, ref, type Expr, type Stmt } from "../ir/ir.js";

/** An operand's entry (row, k). */
export type Entry = (row: Expr, k: Expr) => Expr;

export interface Block {
  readonly rows: number;
  readonly cols: number;
  /** Partial sums per entry: 1, or a number the known depth is split by. */
  readonly split: number;
}

export interface Names {
  /** A loop counter. */
  index(): string;
  /** A local. */
  local(base: string): string;
}

export interface Contraction {
  readonly left: Entry;
  readonly right: Entry;
  /** How many rows of each: the left's known when compiling, the right's maybe only at run time (a chunk's examples). */
  readonly rows: number;
  readonly cols: number | Expr;
  readonly depth: number | Expr;
  readonly block: Block;
  /** Sum (i, j) as a statement: a store, or an addition into a gradient. */
  readonly store: (i: Expr, j: Expr, sum: Expr) => Stmt;
  /** Which loop is outside: rows (each row of L meets every R), or columns (a block of R's rows stays in L1 for every row of L). */
  readonly outer: "rows" | "cols";
  /** Local names after: [the sums, L's entries, R's entries]. */
  readonly bases: readonly [string, string, string];
  readonly names: Names;
  /** On the outermost loop. */
  readonly comment?: string;
}

const known = (e: number | Expr): number | undefined => (typeof e === "number" ? e : e.k === "num" ? e.value : undefined);
const asExpr = (e: number | Expr): Expr => (typeof e === "number" ? num(e) : e);
const forStep = (index: string, from: Expr, to: Expr, step: number, body: Stmt[]): Stmt => (step === 1 ? { k: "for", index, from, to, body } : { k: "for", index, from, to, body, step });
/** to − to mod step: the end of the whole blocks, for a bound known only at run time. */
const wholeBlocks = (to: Expr, step: number): Expr => (step === 1 ? to : bin("-", to, bin("%", to, num(step))));

export function contraction(c: Contraction): Stmt[] {
  const rows = Math.min(c.block.rows, Math.max(1, c.rows));
  const cols = known(c.cols) === undefined ? c.block.cols : Math.min(c.block.cols, Math.max(1, known(c.cols)!));
  // A split needs a known depth at least as long as one pass of it.
  const depth = known(c.depth);
  const split = depth !== undefined && depth >= c.block.split ? c.block.split : 1;
  const block = (i: Expr, j: Expr, bi: number, bj: number) => sumBlock(c, i, j, bi, bj, split);
  const stmts =
    c.outer === "rows"
      ? tiles(c.rows, rows, c.cols, cols, (o, n, os, ns) => block(o, n, os, ns), c.names)
      : tiles(known(c.cols)!, cols, num(c.rows), rows, (o, n, os, ns) => block(n, o, ns, os), c.names);
  if (c.comment === undefined || stmts.length === 0) return stmts;
  const [first, ...rest] = stmts;
  return first!.k === "for" ? [{ ...first!, comment: c.comment }, ...rest] : [{ k: "comment", text: c.comment }, ...stmts];
}

/** The bi × bj block of sums at rows (i, j), each over k < depth in `split` partial sums, handed to store. */
function sumBlock(c: Contraction, i: Expr, j: Expr, bi: number, bj: number, split: number): Stmt[] {
  const { names, bases } = c;
  // A depth of one (a rank-one update a bᵀ) is a product, not a sum.
  if (known(c.depth) === 1) return range(bi).flatMap((a) => range(bj).map((b) => c.store(add(i, num(a)), add(j, num(b)), bin("*", c.left(add(i, num(a)), num(0)), c.right(add(j, num(b)), num(0))))));
  const k = names.index();
  const acc = range(bi).map(() => range(bj).map(() => range(split).map(() => names.local(bases[0]))));
  // An entry used by more than one product of the block is loaded once into a local.
  const entries = (count: number, reused: boolean, entry: (r: number, at: Expr) => Expr, base: string) =>
    range(split).map((s) => range(count).map((r) => (reused ? { name: names.local(base), value: (at: Expr) => entry(r, add(at, num(s))) } : { name: undefined, value: (at: Expr) => entry(r, add(at, num(s))) })));
  const ls = entries(bi, bj > 1, (r, at) => c.left(add(i, num(r)), at), bases[1]);
  const rs = entries(bj, bi > 1, (r, at) => c.right(add(j, num(r)), at), bases[2]);
  const pass = (at: Expr, parts: number): Stmt[] => {
    const read = (e: { name: string | undefined; value: (at: Expr) => Expr }) => (e.name === undefined ? e.value(at) : ref(e.name));
    const loads = (list: typeof ls) => list.slice(0, parts).flatMap((row) => row.flatMap((e) => (e.name === undefined ? [] : [decl(e.name, e.value(at))])));
    const products = range(parts).flatMap((s) => acc.flatMap((row, a) => row.map((sums, b): Stmt => ({ k: "set", name: sums[s]!, op: "+=", value: bin("*", read(ls[s]![a]!), read(rs[s]![b]!)) }))));
    return [...loads(ls), ...loads(rs), ...products];
  };
  const depth = asExpr(c.depth);
  const whole = split === 1 ? undefined : known(c.depth)! - (known(c.depth)! % split);
  const stmts: Stmt[] = [...acc.flat(2).map((s) => decl(s, num(0), { mutable: true })), forStep(k, num(0), whole === undefined ? depth : num(whole), split, pass(ref(k), split))];
  if (whole !== undefined && whole < known(c.depth)!) {
    const rest = names.index();
    // The remainder into the first partial sums, with no locals of its own.
    const direct = (list: typeof ls) => list[0]!.map((e) => ({ name: undefined, value: e.value }));
    const [l0, r0] = [direct(ls), direct(rs)];
    stmts.push(forStep(rest, num(whole), depth, 1, acc.flatMap((row, a) => row.map((sums, b): Stmt => ({ k: "set", name: sums[0]!, op: "+=", value: bin("*", l0[a]!.value(ref(rest)), r0[b]!.value(ref(rest))) })))));
  }
  stmts.push(...acc.flatMap((row, a) => row.map((sums, b) => c.store(add(i, num(a)), add(j, num(b)), pairwise(sums.map(ref))))));
  return stmts;
}

/** (p₀ + p₁) + (p₂ + p₃): partial sums added in pairs. */
function pairwise(parts: readonly Expr[]): Expr {
  if (parts.length === 1) return parts[0]!;
  const half = parts.length / 2;
  return bin("+", pairwise(parts.slice(0, half)), pairwise(parts.slice(half)));
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * Blocks of `outerStep` × `innerStep` over [0, outer) × [0, inner), with the
 * remainders (known at compile time for `outer`, maybe only at run time for
 * `inner`) done by smaller blocks. A loop of one block is no loop.
 */
function tiles(outer: number, outerStep: number, inner: number | Expr, innerStep: number, block: (o: Expr, i: Expr, os: number, is: number) => Stmt[], names: Names): Stmt[] {
  const innerKnown = known(inner);
  const stmts: Stmt[] = [];
  let innerEnd: Expr;
  if (innerKnown !== undefined) innerEnd = num(innerKnown - (innerKnown % innerStep));
  else {
    const whole = names.local("whole");
    stmts.push(decl(whole, wholeBlocks(asExpr(inner), innerStep), { type: "i32" }));
    innerEnd = ref(whole);
  }
  const sweep = (o: Expr, os: number): Stmt[] => {
    const out: Stmt[] = [];
    if (innerKnown === innerStep) out.push(...block(o, num(0), os, innerStep));
    else if (innerKnown === undefined || innerKnown >= innerStep) {
      const i = names.index();
      out.push(forStep(i, num(0), innerEnd, innerStep, block(o, ref(i), os, innerStep)));
    }
    if (innerStep > 1 && (innerKnown === undefined || innerKnown % innerStep !== 0)) {
      const rest = names.index();
      out.push(forStep(rest, innerEnd, asExpr(inner), 1, block(o, ref(rest), os, 1)));
    }
    return out;
  };
  const wholeOuter = outer - (outer % outerStep);
  if (wholeOuter === outerStep) stmts.push(...sweep(num(0), outerStep));
  else if (wholeOuter > 0) {
    const o = names.index();
    stmts.push(forStep(o, num(0), num(wholeOuter), outerStep, sweep(ref(o), outerStep)));
  }
  for (let r = wholeOuter; r < outer; r++) stmts.push(...sweep(num(r), 1));
  return stmts;
}
