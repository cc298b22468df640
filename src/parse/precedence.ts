// The operator precedence table (docs/language.md, Expressions), and the fold that turns the grammar's flat
// chain `operand (op operand)*` into a tree. The fold is shunting-yard: a loop
// with explicit stacks, so a chain of any length is safe; a long chain of one
// level (`a + b - c + ...`) becomes a balanced tree, so the stages after the
// parser, which recurse, stay shallow too.

import type { BinaryOp, Expr } from "./ast.js";
import { spanCovering, type Span } from "../diagnostics/source.js";

interface OpInfo {
  readonly precedence: number;
  readonly rightAssociative: boolean;
}

export const binaryOps = {
  "+": { precedence: 1, rightAssociative: false },
  "-": { precedence: 1, rightAssociative: false },
  "*": { precedence: 2, rightAssociative: false },
  "/": { precedence: 2, rightAssociative: false },
  "@": { precedence: 3, rightAssociative: false },
  "^": { precedence: 5, rightAssociative: true },
} as const satisfies Record<BinaryOp, OpInfo>;

/** Unary minus binds tighter than @ and looser than ^: -x^2 is -(x^2). */
export const NEG_PRECEDENCE = 4;

/** Binds tighter than any operator: names, numbers, calls, indexing, arrays. */
export const ATOM_PRECEDENCE = 6;

export function precedenceOf(e: Expr): number {
  if (e.kind === "binary") return binaryOps[e.op].precedence;
  if (e.kind === "neg") return NEG_PRECEDENCE;
  return ATOM_PRECEDENCE;
}

export interface Operand {
  /** Spans of the leading `-` signs, outermost first. */
  readonly negations: readonly Span[];
  readonly expr: Expr;
}

type Pending = { readonly kind: "neg"; readonly span: Span } | { readonly kind: "op"; readonly op: BinaryOp };

/**
 * Operands of one precedence level joined left to right (`a - b + c`), not
 * yet a tree: a long one becomes a balanced tree, not a deep one.
 */
interface Run {
  readonly kind: "run";
  readonly precedence: number;
  readonly operands: Expr[];
  readonly ops: BinaryOp[];
}

/**
 * Chains with more operands than this are grouped as a balanced tree, which
 * is about log2(n) deep rather than n; shorter ones keep the left-leaning
 * tree that left associativity describes.
 */
export const REGROUP_ABOVE = 32;

/** Where a run may be cut in two: `L + R` and `L * R` equal the chain as written only at these. */
const ASSOCIATIVE: ReadonlySet<BinaryOp> = new Set(["+", "*"]);

export function foldChain(operands: readonly Operand[], ops: readonly BinaryOp[]): Expr {
  const out: (Expr | Run)[] = [];
  const pending: Pending[] = [];

  const apply = (p: Pending) => {
    if (p.kind === "neg") {
      const operand = finish(out.pop()!);
      out.push({ kind: "neg", operand, span: spanCovering(p.span, operand.span) });
      return;
    }
    const right = finish(out.pop()!);
    const left = out.pop()!;
    const precedence = binaryOps[p.op].precedence;
    // + - and * / chains are collected and grouped once they are complete.
    if (precedence === 1 || precedence === 2) {
      const run: Run = left.kind === "run" && left.precedence === precedence ? left : { kind: "run", precedence, operands: [finish(left)], ops: [] };
      run.operands.push(right);
      run.ops.push(p.op);
      out.push(run);
      return;
    }
    const l = finish(left);
    out.push({ kind: "binary", op: p.op, left: l, right, span: spanCovering(l.span, right.span) });
  };
  const precedence = (p: Pending) => (p.kind === "neg" ? NEG_PRECEDENCE : binaryOps[p.op].precedence);

  operands.forEach((operand, i) => {
    if (i > 0) {
      const op = ops[i - 1]!;
      const info = binaryOps[op];
      while (pending.length > 0) {
        const top = precedence(pending[pending.length - 1]!);
        if (top > info.precedence || (top === info.precedence && !info.rightAssociative)) apply(pending.pop()!);
        else break;
      }
      pending.push({ kind: "op", op });
    }
    for (const span of operand.negations) pending.push({ kind: "neg", span });
    out.push(operand.expr);
  });
  while (pending.length > 0) apply(pending.pop()!);
  return finish(out[0]!);
}

function finish(e: Expr | Run): Expr {
  if (e.kind !== "run") return e;
  return e.operands.length > REGROUP_ABOVE ? balanced(e, 0, e.operands.length - 1) : leftFold(e, 0, e.operands.length - 1);
}

/** Operands lo..hi as written: ((a op b) op c) ... */
function leftFold(run: Run, lo: number, hi: number): Expr {
  let acc = run.operands[lo]!;
  for (let i = lo + 1; i <= hi; i++) {
    const right = run.operands[i]!;
    acc = { kind: "binary", op: run.ops[i - 1]!, left: acc, right, span: spanCovering(acc.span, right.span) };
  }
  return acc;
}

/**
 * Cut at the + (or *) nearest the middle: `L + R`, where R is the rest of the
 * chain as written, so the value is the same up to rounding. Recursion is
 * about log2(n) deep. A run with no such operator (`a - b - c ...`) stays a
 * left-leaning tree.
 */
function balanced(run: Run, lo: number, hi: number): Expr {
  if (hi - lo < REGROUP_ABOVE) return leftFold(run, lo, hi);
  const middle = (lo + hi + 1) >> 1;
  let cut = -1;
  // ops[k - 1] joins operand k to what precedes it.
  for (let d = 0; cut < 0 && (middle - d > lo || middle + d <= hi); d++) {
    if (middle + d <= hi && ASSOCIATIVE.has(run.ops[middle + d - 1]!)) cut = middle + d;
    else if (middle - d > lo && ASSOCIATIVE.has(run.ops[middle - d - 1]!)) cut = middle - d;
  }
  if (cut < 0) return leftFold(run, lo, hi);
  const left = balanced(run, lo, cut - 1);
  const right = balanced(run, cut, hi);
  const node = { kind: "binary", op: run.ops[cut - 1]!, left, right, span: spanCovering(left.span, right.span) } as const;
  // A right side of one operand is that operand, brackets and all (`... + (a - b)`).
  return cut < hi ? { ...node, regrouped: true } : node;
}
