// The generated module (DESIGN.md §4): a header, the helpers it needs, the
// scratch arrays, and per model an interface for its parameters, batch and
// outputs and an exported object with shapes, init, zeros, lossAndGrad and
// forward; per fn an object with value and grad. It imports nothing.

import ts from "typescript";
import type { Init } from "../check/checked.js";
import type { Shape } from "../diagnostics/shape.js";
import type { FnCode } from "../lower/fn.js";
import { bin, call, num, ref, type Expr, type Helper, type Stmt } from "../lower/ir.js";
import type { ModelCode, Variable } from "../lower/model.js";
import type { InputGradCode } from "../lower/input-grad.js";
import { helpers } from "../lower/scalar-ops.js";
import { declare, expr, id, numberLiteral, propertyName, stmt, type ArrayType } from "./ts-build.js";

const f = ts.factory;
const K = ts.SyntaxKind;

export interface ModuleInput {
  readonly source: string;
  readonly arrays: ArrayType;
  readonly models: readonly ModelCode[];
  readonly fns: readonly FnCode[];
  readonly helpersUsed: ReadonlySet<string>;
  /** Export name of each model and fn (safe identifiers). */
  readonly exportName: (name: string) => string;
}

const numberType = () => f.createKeywordTypeNode(K.NumberKeyword);
const arrayType = (a: ArrayType) => f.createTypeReferenceNode(a);
const typeOf = (shape: Shape, a: ArrayType) => (shape.length === 0 ? numberType() : arrayType(a));
const param = (name: string, type: ts.TypeNode) => f.createParameterDeclaration(undefined, undefined, name, undefined, type);
const block = (stmts: readonly Stmt[], a: ArrayType) => f.createBlock(stmts.map((s) => stmt(s, a)), true);
const pascal = (name: string) => name.replace(/(^|_)(\p{L})/gu, (_, __, c: string) => c.toUpperCase()).replace(/[^\p{L}\p{N}]/gu, "");

function helperFunction(h: Helper): ts.FunctionDeclaration {
  return f.createFunctionDeclaration(
    undefined,
    undefined,
    h.name,
    undefined,
    h.params.map((p) => param(p, numberType())),
    numberType(),
    f.createBlock([f.createReturnStatement(expr(h.body))], true),
  );
}

/** mulberry32: a small, fast, seeded generator of uniform numbers in [0, 1). */
function randomFunction(): ts.FunctionDeclaration {
  const s = id("s");
  const t = id("t");
  const or0 = (e: ts.Expression) => f.createBinaryExpression(e, K.BarToken, f.createNumericLiteral(0));
  const xorShift = (e: ts.Expression, by: number) =>
    f.createBinaryExpression(e, K.CaretToken, f.createParenthesizedExpression(f.createBinaryExpression(e, K.GreaterThanGreaterThanGreaterThanToken, f.createNumericLiteral(by))));
  const imul = (a: ts.Expression, b: ts.Expression) => f.createCallExpression(f.createPropertyAccessExpression(id("Math"), "imul"), undefined, [a, b]);
  const orWith = (k: number, e: ts.Expression) => f.createBinaryExpression(f.createNumericLiteral(k), K.BarToken, e);
  const body = f.createBlock(
    [
      f.createExpressionStatement(f.createBinaryExpression(s, K.EqualsToken, or0(f.createParenthesizedExpression(f.createBinaryExpression(s, K.PlusToken, f.createNumericLiteral("0x6d2b79f5")))))),
      declare("t", imul(xorShift(s, 15), orWith(1, s)), true),
      f.createExpressionStatement(
        f.createBinaryExpression(t, K.EqualsToken, f.createBinaryExpression(f.createParenthesizedExpression(f.createBinaryExpression(t, K.PlusToken, imul(xorShift(t, 7), orWith(61, t)))), K.CaretToken, t)),
      ),
      f.createReturnStatement(
        f.createBinaryExpression(
          f.createParenthesizedExpression(f.createBinaryExpression(f.createParenthesizedExpression(xorShift(t, 14)), K.GreaterThanGreaterThanGreaterThanToken, f.createNumericLiteral(0))),
          K.SlashToken,
          f.createNumericLiteral(4294967296),
        ),
      ),
    ],
    true,
  );
  const next = f.createArrowFunction(undefined, undefined, [], numberType(), f.createToken(K.EqualsGreaterThanToken), body);
  return f.createFunctionDeclaration(
    undefined,
    undefined,
    "random",
    undefined,
    [param("seed", numberType())],
    f.createFunctionTypeNode(undefined, [], numberType()),
    f.createBlock([declare("s", or0(id("seed")), true), f.createReturnStatement(next)], true),
  );
}

/** Box–Muller: a standard normal number from two uniform ones. */
const gaussianHelper: Helper = {
  name: "gaussian",
  params: [],
  body: bin("*", call("Math.sqrt", bin("*", num(-2), call("Math.log", bin("-", num(1), call("next"))))), call("Math.cos", bin("*", num(2 * Math.PI), call("next")))),
};

