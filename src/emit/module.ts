// The generated module (docs/module.md): a header, the helpers it needs, the scratch arrays,
// and per model a type for its parameters, batch, inputs and outputs and an
// exported object with shapes, hash, init, zeros, lossAndGrad and forward; per
// fn an object with value and grad. It imports nothing.
//
// The types are type aliases of object types, not interfaces: an object type
// is assignable to the runtime's `Record<string, Tensor>` (an interface, having
// no index signature, is not), so `train(xor, xor.init(1), ...)` and
// `globalNorm(grads)` type-check in a user's strict project with no generics
// or casts, and a user's own optimizer, written against `Params`, works with
// every model. The code must also pass the strictest options a project may
// set (noUncheckedIndexedAccess, noUnusedLocals, noUnusedParameters, ...):
// loads carry `!`, and what is never read is left out or `_`-named.

import ts from "typescript";
import type { Init } from "../check/checked.js";
import type { Shape } from "../tensor/shape.js";
import type { FnCode } from "../lower/fn.js";
import { bin, call, intrinsic, num, ref, type Expr, type Helper, type Stmt } from "../ir/ir.js";
import type { ModelCode, Variable } from "../lower/model.js";
import type { InputGradCode } from "../lower/input-grad.js";
import { helpers } from "../lower/scalar-ops.js";
import { reuseLocals } from "../lower/registers.js";
import { declare, expr, id, numberLiteral, propertyName, stmt, type ArrayType } from "./ts-build.js";
import { namesRead, parameterName, withoutUnusedConstants } from "./unused.js";

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
  /** The names of each model's inputs, which forward takes (its batch has no targets). */
  readonly inputNames: (model: string) => readonly string[];
  /** Each model's hash, as its weights files hold it; a module compiled without the source text has none. */
  readonly hash: (model: string) => string | undefined;
}

const numberType = () => f.createKeywordTypeNode(K.NumberKeyword);
const arrayType = (a: ArrayType) => f.createTypeReferenceNode(a);
const typeOf = (shape: Shape, a: ArrayType) => (shape.length === 0 ? numberType() : arrayType(a));
const param = (name: string, type: ts.TypeNode) => f.createParameterDeclaration(undefined, undefined, name, undefined, type);
const pascal = (name: string) => name.replace(/(^|_)(\p{L})/gu, (_, __, c: string) => c.toUpperCase()).replace(/[^\p{L}\p{N}]/gu, "");

