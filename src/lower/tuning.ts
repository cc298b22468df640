// The constants lowering is tuned by, one set per target (emit/target.ts):
// how much to unroll, how many examples a chunk holds, which products are
// worth lifting out of the loop over examples, how large a register block
// is. They change the code's speed, never its values.

export interface Tuning {
  readonly unroll: {
    /** Loops over at most this many values are unrolled (if the result is small). */
    readonly trips: number;
    /** The most statements one unrolled loop may become. */
    readonly statements: number;
    /** Arrays of at most this many entries may become locals. */
    readonly arrayEntries: number;
  };
  /** Examples per chunk, when products are lifted out of the loop over examples. */
  readonly chunk: number;
  /** Products of at least this many entries (rows × columns) are lifted. */
  readonly liftFrom: number;
  /** A forward product's register block: rows of W by examples. */
  readonly forwardBlock: { readonly rows: number; readonly examples: number };
  /**
   * A product computed per example (W x, A B, v · w): W x takes `rows` rows
   * a block, and a sum of at least `splitFrom` terms is split `split` ways.
   */
  readonly perExample: { readonly rows: number; readonly split: number; readonly splitFrom: number };
  /** A weight gradient's register block: rows by columns. */
  readonly gradientBlock: { readonly rows: number; readonly cols: number };
  /** Straight-line lists with more number locals than this reuse them (registers.ts). */
  readonly reuseLocalsAbove: number;
}

/**
 * Scalar code on a JavaScript engine, measured on V8: 4 × 2 and 2 × 4 blocks
 * were best on 784-128-10 (8 sums in registers; 4 × 4 spills; for the
 * gradient 4 × 2, 4 × 4, 3 × 4, 4 × 3 and 2 × 6 within 5 % below, 1 × 8 13 %
 * below), and V8 keeps every local of a function in its frame, so a very
 * long function reuses them.
 */
export const scalarTuning: Tuning = {
  unroll: { trips: 16, statements: 256, arrayEntries: 64 },
  chunk: 64,
  liftFrom: 256,
  forwardBlock: { rows: 4, examples: 2 },
  perExample: { rows: 2, split: 4, splitFrom: 16 },
  gradientBlock: { rows: 2, cols: 4 },
  reuseLocalsAbove: 2000,
};
