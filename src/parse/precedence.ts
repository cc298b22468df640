// The operator precedence table (docs/language.md, Expressions), and the fold that turns the
// grammar's flat chain `operand (op operand)*` into a tree. The fold is
// shunting-yard: a loop with explicit stacks, so a chain of any length is safe.

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

export function foldChain(operands: readonly Operand[], ops: readonly BinaryOp[]): Expr {
  const out: Expr[] = [];
  const pending: Pending[] = [];

  const apply = (p: Pending) => {
    if (p.kind === "neg") {
      const operand = out.pop()!;
      out.push({ kind: "neg", operand, span: spanCovering(p.span, operand.span) });
    } else {
      const right = out.pop()!;
      const left = out.pop()!;
      out.push({ kind: "binary", op: p.op, left, right, span: spanCovering(left.span, right.span) });
    }
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
  return out[0]!;
}
