// Loop IR to TypeScript syntax trees, with the TypeScript compiler's own
// factory (no code is assembled from strings). The factory parenthesises
// operands as precedence requires.

import ts from "typescript";
import type { Expr, Intrinsic, Stmt } from "../ir/ir.js";

const f = ts.factory;
const K = ts.SyntaxKind;

export type ArrayType = "Float64Array" | "Float32Array";

const mathCall =
  (name: string) =>
  (args: readonly ts.Expression[]): ts.Expression =>
    f.createCallExpression(dotted(name), undefined, args);
/** A bit operation, its operands in parentheses as prettier writes them beside one. */
const bitwise =
  (op: ts.BinaryOperator) =>
  ([a, b]: readonly ts.Expression[]): ts.Expression =>
    f.createBinaryExpression(grouped(a!), op, grouped(b!));
const grouped = (e: ts.Expression) => (ts.isBinaryExpression(e) ? f.createParenthesizedExpression(e) : e);

/** The IR's intrinsics, as TypeScript spells them. */
export const INTRINSICS: Record<Intrinsic, (args: readonly ts.Expression[]) => ts.Expression> = {
  exp: mathCall("Math.exp"),
  log: mathCall("Math.log"),
  log1p: mathCall("Math.log1p"),
  sqrt: mathCall("Math.sqrt"),
  abs: mathCall("Math.abs"),
  sin: mathCall("Math.sin"),
  cos: mathCall("Math.cos"),
  tan: mathCall("Math.tan"),
  tanh: mathCall("Math.tanh"),
  pow: mathCall("Math.pow"),
  max: mathCall("Math.max"),
  min: mathCall("Math.min"),
  isFinite: mathCall("Number.isFinite"),
  imin: mathCall("Math.min"),
  // Numbers are doubles: a sum of two i32 is exact, and `| 0` wraps it.
  iadd: (args) => bitwise(K.BarToken)([bitwise(K.PlusToken)(args), f.createNumericLiteral(0)]),
  imul: mathCall("Math.imul"),
  xor: bitwise(K.CaretToken),
  or: bitwise(K.BarToken),
  shr_u: bitwise(K.GreaterThanGreaterThanGreaterThanToken),
};

const MULTIPLICATIVE: ReadonlySet<string> = new Set(["*", "/", "%"]);

const BINARY: Record<string, ts.BinaryOperator> = {
  "+": K.PlusToken,
  "-": K.MinusToken,
  "*": K.AsteriskToken,
  "/": K.SlashToken,
  "%": K.PercentToken,
  "<": K.LessThanToken,
  ">": K.GreaterThanToken,
  ">=": K.GreaterThanEqualsToken,
  "==": K.EqualsEqualsEqualsToken,
  "!=": K.ExclamationEqualsEqualsToken,
};

const ASSIGN: Record<string, ts.AssignmentOperatorToken["kind"]> = { "=": K.EqualsToken, "+=": K.PlusEqualsToken, "*=": K.AsteriskEqualsToken };

export const id = (name: string) => f.createIdentifier(name);

export function numberLiteral(value: number): ts.Expression {
  if (Number.isNaN(value)) return id("NaN");
  if (!Number.isFinite(value)) return value > 0 ? id("Infinity") : f.createPrefixUnaryExpression(K.MinusToken, id("Infinity"));
  // The shortest text that reads back as the same double, as JSON.stringify writes it.
  const literal = f.createNumericLiteral(String(Math.abs(value)));
  return value < 0 || Object.is(value, -0) ? f.createPrefixUnaryExpression(K.MinusToken, literal) : literal;
}

/** A name usable after a dot: an identifier, and not one of JavaScript's own properties. */
export const isPlainKey = (name: string) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== "__proto__";

/** obj.key, or obj["key"] for names that are not plain identifiers. */
export function member(object: ts.Expression, key: string): ts.Expression {
  return isPlainKey(key) ? f.createPropertyAccessExpression(object, key) : f.createElementAccessExpression(object, f.createStringLiteral(key));
}

/** A property name in an object literal or interface; `__proto__` is computed so it stays an own property. */
export function propertyName(key: string): ts.PropertyName {
  if (key === "__proto__") return f.createComputedPropertyName(f.createStringLiteral(key));
  return isPlainKey(key) ? id(key) : f.createStringLiteral(key);
}

function dotted(name: string): ts.Expression {
  const parts = name.split(".");
  return parts.slice(1).reduce<ts.Expression>((e, p) => f.createPropertyAccessExpression(e, p), id(parts[0]!));
}

