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
import type { FnCode } from "../lower/fn.js";
import { scalarProducts, type Field, type Func, type Global, type GroupRole, type Helper, type Param, type Result } from "../ir/ir.js";
import { generator, RANDOM_STATE } from "../lower/init.js";
import type { ModelCode, Variable } from "../lower/model.js";
import { helpers } from "../lower/scalar-ops.js";
import { helpersNeeded } from "../lower/helpers.js";
import { reuseLocals } from "../lower/registers.js";
import type { LoweredModule } from "./target.js";
import { declare, expr, id, isPlainKey, member, numberLiteral, propertyName, stmt, type ArrayType } from "./ts-build.js";
import { namesRead, parameterName, withoutUnusedConstants } from "./unused.js";

const f = ts.factory;
const K = ts.SyntaxKind;

export interface ModuleInput extends Omit<LoweredModule, "precision"> {
  readonly arrays: ArrayType;
  /** Straight-line lists with more number locals than this reuse them (registers.ts). */
  readonly reuseLocalsAbove: number;
  /**
   * Each method's body when another engine runs the IR (the WebAssembly
   * target's calls into its module, given the export's name); where it gives
   * none, or is absent, the IR is rendered in place, with the helpers and
   * scratch arrays it needs.
   */
  readonly delegate?: (fn: Func, owner: string) => ts.Statement[] | undefined;
}

const numberType = () => f.createKeywordTypeNode(K.NumberKeyword);
const arrayType = (a: ArrayType) => f.createTypeReferenceNode(a);
const param = (name: string, type: ts.TypeNode) => f.createParameterDeclaration(undefined, undefined, name, undefined, type);
const pascal = (name: string) => name.replace(/(^|_)(\p{L})/gu, (_, __, c: string) => c.toUpperCase()).replace(/[^\p{L}\p{N}]/gu, "");

function helperFunction(h: Helper, a: ArrayType): ts.FunctionDeclaration {
  const body = "k" in h.body ? [f.createReturnStatement(expr(h.body))] : h.body.map((s) => stmt(s, a));
  return f.createFunctionDeclaration(undefined, undefined, h.name, undefined, h.params.map((p) => param(p, numberType())), numberType(), f.createBlock(body, true));
}