function gaussianFunction(): ts.FunctionDeclaration {
  return f.createFunctionDeclaration(
    undefined,
    undefined,
    "gaussian",
    undefined,
    [param("next", f.createFunctionTypeNode(undefined, [], numberType()))],
    numberType(),
    f.createBlock([f.createReturnStatement(expr(gaussianHelper.body))], true),
  );
}

/** The value of one entry of a parameter at initialisation. */
function initValue(init: Init, shape: Shape): Expr {
  const fanIn = shape.length === 2 ? shape[1]! : (shape[0] ?? 1);
  const fanOut = shape[0] ?? 1;
  const uniform = (lo: number, hi: number): Expr => bin("+", num(lo), bin("*", num(hi - lo), call("next")));
  const normal = (mean: number, std: number): Expr => bin("+", num(mean), bin("*", num(std), call("gaussian", ref("next"))));
  switch (init.scheme) {
    case "zeros":
      return num(0);
    case "ones":
      return num(1);
    case "const":
      return num(init.args[0]!);
    case "normal":
      return normal(init.args[0]!, init.args[1]!);
    case "uniform":
      return uniform(init.args[0]!, init.args[1]!);
    case "xavier": {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      return uniform(-limit, limit);
    }
    case "he":
      return normal(0, Math.sqrt(2 / fanIn));
  }
}

function shapesLiteral(params: readonly Variable[]): ts.Expression {
  return f.createAsExpression(
    f.createObjectLiteralExpression(
      params.map((p) => f.createPropertyAssignment(propertyName(p.name), f.createArrayLiteralExpression(p.shape.map((d) => numberLiteral(d))))),
      false,
    ),
    f.createTypeReferenceNode("const"),
  );
}

function interfaceOf(name: string, vars: readonly Variable[], type: (v: Variable) => ts.TypeNode, doc?: string): ts.InterfaceDeclaration {
  const decl = f.createInterfaceDeclaration(
    [f.createModifier(K.ExportKeyword)],
    name,
    undefined,
    undefined,
    vars.map((v) => f.createPropertySignature(undefined, propertyName(v.name), undefined, type(v))),
  );
  return doc === undefined ? decl : ts.addSyntheticLeadingComment(decl, K.MultiLineCommentTrivia, `* ${doc} `, true);
}

function method(name: string, params: ts.ParameterDeclaration[], returns: ts.TypeNode, body: ts.Block): ts.MethodDeclaration {
  return f.createMethodDeclaration(undefined, undefined, name, undefined, undefined, params, returns, body);
}

function modelStatements(m: ModelCode, exportName: string, a: ArrayType): ts.Statement[] {
  const type = pascal(m.name);
  const P = `${type}Params`;
  const B = `${type}Batch`;
  const O = `${type}Outputs`;
  const size = (shape: Shape) => shape.reduce((x, y) => x * y, 1);
  const init: Stmt[] = [
    { k: "decl", mutable: false, name: "next", init: call("random", ref("seed")) },
    ...m.params.flatMap((p): Stmt[] => [
      { k: "alloc", name: p.ident, size: num(size(p.shape)) },
      // New arrays are zeros already.
      ...(p.init.scheme === "zeros"
        ? []
        : [{ k: "for", index: "k", from: num(0), to: num(size(p.shape)), body: [{ k: "store", array: p.ident, at: ref("k"), op: "=", value: initValue(p.init, p.shape) }] } as const]),
    ]),
    { k: "returnObject", entries: m.params.map((p) => [p.name, ref(p.ident)] as const) },
  ];
  const zeros: Stmt[] = [
    { k: "returnObject", entries: m.params.map((p) => [p.name, { k: "newArray", size: num(size(p.shape)) }] as const) },
  ];
  const object = f.createObjectLiteralExpression(
    [
      f.createPropertyAssignment("shapes", shapesLiteral(m.params)),
      method("init", [param("seed", numberType())], f.createTypeReferenceNode(P), block(init, a)),
      method("zeros", [], f.createTypeReferenceNode(P), block(zeros, a)),
      method(
        "lossAndGrad",
        [param("params", f.createTypeReferenceNode(P)), param("batch", f.createTypeReferenceNode(B)), param("n", numberType()), param("grads", f.createTypeReferenceNode(P))],
        numberType(),
        block(m.lossAndGrad, a),
      ),
      method("forward", [param("params", f.createTypeReferenceNode(P)), param("batch", f.createTypeReferenceNode(B)), param("n", numberType())], f.createTypeReferenceNode(O), block(m.forward, a)),
      ...(m.hessian === undefined
        ? []
        : [
            ts.addSyntheticLeadingComment(
              method(
                "hessian",
                [param("params", f.createTypeReferenceNode(P)), param("batch", f.createTypeReferenceNode(B)), param("n", numberType()), param("out", arrayType(a))],
                f.createKeywordTypeNode(K.VoidKeyword),
                block(m.hessian, a),
              ),
              K.MultiLineCommentTrivia,
              `* The mean Hessian of the loss over all ${m.params.reduce((s, p) => s + size(p.shape), 0)} parameter entries (in the order of shapes, row-major), for Newton's method. `,
              true,
            ),
          ]),
      ...(m.inputGrad === undefined ? [] : [inputGradMethod(m.inputGrad, P, B, a)]),
    ],
    true,
  );
  const exported = f.createVariableStatement([f.createModifier(K.ExportKeyword)], f.createVariableDeclarationList([f.createVariableDeclaration(exportName, undefined, undefined, object)], ts.NodeFlags.Const));
  return [
    interfaceOf(P, m.params, () => arrayType(a), `Parameters of model ${m.name}, row-major; a scalar is an array of length 1.`),
    interfaceOf(B, m.data, () => arrayType(a), `A minibatch: the examples' ${m.data.map((d) => d.name).join(", ")}, one example after another.`),
    interfaceOf(O, m.outputs, () => arrayType(a), `The outputs of forward, one example after another.`),
    ...m.buffers.map((b) => declare(b.name, f.createNewExpression(id(a), undefined, [numberLiteral(b.size)]))),
    ts.addSyntheticLeadingComment(exported, K.MultiLineCommentTrivia, `* Model ${m.name}: ${m.stats.forwardFlops} flops forward, ${m.stats.backwardFlops} backward, per example. `, true),
  ];
}