export function expr(e: Expr, arrays: ArrayType = "Float64Array"): ts.Expression {
  const x = (inner: Expr) => expr(inner, arrays);
  switch (e.k) {
    case "num":
      return numberLiteral(e.value);
    case "ref":
      return id(e.name);
    case "load":
      // Every index is in bounds by construction; `!` says so to noUncheckedIndexedAccess.
      return f.createNonNullExpression(f.createElementAccessExpression(id(e.array), x(e.at)));
    case "neg":
      return f.createPrefixUnaryExpression(K.MinusToken, f.createParenthesizedExpression(x(e.a)));
    case "bin": {
      // (a / b) * c, as prettier writes a product beside a quotient.
      const mixed = MULTIPLICATIVE.has(e.op) && e.a.k === "bin" && MULTIPLICATIVE.has(e.a.op) && e.a.op !== e.op;
      // a * (b * c) keeps its parentheses: TypeScript's printer drops them (it takes * as associative),
      // and in floating point (a * b) * c is another number.
      const regrouped = e.op === "*" && e.b.k === "bin" && e.b.op === "*";
      return f.createBinaryExpression(mixed ? f.createParenthesizedExpression(x(e.a)) : x(e.a), BINARY[e.op]!, regrouped ? f.createParenthesizedExpression(x(e.b)) : x(e.b));
    }
    case "intrinsic":
      return INTRINSICS[e.fn](e.args.map(x));
    case "call":
      return f.createCallExpression(id(e.fn), undefined, e.args.map(x));
    case "cond": {
      // a ? (b ? c : d) : e, as prettier writes a conditional nested in the middle.
      const then = e.then.k === "cond" ? f.createParenthesizedExpression(x(e.then)) : x(e.then);
      return f.createConditionalExpression(x(e.test), f.createToken(K.QuestionToken), then, f.createToken(K.ColonToken), x(e.else));
    }
    case "cast":
      // A number is already an f64; ToInt32 is `| 0`; an i32's bits as unsigned, `>>> 0`.
      if (e.to === "i32") return bitwise(K.BarToken)([x(e.a), f.createNumericLiteral(0)]);
      return e.unsigned === true ? bitwise(K.GreaterThanGreaterThanGreaterThanToken)([x(e.a), f.createNumericLiteral(0)]) : x(e.a);
  }
}

function withComment<T extends ts.Node>(node: T, comment: string | undefined): T {
  if (comment === undefined) return node;
  return ts.addSyntheticLeadingComment(node, K.SingleLineCommentTrivia, ` ${comment}`, true);
}

export function declare(name: string, init: ts.Expression, mutable = false, type?: ts.TypeNode): ts.VariableStatement {
  return f.createVariableStatement(
    undefined,
    f.createVariableDeclarationList([f.createVariableDeclaration(name, undefined, type, init)], mutable ? ts.NodeFlags.Let : ts.NodeFlags.Const),
  );
}

export function stmt(s: Stmt, arrays: ArrayType): ts.Statement {
  switch (s.k) {
    case "decl":
      return withComment(declare(s.name, expr(s.init, arrays), s.mutable), s.comment);
    case "set":
      return f.createExpressionStatement(f.createBinaryExpression(id(s.name), ASSIGN[s.op]!, expr(s.value, arrays)));
    case "store": {
      // `a[i] += v` reads a[i] too, so under noUncheckedIndexedAccess it needs the same `!` as a load.
      const target = f.createElementAccessExpression(id(s.array), expr(s.at, arrays));
      const place = s.op === "=" ? target : f.createNonNullExpression(target);
      return withComment(f.createExpressionStatement(f.createBinaryExpression(place, ASSIGN[s.op]!, expr(s.value, arrays))), s.comment);
    }
    case "for": {
      const loop = f.createForStatement(
        f.createVariableDeclarationList([f.createVariableDeclaration(s.index, undefined, undefined, expr(s.from, arrays))], ts.NodeFlags.Let),
        f.createBinaryExpression(id(s.index), K.LessThanToken, expr(s.to, arrays)),
        s.step === undefined || s.step === 1
          ? f.createPostfixIncrement(id(s.index))
          : f.createBinaryExpression(id(s.index), K.PlusEqualsToken, numberLiteral(s.step)),
        f.createBlock(s.body.map((b) => stmt(b, arrays)), true),
      );
      return withComment(loop, s.comment);
    }
    case "comment":
      return withComment(f.createEmptyStatement(), s.text);
    case "if":
      return f.createIfStatement(expr(s.test, arrays), f.createBlock(s.body.map((b) => stmt(b, arrays)), true));
    case "alloc":
      return declare(s.name, f.createNewExpression(id(arrays), undefined, [expr(s.size, arrays)]));
    case "return":
      return f.createReturnStatement(expr(s.value, arrays));
    case "product":
      throw new Error("internal: a product reaches the TypeScript printer whole (scalarProducts gives its loops)");
  }
}
