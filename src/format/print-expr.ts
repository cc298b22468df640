// Expressions in canonical form: the fewest parentheses that parse back to the
// same tree, spaces around binary operators except the tight `^` (x^2).

import type { Expr, ShapeAst } from "../parse/ast.js";
import { binaryOps, NEG_PRECEDENCE, ATOM_PRECEDENCE, precedenceOf } from "../parse/precedence.js";

export function printExpr(e: Expr): string {
  switch (e.kind) {
    case "number":
      return e.text;
    case "name":
      return e.name;
    case "neg":
      return `-${wrap(e.operand, precedenceOf(e.operand) < NEG_PRECEDENCE)}`;
    case "binary": {
      const { precedence, rightAssociative } = binaryOps[e.op];
      const left = precedenceOf(e.left);
      const right = precedenceOf(e.right);
      const leftParens = left < precedence || (left === precedence && rightAssociative);
      // A negation may always stand on the right (`a * -b`, `2^-x`): the
      // grammar reads leading minus signs as part of the operand.
      // A regrouped long chain (see foldChain) was written without brackets.
      const rightParens =
        e.right.kind !== "neg" && (right < precedence || (right === precedence && !rightAssociative && e.regrouped !== true));
      const op = e.op === "^" ? "^" : ` ${e.op} `;
      return `${wrap(e.left, leftParens)}${op}${wrap(e.right, rightParens)}`;
    }
    case "call":
      return `${e.callee.name}(${e.args.map(printExpr).join(", ")})`;
    case "index":
      return `${wrap(e.target, precedenceOf(e.target) < ATOM_PRECEDENCE)}[${e.indices.map((i) => i.text).join(", ")}]`;
    case "array":
      return `[${e.elements.map(printExpr).join(", ")}]`;
  }
}

const wrap = (e: Expr, parens: boolean) => (parens ? `(${printExpr(e)})` : printExpr(e));

export function printShape(s: ShapeAst): string {
  return `[${s.sizes.map((size) => (size.kind === "int" ? size.lit.text : size.ref.name)).join(", ")}]`;
}