/** inputGrad(params, batch, n, out): void, out typed in place (`{ x: Float64Array }`) so that no interface is added for it. */
function inputGradMethod(code: InputGradCode, P: string, B: string, a: ArrayType): ts.MethodDeclaration {
  const out = f.createTypeLiteralNode(code.inputs.map((v) => f.createPropertySignature(undefined, propertyName(v.name), undefined, arrayType(a))));
  const m = method(
    "inputGrad",
    [param("params", f.createTypeReferenceNode(P)), param("batch", f.createTypeReferenceNode(B)), param("n", numberType()), param("out", out)],
    f.createKeywordTypeNode(K.VoidKeyword),
    block(code.body, a),
  );
  return ts.addSyntheticLeadingComment(m, K.MultiLineCommentTrivia, `* For each of the n examples, the gradient of its loss with respect to ${code.inputs.map((v) => v.name).join(", ")}, written into out, one example after another. `, true);
}

function fnStatements(fn: FnCode, exportName: string, a: ArrayType): ts.Statement[] {
  const params = fn.args.map((v) => param(v.ident, typeOf(v.shape, a)));
  const gradType = f.createTypeLiteralNode(fn.grad.entries.map((e) => f.createPropertySignature(undefined, propertyName(e.name), undefined, typeOf(e.shape, a))));
  const object = f.createObjectLiteralExpression(
    [
      method("value", params, typeOf(fn.value.shape, a), block(fn.value.body, a)),
      method("grad", params, gradType, block(fn.grad.body, a)),
      ...(fn.hessian === undefined
        ? []
        : [
            ts.addSyntheticLeadingComment(
              method("hessian", params, arrayType(a), block(fn.hessian.body, a)),
              K.MultiLineCommentTrivia,
              `* The Hessian over all ${fn.hessian.size} argument entries (in the order of the arguments, row-major), ${fn.hessian.size} × ${fn.hessian.size}, row-major. `,
              true,
            ),
          ]),
    ],
    true,
  );
  const exported = f.createVariableStatement([f.createModifier(K.ExportKeyword)], f.createVariableDeclarationList([f.createVariableDeclaration(exportName, undefined, undefined, object)], ts.NodeFlags.Const));
  return [
    ...fn.buffers.map((b) => declare(b.name, f.createNewExpression(id(a), undefined, [numberLiteral(b.size)]))),
    ts.addSyntheticLeadingComment(exported, K.MultiLineCommentTrivia, `* fn ${fn.name}(${fn.args.map((x) => x.name).join(", ")}): its value and its derivatives. `, true),
  ];
}

export function moduleStatements(input: ModuleInput): ts.Statement[] {
  const a = input.arrays;
  const helperDecls = Object.values(helpers)
    .filter((h) => input.helpersUsed.has(h.name))
    .map(helperFunction);
  const needsInit = input.models.length > 0;
  const statements: ts.Statement[] = [
    ...(needsInit ? [randomFunction(), gaussianFunction()] : []),
    ...helperDecls,
    ...input.models.flatMap((m) => modelStatements(m, input.exportName(m.name), a)),
    ...input.fns.flatMap((fn) => fnStatements(fn, input.exportName(fn.name), a)),
  ];
  const header = `\n * Generated by nndc from ${input.source}. Do not edit: change the .nnd file and run \`nndc compile\` again.\n * Precision: ${a === "Float64Array" ? "f64" : "f32"}. Imports nothing.\n `;
  if (statements.length > 0) ts.addSyntheticLeadingComment(statements[0]!, K.MultiLineCommentTrivia, header, true);
  return statements;
}