function globalDeclaration(g: Global): ts.Statement {
  return declare(g.name, numberLiteral(g.init), true);
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

/** How one export's groups are typed: by the name of a type the module declares, or in place. */
type GroupTypes = Partial<Record<GroupRole, string>>;

function groupType(role: GroupRole, fields: readonly Field[], named: GroupTypes, a: ArrayType): ts.TypeNode {
  const name = named[role];
  if (name !== undefined) return f.createTypeReferenceNode(name);
  return f.createTypeLiteralNode(fields.map((x) => f.createPropertySignature(undefined, propertyName(x.key), undefined, x.kind === "f64" ? numberType() : arrayType(a))));
}

function paramType(p: Param, named: GroupTypes, a: ArrayType): ts.TypeNode {
  if (p.k === "group") return groupType(p.role, p.fields, named, a);
  return p.k === "buffer" ? arrayType(a) : numberType();
}

function resultType(r: Result, named: GroupTypes, a: ArrayType): ts.TypeNode {
  switch (r.k) {
    case "none":
      return f.createKeywordTypeNode(K.VoidKeyword);
    case "scalar":
      return numberType();
    case "buffer":
      return arrayType(a);
    case "group":
      return groupType(r.role, r.fields, named, a);
  }
}

/**
 * A method from an IR function. A group it takes is an object: each field
 * the body reads is bound to its local first. A group it gives is the object
 * of its locals, returned last. A parameter never read is `_`-named. Adds the
 * names it reads to `reads`.
 */
function methodOf(fn: Func, named: GroupTypes, a: ArrayType, reads: Set<string>, reuseAbove: number, delegated: ts.Statement[] | undefined): ts.MethodDeclaration {
  if (delegated !== undefined) {
    const declared = fn.params.map((p) => param(p.name, paramType(p, named, a)));
    const method = f.createMethodDeclaration(undefined, undefined, fn.name, undefined, undefined, declared, resultType(fn.result, named, a), f.createBlock(delegated, true));
    return fn.doc === undefined ? method : ts.addSyntheticLeadingComment(method, K.MultiLineCommentTrivia, `* ${fn.doc} `, true);
  }
  const given = new Set(fn.result.k === "group" ? fn.result.fields.map((x) => x.local) : []);
  // TypeScript has no vector kernels: a product is its scalar loops.
  const body = reuseLocals(withoutUnusedConstants(scalarProducts(fn.body), given), reuseAbove, given);
  const read = namesRead(body);
  for (const r of [...read, ...given]) reads.add(r);
  const bindings = fn.params.flatMap((p) => (p.k === "group" ? p.fields.filter((x) => read.has(x.local)).map((x) => declare(x.local, member(id(p.name), x.key))) : []));
  const groupsRead = fn.params.filter((p) => p.k === "group" && p.fields.some((x) => read.has(x.local))).map((p) => p.name);
  const used = new Set([...read, ...groupsRead]);
  const declared = fn.params.map((p) => param(parameterName(p.name, used), paramType(p, named, a)));
  const returned =
    fn.result.k === "group" ? [f.createReturnStatement(f.createObjectLiteralExpression(fn.result.fields.map((x) => (x.key === x.local && isPlainKey(x.key) ? f.createShorthandPropertyAssignment(x.key) : f.createPropertyAssignment(propertyName(x.key), id(x.local)))), true))] : [];
  const method = f.createMethodDeclaration(undefined, undefined, fn.name, undefined, undefined, declared, resultType(fn.result, named, a), f.createBlock([...bindings, ...body.map((s) => stmt(s, a)), ...returned], true));
  return fn.doc === undefined ? method : ts.addSyntheticLeadingComment(method, K.MultiLineCommentTrivia, `* ${fn.doc} `, true);
}

function modelStatements(m: ModelCode, exportName: string, inputNames: readonly string[], hash: string | undefined, a: ArrayType, reuseAbove: number, delegate: ModuleInput["delegate"]): ts.Statement[] {
  const type = pascal(m.name);
  const P = `${type}Params`;
  const B = `${type}Batch`;
  const I = `${type}Inputs`;
  const O = `${type}Outputs`;
  const inputs = m.data.filter((d) => inputNames.includes(d.name));
  const reads = new Set<string>();
  const named: GroupTypes = { params: P, batch: B, inputs: I, outputs: O, gradients: P };
  const object = f.createObjectLiteralExpression(
    [
      f.createPropertyAssignment("shapes", shapesLiteral(m.params)),
      ...(hash === undefined ? [] : [f.createPropertyAssignment("hash", f.createStringLiteral(hash))]),
      ...m.functions.map((fn) => methodOf(fn, named, a, reads, reuseAbove, delegate?.(fn, exportName))),
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

function fnStatements(fn: FnCode, exportName: string, a: ArrayType, reuseAbove: number, delegate: ModuleInput["delegate"]): ts.Statement[] {
  const reads = new Set<string>();
  const object = f.createObjectLiteralExpression(
    fn.functions.map((x) => methodOf(x, {}, a, reads, reuseAbove, delegate?.(x, exportName))),
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
  // The helpers of the functions rendered in place (all of them, unless another engine runs some).
  const delegate = input.delegate;
  const inPlace = [...input.models.map((m) => [m.functions, input.exportName(m.name)] as const), ...input.fns.map((fn) => [fn.functions, input.exportName(fn.name)] as const)].flatMap(([fs, owner]) => fs.filter((fn) => delegate?.(fn, owner) === undefined));
  const needed = delegate === undefined ? [...generator.values(), ...helpers.values()].filter((h) => input.helpersUsed.has(h.name)) : helpersNeeded(inPlace.flatMap((fn) => fn.body));
  const statements: ts.Statement[] = [
    // The seeded generator, only where an initialiser draws random numbers.
    ...(needed.some((h) => h.name === "random") ? [globalDeclaration(RANDOM_STATE)] : []),
    ...needed.map((h) => helperFunction(h, a)),
    ...input.models.flatMap((m) => modelStatements(m, input.exportName(m.name), input.inputNames(m.name), input.hash(m.name), a, input.reuseLocalsAbove, input.delegate)),
    ...input.fns.flatMap((fn) => fnStatements(fn, input.exportName(fn.name), a, input.reuseLocalsAbove, input.delegate)),
  ];
  const header = `\n * Generated by nndc from ${input.source}. Do not edit: change the .nnd file and run \`nndc compile\` again.\n * Precision: ${a === "Float64Array" ? "f64" : "f32"}. Imports nothing.\n `;
  const first = statements[0];
  // Before the first statement's own doc comment, if it has one.
  if (first !== undefined) ts.setSyntheticLeadingComments(first, [{ kind: K.MultiLineCommentTrivia, text: header, hasTrailingNewLine: true, pos: -1, end: -1 }, ...(ts.getSyntheticLeadingComments(first) ?? [])]);
  return statements;
}
