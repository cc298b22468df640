// The syntax tree of a .nnd file. Every node has a Span. Names are plain
// strings here; resolution (src/check) keeps its tables in Maps, never in
// objects keyed by user names, so `constructor` or `__proto__` are just names.

import type { Span } from "../diagnostics/source.js";

export interface Ident {
  readonly name: string;
  readonly span: Span;
}

export type BinaryOp = "+" | "-" | "*" | "/" | "@" | "^";

export type Expr = NumberLit | NameRef | Unary | Binary | Call | Index | ArrayLit;

export interface NumberLit {
  readonly kind: "number";
  readonly value: number;
  /** As written, so `fmt` keeps `1e-4` rather than printing `0.0001`. */
  readonly text: string;
  readonly span: Span;
}

export interface NameRef {
  readonly kind: "name";
  readonly name: string;
  readonly span: Span;
}

export interface Unary {
  readonly kind: "neg";
  readonly operand: Expr;
  readonly span: Span;
}

export interface Binary {
  readonly kind: "binary";
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
  readonly span: Span;
  /**
   * Set where the parser grouped a long flat chain (`a + b + ... + z`) as a
   * balanced tree, so later stages need no deep recursion: the right side was
   * written without brackets, and is printed so.
   */
  readonly regrouped?: true;
}

export interface Call {
  readonly kind: "call";
  readonly callee: Ident;
  readonly args: readonly Expr[];
  readonly span: Span;
}

export interface Index {
  readonly kind: "index";
  readonly target: Expr;
  readonly indices: readonly IntLit[];
  readonly span: Span;
}

export interface ArrayLit {
  readonly kind: "array";
  readonly elements: readonly Expr[];
  readonly span: Span;
}

export interface IntLit {
  readonly value: number;
  readonly text: string;
  readonly span: Span;
}

/** One axis of a declared shape: a literal size or the name of a `dim`. */
export type Size = { readonly kind: "int"; readonly lit: IntLit } | { readonly kind: "dim"; readonly ref: Ident };

export interface ShapeAst {
  readonly sizes: readonly Size[];
  readonly span: Span;
}

export interface DimDecl {
  readonly kind: "dim";
  readonly name: Ident;
  readonly value: IntLit;
  readonly span: Span;
}

export interface FnArg {
  readonly name: Ident;
  /** Absent: a scalar. */
  readonly shape: ShapeAst | undefined;
  readonly span: Span;
}

export interface FnDecl {
  readonly kind: "fn";
  readonly name: Ident;
  readonly args: readonly FnArg[];
  readonly body: Expr;
  readonly span: Span;
}

export interface ModelDecl {
  readonly kind: "model";
  readonly name: Ident;
  readonly items: readonly ModelItem[];
  /** The `{ ... }` part, for placing comments. */
  readonly bodySpan: Span;
  readonly span: Span;
}

export type TopDecl = DimDecl | FnDecl | ModelDecl;

export interface DataDecl {
  readonly kind: "input" | "target";
  readonly name: Ident;
  /** For `target y: class[n]`, the shape [n]. */
  readonly shape: ShapeAst;
  /** `target y: class[n]`: each example's target is one-hot, a class label (docs/language.md, Class targets). */
  readonly classes?: true;
  readonly span: Span;
}

export interface InitAst {
  readonly name: Ident;
  /** Absent for `~ zeros`; present (maybe empty) for `~ normal(0, 1)`. */
  readonly args: readonly Expr[] | undefined;
  readonly span: Span;
}

export interface ParamDecl {
  readonly kind: "param";
  readonly name: Ident;
  readonly shape: ShapeAst;
  readonly init: InitAst | undefined;
  readonly span: Span;
}

export interface OutputDecl {
  readonly kind: "output";
  readonly name: Ident;
  readonly span: Span;
}

export interface LossDecl {
  readonly kind: "loss";
  readonly expr: Expr;
  readonly span: Span;
}

export interface Binding {
  readonly kind: "let";
  readonly name: Ident;
  readonly expr: Expr;
  readonly span: Span;
}

export type ModelItem = DataDecl | ParamDecl | OutputDecl | LossDecl | Binding;

export interface Comment {
  /** The text from `#` to the end of the line, trailing spaces removed. */
  readonly text: string;
  readonly span: Span;
}

export interface Program {
  readonly file: string;
  readonly decls: readonly TopDecl[];
  readonly comments: readonly Comment[];
}
