// The generated module's text, laid out without a formatter. The TypeScript
// printer already puts every statement, object property and block on a line
// of its own; prettier, which ran on its output, took most of the compile
// time (888 ms of XOR's 1.3 s, growing with the code) and changed only this:
//
//   indentation        two spaces a level, not four;
//   a comment line     the empty statement that carries it prints no `;`;
//   −(x)               no parentheses around a negated name, number, access or call;
//   { a: 1, b: 2, }    a trailing comma after the last property of an object on many lines;
//   m - (m % 2)        % beside another arithmetic operator in parentheses, to be read at a glance.
//
// What prettier did besides (a line longer than 100 columns wrapped; there
// are few: a comment, a signature) the module does without.

import ts from "typescript";

const f = ts.factory;
const K = ts.SyntaxKind;

/** The module's text: each statement printed, tidied and indented by two spaces a level. */
export function printModule(statements: readonly ts.Statement[]): string {
  const tidied = ts.transform([...statements], [tidy]).transformed;
  const file = f.createSourceFile(tidied, f.createToken(K.EndOfFileToken), ts.NodeFlags.None);
  const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
  return tidied.map((s) => `${halveIndentation(printer.printNode(ts.EmitHint.Unspecified, s, file))}\n`).join("");
}

/** The printer indents by four spaces a level. */
function halveIndentation(text: string): string {
  return text
    .split("\n")
    .map((line) => line.slice(/^(?: {4})*/.exec(line)![0].length / 2))
    .join("\n");
}

/** Operands that bind at least as tightly as a prefix minus needs. */
const TIGHT = new Set([K.Identifier, K.NumericLiteral, K.ElementAccessExpression, K.NonNullExpression, K.PropertyAccessExpression, K.CallExpression]);

const ARITHMETIC = new Set([K.PlusToken, K.MinusToken, K.AsteriskToken, K.SlashToken, K.PercentToken]);
const isRemainder = (e: ts.Expression): boolean => ts.isBinaryExpression(e) && e.operatorToken.kind === K.PercentToken;

/** Set by the factory's `multiLine` argument; the printer reads it from the node. */
const isMultiLine = (o: ts.ObjectLiteralExpression): boolean => (o as unknown as { multiLine?: boolean }).multiLine === true;

function tidy(context: ts.TransformationContext): (node: ts.Statement) => ts.Statement {
  const visit = (node: ts.Node): ts.Node => {
    if (ts.isEmptyStatement(node)) {
      const comments = ts.getSyntheticLeadingComments(node);
      if (comments === undefined) return node;
      // A statement that prints nothing but its comments.
      return ts.setSyntheticLeadingComments(f.createNotEmittedStatement(node), comments);
    }
    const inner = ts.visitEachChild(node, visit, context);
    if (ts.isObjectLiteralExpression(inner) && inner.properties.length > 0 && isMultiLine(inner)) {
      return f.updateObjectLiteralExpression(inner, f.createNodeArray(inner.properties, true));
    }
    if (ts.isBinaryExpression(inner) && ARITHMETIC.has(inner.operatorToken.kind)) {
      const clarified = (e: ts.Expression) => (isRemainder(e) !== (inner.operatorToken.kind === K.PercentToken) && ts.isBinaryExpression(e) && ARITHMETIC.has(e.operatorToken.kind) ? f.createParenthesizedExpression(e) : e);
      const [left, right] = [clarified(inner.left), clarified(inner.right)];
      if (left !== inner.left || right !== inner.right) return f.updateBinaryExpression(inner, left, inner.operatorToken, right);
    }
    if (ts.isPrefixUnaryExpression(inner) && ts.isParenthesizedExpression(inner.operand) && TIGHT.has(inner.operand.expression.kind)) {
      return f.updatePrefixUnaryExpression(inner, inner.operand.expression);
    }
    return inner;
  };
  return (node) => visit(node) as ts.Statement;
}
