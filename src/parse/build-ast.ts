// Semantic actions: one per grammar rule, turning Ohm's parse tree into the
// AST of ast.ts. Nothing here knows about shapes or names; that is src/check.

import type { IterationNode, Node, NonterminalNode } from "ohm-js";
import grammar from "../../grammar/nnd.ohm-bundle.js";
import type * as A from "./ast.js";
import { foldChain, type Operand } from "./precedence.js";
import type { SourceFile, Span } from "../diagnostics/source.js";
import { error, type Diagnostic } from "../diagnostics/diagnostic.js";

export { grammar };

/** Where the text being matched sits in its file (declarations are matched one by one). */
interface Context {
  source: SourceFile;
  offset: number;
  diagnostics: Diagnostic[];
}
let context: Context | undefined;

export function buildAst<T>(
  match: Parameters<typeof semantics>[0],
  source: SourceFile,
  offset: number,
  diagnostics: Diagnostic[],
): T {
  context = { source, offset, diagnostics };
  try {
    return semantics(match).ast() as T;
  } finally {
    context = undefined;
  }
}

function span(node: Node): Span {
  const { source, offset } = context!;
  return source.span(node.source.startIdx + offset, node.source.endIdx + offset);
}

const ast = (node: Node): unknown => node["ast"]();
const expr = (node: Node) => ast(node) as A.Expr;
const ident = (node: Node) => ast(node) as A.Ident;
const optional = (node: IterationNode): Node | undefined => node.children[0];
const listOf = (node: Node): Node[] => node.asIteration().children;

/**
 * `(Exp ("," Exp)*)?` as a list. Ohm hands over one iteration node per
 * element of the optional group; the `*` inside it nests one level deeper.
 */
function elements(first: IterationNode, rest: IterationNode): A.Expr[] {
  const head = first.children[0];
  return head === undefined ? [] : [expr(head), ...rest.children[0]!.children.map(expr)];
}

function intLit(node: Node): A.IntLit {
  return { value: Number(node.sourceString), text: node.sourceString, span: span(node) };
}

const semantics = grammar.createSemantics().addOperation<unknown>("ast", {
  Program(decls): A.TopDecl[] {
    return decls.children.map((d) => ast(d) as A.TopDecl);
  },
  DimDecl(_kw, name, _eq, value): A.DimDecl {
    return { kind: "dim", name: ident(name), value: intLit(value), span: span(this) };
  },
  FnDecl(_kw, name, _open, args, _close, _eq, body): A.FnDecl {
    return {
      kind: "fn",
      name: ident(name),
      args: listOf(args).map((a) => ast(a) as A.FnArg),
      body: expr(body),
      span: span(this),
    };
  },
  Arg(name, _colon, shape): A.FnArg {
    const s = optional(shape);
    return { name: ident(name), shape: s && (ast(s) as A.ShapeAst), span: span(this) };
  },
  ModelDecl(_kw, name, open, items, close): A.ModelDecl {
    const { source, offset } = context!;
    return {
      kind: "model",
      name: ident(name),
      items: items.children.map((i) => ast(i) as A.ModelItem),
      bodySpan: source.span(open.source.startIdx + offset, close.source.endIdx + offset),
      span: span(this),
    };
  },
  InputDecl(_kw, name, _colon, shape): A.DataDecl {
    return { kind: "input", name: ident(name), shape: ast(shape) as A.ShapeAst, span: span(this) };
  },
  TargetDecl(_kw, name, _colon, shape): A.DataDecl {
    const classes = shape.ctorName === "ClassShape" || shape.children[0]?.ctorName === "ClassShape";
    return { kind: "target", name: ident(name), shape: ast(shape) as A.ShapeAst, ...(classes ? { classes: true as const } : {}), span: span(this) };
  },
  ClassShape(_kw, _open, size, _close): A.ShapeAst {
    return { sizes: [ast(size) as A.Size], span: span(this) };
  },
  ParamDecl(_kw, name, _colon, shape, init): A.ParamDecl {
    const i = optional(init);
    return {
      kind: "param",
      name: ident(name),
      shape: ast(shape) as A.ShapeAst,
      init: i && (ast(i) as A.InitAst),
      span: span(this),
    };
  },
  Init(_tilde, name, args): A.InitAst {
    const a = optional(args);
    return { name: ident(name), args: a && (ast(a) as A.Expr[]), span: span(this) };
  },
  InitArgs(_open, args, _close): A.Expr[] {
    return listOf(args).map(expr);
  },
  OutputDecl(_kw, name): A.OutputDecl {
    return { kind: "output", name: ident(name), span: span(this) };
  },
  LossDecl(_kw, _eq, value): A.LossDecl {
    return { kind: "loss", expr: expr(value), span: span(this) };
  },
  Binding(name, _eq, value): A.Binding {
    return { kind: "let", name: ident(name), expr: expr(value), span: span(this) };
  },
  Shape(_open, sizes, _close): A.ShapeAst {
    return { sizes: listOf(sizes).map((s) => ast(s) as A.Size), span: span(this) };
  },
  Size(size: NonterminalNode): A.Size {
    return size.ctorName === "intLit" ? { kind: "int", lit: intLit(size) } : { kind: "dim", ref: ident(size) };
  },
  Exp(first, ops, rest): A.Expr {
    const operands = [first, ...rest.children].map((o) => ast(o) as Operand);
    return foldChain(
      operands,
      ops.children.map((o) => o.sourceString as A.BinaryOp),
    );
  },
  Operand(signs, primary, indexes): Operand {
    let value = expr(primary);
    for (const index of indexes.children) {
      const indices = ast(index) as A.IntLit[];
      value = { kind: "index", target: value, indices, span: { ...value.span, end: span(index).end } };
    }
    return { negations: signs.children.map(span), expr: value };
  },
  Index(_open, indices, _close): A.IntLit[] {
    return listOf(indices).map(intLit);
  },
  Primary_call(name, _open, first, _commas, rest, _close): A.Call {
    return { kind: "call", callee: ident(name), args: elements(first, rest), span: span(this) };
  },
  Primary_array(_open, first, _commas, rest, _close): A.ArrayLit {
    return { kind: "array", elements: elements(first, rest), span: span(this) };
  },
  Primary_paren(_open, inner, _close): A.Expr {
    // No node of its own: grouping is in the tree's shape. The span grows to
    // cover the parentheses, so a caret under `(w - x)^2` starts at `(`.
    return { ...expr(inner), span: span(this) };
  },
  Primary_name(name): A.NameRef {
    const id = ident(name);
    return { kind: "name", name: id.name, span: id.span };
  },
  ident(_first, _rest): A.Ident {
    return { name: this.sourceString, span: span(this) };
  },
  number(_mantissa, _exponent): A.Expr {
    const s = span(this);
    const text = this.sourceString;
    const value = Number(text);
    if (!Number.isFinite(value)) context!.diagnostics.push(error("NND1003", s, text));
    return { kind: "number", value, text, span: s };
  },
});
