// What the checker hands to the next stages: the AST plus side tables that
// say what every name refers to and what shape every expression has.

import type * as A from "../parse/ast.js";
import type { Shape } from "../tensor/shape.js";
import type { Builtin } from "./builtins.js";
import type { InitName } from "./inits.js";

export type ValueSymbol =
  | { readonly kind: "dim"; readonly decl: A.DimDecl; readonly value: number }
  | { readonly kind: "constant"; readonly name: string; readonly value: number }
  | { readonly kind: "arg"; readonly decl: A.FnArg; readonly index: number; readonly shape: Shape }
  | { readonly kind: "input" | "target"; readonly decl: A.DataDecl; readonly shape: Shape }
  | { readonly kind: "param"; readonly decl: A.ParamDecl; readonly shape: Shape; readonly init: Init }
  | { readonly kind: "binding"; readonly decl: A.Binding; readonly shape: Shape | undefined };

export type ArgSymbol = Extract<ValueSymbol, { kind: "arg" }>;

export interface Init {
  readonly scheme: InitName;
  readonly args: readonly number[];
}

export type Callee = { readonly kind: "builtin"; readonly builtin: Builtin } | { readonly kind: "fn"; readonly fn: CheckedFn };

export interface CheckedFn {
  readonly decl: A.FnDecl;
  readonly args: readonly ArgSymbol[];
  /** Undefined when the body has an error. */
  result: Shape | undefined;
}

export interface CheckedModel {
  readonly decl: A.ModelDecl;
  /** In order of declaration. */
  readonly inputs: ValueSymbol[];
  readonly targets: ValueSymbol[];
  readonly params: ValueSymbol[];
  readonly bindings: ValueSymbol[];
  readonly outputs: ValueSymbol[];
  loss: A.LossDecl | undefined;
}

export interface CheckedProgram {
  readonly program: A.Program;
  readonly dims: Map<string, number>;
  readonly fns: Map<string, CheckedFn>;
  readonly models: Map<string, CheckedModel>;
  /** The shape of every expression that checked. */
  readonly shapes: Map<A.Expr, Shape>;
  readonly names: Map<A.NameRef, ValueSymbol>;
  readonly calls: Map<A.Call, Callee>;
}