function helperFunction(h: Helper): ts.FunctionDeclaration {
  return f.createFunctionDeclaration(
    undefined,
    undefined,
    h.name,
    undefined,
    h.params.map((p) => param(p, numberType())),
    numberType(),
    f.createBlock("k" in h.body ? [f.createReturnStatement(expr(h.body))] : h.body.map((s) => stmt(s, "Float64Array")), true),
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
const gaussianHelper = {
  name: "gaussian",
  params: [],
  body: bin("*", intrinsic("sqrt", bin("*", num(-2), intrinsic("log", bin("-", num(1), call("next"))))), intrinsic("cos", bin("*", num(2 * Math.PI), call("next")))),
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

function typeOfFields(name: string, vars: readonly Variable[], type: (v: Variable) => ts.TypeNode, doc: string): ts.TypeAliasDeclaration {
  const decl = f.createTypeAliasDeclaration(
    [f.createModifier(K.ExportKeyword)],
    name,
    undefined,
    f.createTypeLiteralNode(vars.map((v) => f.createPropertySignature(undefined, propertyName(v.name), undefined, type(v)))),
  );
  return ts.addSyntheticLeadingComment(decl, K.MultiLineCommentTrivia, `* ${doc} `, true);
}

/** A method from loop IR; a parameter the body never reads is `_`-named. Adds the names it reads to `reads`. */
function methodOf(name: string, params: readonly (readonly [string, ts.TypeNode])[], returns: ts.TypeNode, stmts: readonly Stmt[], a: ArrayType, reads: Set<string>): ts.MethodDeclaration {
  const body = reuseLocals(withoutUnusedConstants(stmts));
  const read = namesRead(body);
  for (const r of read) reads.add(r);
  const declared = params.map(([p, type]) => param(parameterName(p, read), type));
  return f.createMethodDeclaration(undefined, undefined, name, undefined, undefined, declared, returns, f.createBlock(body.map((s) => stmt(s, a)), true));
}

function modelStatements(m: ModelCode, exportName: string, inputNames: readonly string[], hash: string | undefined, a: ArrayType): ts.Statement[] {
  const type = pascal(m.name);
  const P = `${type}Params`;
  const B = `${type}Batch`;
  const I = `${type}Inputs`;
  const O = `${type}Outputs`;
  const typeRef = (name: string) => f.createTypeReferenceNode(name);
  const size = (shape: Shape) => shape.reduce((x, y) => x * y, 1);
  const inputs = m.data.filter((d) => inputNames.includes(d.name));
  const reads = new Set<string>();
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
      ...(hash === undefined ? [] : [f.createPropertyAssignment("hash", f.createStringLiteral(hash))]),
      methodOf("init", [["seed", numberType()]], typeRef(P), init, a, reads),
      methodOf("zeros", [], typeRef(P), zeros, a, reads),
      methodOf("lossAndGrad", [["params", typeRef(P)], ["batch", typeRef(B)], ["n", numberType()], ["grads", typeRef(P)]], numberType(), m.lossAndGrad, a, reads),
      methodOf("forward", [["params", typeRef(P)], ["batch", typeRef(I)], ["n", numberType()]], typeRef(O), m.forward, a, reads),
      ...(m.hessian === undefined
        ? []
        : [
            ts.addSyntheticLeadingComment(
              methodOf(
                "hessian",
                [["params", f.createTypeReferenceNode(P)], ["batch", f.createTypeReferenceNode(B)], ["n", numberType()], ["out", arrayType(a)]],
                f.createKeywordTypeNode(K.VoidKeyword),
                m.hessian,
                a,
                reads,
              ),
              K.MultiLineCommentTrivia,
              `* The mean Hessian of the loss over all ${m.params.reduce((s, p) => s + size(p.shape), 0)} parameter entries (in the order of shapes, row-major), for Newton's method. `,
              true,
            ),
          ]),
      ...(m.inputGrad === undefined ? [] : [inputGradMethod(m.inputGrad, P, B, a, reads)]),
    ],
    true,
  );
  const exported = f.createVariableStatement([f.createModifier(K.ExportKeyword)], f.createVariableDeclarationList([f.createVariableDeclaration(exportName, undefined, undefined, object)], ts.NodeFlags.Const));
  return [
    typeOfFields(P, m.params, () => arrayType(a), `Parameters of model ${m.name}, row-major; a scalar is an array of length 1.`),
    typeOfFields(B, m.data, () => arrayType(a), `A minibatch: the examples' ${m.data.map((d) => d.name).join(", ")}, one example after another.`),
    typeOfFields(I, inputs, () => arrayType(a), `What forward reads: the examples' ${inputs.length === 0 ? "(no inputs)" : inputs.map((d) => d.name).join(", ")}, one example after another.`),
    typeOfFields(O, m.outputs, () => arrayType(a), `The outputs of forward, one example after another.`),
    // A scratch array whose only reader was left out goes too.
    ...m.buffers.filter((b) => reads.has(b.name)).map((b) => declare(b.name, f.createNewExpression(id(a), undefined, [numberLiteral(b.size)]))),
    ts.addSyntheticLeadingComment(exported, K.MultiLineCommentTrivia, `* Model ${m.name}: ${m.stats.forwardFlops} flops forward, ${m.stats.backwardFlops} backward, per example. `, true),
  ];
}

/** inputGrad(params, batch, n, out): void, out typed in place (`{ x: Float64Array }`) so that no interface is added for it. */
function inputGradMethod(code: InputGradCode, P: string, B: string, a: ArrayType, reads: Set<string>): ts.MethodDeclaration {
  const out = f.createTypeLiteralNode(code.inputs.map((v) => f.createPropertySignature(undefined, propertyName(v.name), undefined, arrayType(a))));
  const m = methodOf(
    "inputGrad",
    [["params", f.createTypeReferenceNode(P)], ["batch", f.createTypeReferenceNode(B)], ["n", numberType()], ["out", out]],
    f.createKeywordTypeNode(K.VoidKeyword),
    code.body,
    a,
    reads,
  );
  return ts.addSyntheticLeadingComment(m, K.MultiLineCommentTrivia, `* For each of the n examples, the gradient of its loss with respect to ${code.inputs.map((v) => v.name).join(", ")}, written into out, one example after another. `, true);
}

function fnStatements(fn: FnCode, exportName: string, a: ArrayType): ts.Statement[] {
  const params = fn.args.map((v) => [v.ident, typeOf(v.shape, a)] as const);
  const reads = new Set<string>();
  const gradType = f.createTypeLiteralNode(fn.grad.entries.map((e) => f.createPropertySignature(undefined, propertyName(e.name), undefined, typeOf(e.shape, a))));
  const object = f.createObjectLiteralExpression(
    [
      methodOf("value", params, typeOf(fn.value.shape, a), fn.value.body, a, reads),
      methodOf("grad", params, gradType, fn.grad.body, a, reads),
      ...(fn.hessian === undefined
        ? []
        : [
            ts.addSyntheticLeadingComment(
              methodOf("hessian", params, arrayType(a), fn.hessian.body, a, reads),
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
    ...fn.buffers.filter((b) => reads.has(b.name)).map((b) => declare(b.name, f.createNewExpression(id(a), undefined, [numberLiteral(b.size)]))),
    ts.addSyntheticLeadingComment(exported, K.MultiLineCommentTrivia, `* fn ${fn.name}(${fn.args.map((x) => x.name).join(", ")}): its value and its derivatives. `, true),
  ];
}

export function moduleStatements(input: ModuleInput): ts.Statement[] {
  const a = input.arrays;
  const helperDecls = [...helpers.values()]
    .filter((h) => input.helpersUsed.has(h.name))
    .map(helperFunction);
  const modelDecls = input.models.flatMap((m) => modelStatements(m, input.exportName(m.name), input.inputNames(m.name), input.hash(m.name), a));
  // The seeded generators, only where an initialiser draws random numbers.
  const initCode = input.models.flatMap((m) => m.params.map((p) => initValue(p.init, p.shape)));
  const drawn = namesRead(initCode.map((init) => ({ k: "return", value: init })));
  const statements: ts.Statement[] = [
    ...(drawn.has("next") ? [randomFunction()] : []),
    ...(drawn.has("gaussian") ? [gaussianFunction()] : []),
    ...helperDecls,
    ...modelDecls,
    ...input.fns.flatMap((fn) => fnStatements(fn, input.exportName(fn.name), a)),
  ];
  const header = `\n * Generated by nndc from ${input.source}. Do not edit: change the .nnd file and run \`nndc compile\` again.\n * Precision: ${a === "Float64Array" ? "f64" : "f32"}. Imports nothing.\n `;
  const first = statements[0];
  // Before the first statement's own doc comment, if it has one.
  if (first !== undefined) ts.setSyntheticLeadingComments(first, [{ kind: K.MultiLineCommentTrivia, text: header, hasTrailingNewLine: true, pos: -1, end: -1 }, ...(ts.getSyntheticLeadingComments(first) ?? [])]);
  return statements;
}
