// What an op is: everything each pass asks of it, in one record. The graph
// asks its arity and shape, the cost model its flops, the interpreter its
// value, the reverse sweep its vector-Jacobian product, the printers its
// notation, the checker its built-in signature and range, the lowering its
// scalar semantics (in IR intrinsics, so no target is named here).

import type { Shape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Expr, Helper } from "../ir/ir.js";
import type { BinaryOp, OpName, UnaryOp } from "./names.js";

/** Attributes that are part of a node's identity. */
export interface Attrs {
  /** const: the value. */
  readonly value?: number;
  /** var: the variable's name and role. */
  readonly name?: string;
  readonly role?: VarRole;
  /** index / scatter: the position; broadcast / scatter / eye: the full shape. */
  readonly indices?: readonly number[];
  readonly shape?: Shape;
}

export type VarRole = "arg" | "param" | "input" | "target";

/** A node of the expression graph (graph/node.ts makes them, hash-consed). */
export interface Node {
  readonly id: number;
  readonly op: OpName;
  readonly args: readonly Node[];
  readonly attrs: Attrs;
  readonly shape: Shape;
}

/** Short constructors the derivative rules build with: `$.mul(g, $.sub($.c(1), y))`. */
export type Builder = { readonly [K in UnaryOp | "sum" | "mean" | "norm2" | "logsumexp" | "softmax" | "log_softmax" | "transpose" | "trace" | "diag"]: (a: Node) => Node } & {
  readonly [K in BinaryOp | "matmul" | "outer" | "dot" | "mse" | "bce" | "bce_logits" | "cross_entropy" | "softmax_cross_entropy"]: (a: Node, b: Node) => Node;
} & {
  readonly c: (value: number) => Node;
  readonly huber: (p: Node, y: Node, delta: Node) => Node;
  /** A scalar repeated to a shape (the scalar itself for shape []). */
  readonly broadcast: (a: Node, shape: Shape) => Node;
  /** Zeros of a shape: a broadcast 0, or 0 for a scalar. */
  readonly zeros: (shape: Shape) => Node;
  readonly index: (a: Node, indices: readonly number[]) => Node;
  readonly scatter: (a: Node, indices: readonly number[], shape: Shape) => Node;
  readonly stack: (items: readonly Node[]) => Node;
  readonly eye: (n: number) => Node;
};

export interface VjpRule {
  /** The rule a learner knows it by, for `nndc explain`. */
  readonly rule: string;
  /**
   * How the gradient g of the result y flows back to each argument; null is
   * a true zero (no term is made). A scalar argument of an elementwise op
   * receives the sum of its gradient (the caller sums).
   */
  readonly grads: (g: Node, args: readonly Node[], y: Node, $: Builder) => readonly (Node | null)[];
}

export type Evaluator = (args: readonly Tensor[], attrs: Attrs, shape: Shape) => Tensor;

/**
 * How a formula prints the op: as a function, `name(args)` (LaTeX
 * `\operatorname{name}` unless given), or in one of the printer's layouts.
 */
export type PrintForm = { readonly fn: string; readonly latex?: string } | Layout;

export type Layout =
  | "number" | "name" | "identity" | "negation" | "root" | "absolute" | "sum" | "difference" | "product" | "quotient" | "power"
  | "masked-product" | "masked-quotient" | "power-log" | "argument" | "entry" | "unit" | "matrix" | "transpose" | "matmul" | "outer" | "dot" | "norm";

/**
 * The op as .nnd source (graph/print-nnd.ts): a call of the built-in of the
 * same name, an infix operator, or what it computes in the language's terms
 * (each operation in parentheses). `arg(i)` is the i-th argument's text.
 */
export type SourceForm = "call" | { readonly infix: string } | ((n: Node, arg: (i: number) => string) => string);

/** Why a call's argument shapes do not fit; `arg` (0-based) is where to point. */
export interface ShapeProblem {
  readonly problem: string;
  readonly arg?: number;
}

export type ShapeRule = (args: readonly Shape[]) => Shape | ShapeProblem;

/** An op a user can call by name in a .nnd file (docs/language.md, Built-in functions). */
export interface BuiltinSpec {
  readonly params: readonly string[];
  /** For `nndc --help` and error messages. */
  readonly doc: string;
  /** The result's shape, or why the arguments do not fit. */
  readonly check: ShapeRule;
  /**
   * Each argument's partial derivative as a learner writes it, in .nnd
   * syntax, for `nndc explain` (its arguments' texts in, one text per argument out).
   */
  readonly partials?: (args: readonly string[]) => readonly string[];
  /** What is known of the value's sign whatever the arguments (the hazard analysis, check/hazards.ts). */
  readonly range?: "positive" | "nonnegative";
}

/** How code is generated for the op. */
export type Lowering =
  /** An expression over its arguments' entries: intrinsics, and helpers the module defines once. */
  | { readonly kind: "scalar"; readonly scalar: (args: readonly Expr[]) => Expr; readonly helpers?: readonly Helper[] }
  /** Read in place from its argument (broadcast, transpose, an entry, the identity). */
  | { readonly kind: "view" }
  /** Each entry the product of one entry of each argument (outer: aᵢ bⱼ), so it can be computed where it is read. */
  | { readonly kind: "entries" }
  /** A loop the kernel writes (reductions, products, losses, stacking); `streams`: it reads each entry of its arguments once, in order, so an elementwise argument can be computed inside it. */
  | { readonly kind: "loop"; readonly streams: boolean }
  /** Not in code: leaves are bound by the caller; `diag` only appears in printed formulas. */
  | { readonly kind: "none" };

export interface OpDef {
  /** Number of arguments; "n" for any number (stack). */
  readonly arity: number | "n";
  /** The result's shape from the arguments' (already checked) shapes and attributes. */
  readonly shape: (args: readonly Shape[], attrs: Attrs) => Shape;
  /** Floating-point operations to compute the result once. */
  readonly flops: (args: readonly Shape[], result: Shape) => number;
  /** The reference value in f64, computed plainly and stably. */
  readonly evaluate: Evaluator;
  readonly vjp: VjpRule;
  readonly print: PrintForm;
  readonly source: SourceForm;
  readonly lowering: Lowering;
  readonly builtin?: BuiltinSpec;
}
