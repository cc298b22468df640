// The op catalog of the expression graph: one entry per op with its arity,
// shape rule and flop cost. Derivative rules (src/diff/vjp.ts), evaluation
// (evaluate.ts) and printing (print.ts) are tables keyed by the same names,
// each typed `satisfies Record<OpName, ...>`, so a new op that misses a rule
// is a type error.

import { sizeOf, type Shape } from "../diagnostics/shape.js";

export interface OpInfo {
  /** Number of arguments; "n" for any number (stack). */
  readonly arity: number | "n";
  /** The result's shape from the arguments' (already checked) shapes and attributes. */
  readonly shape: (args: readonly Shape[], attrs: Attrs) => Shape;
  /** Floating-point operations to compute the result once. */
  readonly flops: (args: readonly Shape[], result: Shape) => number;
}

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

const same = (args: readonly Shape[]) => args[0]!;
/** Elementwise with scalar broadcasting: the larger shape wins. */
const broadcastShape = (args: readonly Shape[]) => args.reduce((a, b) => (b.length > a.length ? b : a), []);
const scalar = () => [];
const perElement = (cost: number) => (_: readonly Shape[], result: Shape) => cost * sizeOf(result);
const perInput = (cost: number, extra = 0) => (args: readonly Shape[]) => cost * sizeOf(args[0]!) + extra;
const free = () => 0;

const unary = (cost = 1): OpInfo => ({ arity: 1, shape: same, flops: perElement(cost) });
const binary = (cost = 1): OpInfo => ({ arity: 2, shape: broadcastShape, flops: perElement(cost) });
const pairLoss = (cost: number): OpInfo => ({ arity: 2, shape: scalar, flops: perInput(cost, 1) });

export const ops = {
  // Leaves.
  const: { arity: 0, shape: scalar, flops: free },
  var: { arity: 0, shape: (_, a) => a.shape!, flops: free },
  eye: { arity: 0, shape: (_, a) => a.shape!, flops: free },

  // Elementwise, one argument.
  neg: unary(),
  exp: unary(),
  log: unary(),
  sqrt: unary(),
  abs: unary(),
  sin: unary(),
  cos: unary(),
  tan: unary(),
  tanh: unary(),
  sigmoid: unary(),
  relu: unary(),
  softplus: unary(),
  sign: unary(),
  /** 1 where x > 0, else 0: the derivative of relu. */
  step: unary(),

  // Elementwise, two arguments; a scalar argument is broadcast.
  add: binary(),
  sub: binary(),
  mul: binary(),
  div: binary(),
  pow: binary(),
  leaky_relu: binary(),
  /** 1 where x > 0, else a: the derivative of leaky_relu. */
  leaky_step: binary(),
  /** a / b, and 0 where b is 0: the gradient of norm2 at the zero vector is 0, as in PyTorch. */
  safe_div: binary(),
  /** a · b, and 0 where a is 0 (even where b is infinite): the power rule's b a^(b−1) is 0 at b = 0, as in PyTorch. */
  safe_mul: binary(),
  /** a^b log a, and 0 where a = 0 and b ≥ 0: the derivative of a^b in b, masked there as in PyTorch. */
  pow_log: binary(3),

  // Shapes.
  /** A scalar repeated to `attrs.shape`. */
  broadcast: { arity: 1, shape: (_, a) => a.shape!, flops: free },
  index: { arity: 1, shape: (args, a) => args[0]!.slice(a.indices!.length), flops: free },
  /** Zeros of `attrs.shape` with the argument placed at `attrs.indices`: the adjoint of index. */
  scatter: { arity: 1, shape: (_, a) => a.shape!, flops: free },
  /** [a, b, c]: scalars to a vector, vectors to the rows of a matrix. */
  stack: { arity: "n", shape: (args) => [args.length, ...args[0]!], flops: free },
  transpose: { arity: 1, shape: ([a]) => [a![1]!, a![0]!], flops: free },

  // Linear algebra.
  matmul: {
    arity: 2,
    shape: ([a, b]) => [...a!.slice(0, -1), ...b!.slice(1)],
    flops: ([a], result) => 2 * a![a!.length - 1]! * Math.max(1, sizeOf(result)),
  },
  outer: { arity: 2, shape: ([a, b]) => [a![0]!, b![0]!], flops: perElement(1) },
  trace: { arity: 1, shape: scalar, flops: ([a]) => a![0]! },
  /** The square matrix with a vector on its diagonal (made by the reader's rewrite, simplify/readable.ts; not a built-in). */
  diag: { arity: 1, shape: (args) => [args[0]![0]!, args[0]![0]!], flops: free },
  dot: { arity: 2, shape: scalar, flops: perInput(2) },

  // Reductions.
  sum: { arity: 1, shape: scalar, flops: perInput(1) },
  mean: { arity: 1, shape: scalar, flops: perInput(1, 1) },
  norm2: { arity: 1, shape: scalar, flops: perInput(2, 1) },
  logsumexp: { arity: 1, shape: scalar, flops: perInput(3, 2) },

  // Vectors.
  softmax: { arity: 1, shape: same, flops: perInput(4) },
  log_softmax: { arity: 1, shape: same, flops: perInput(4) },

  // Losses of one example (docs/language.md, Losses).
  mse: pairLoss(3),
  bce: pairLoss(6),
  bce_logits: pairLoss(5),
  cross_entropy: pairLoss(2),
  softmax_cross_entropy: pairLoss(6),
  huber: { arity: 3, shape: scalar, flops: perInput(5, 1) },
} as const satisfies Record<string, OpInfo>;

export type OpName = keyof typeof ops;

export const isOp = (name: string): name is OpName => Object.hasOwn(ops, name);

/** Ops that apply one function to each entry (with scalar broadcasting). */
export const elementwise: ReadonlySet<OpName> = new Set<OpName>([
  "neg", "exp", "log", "sqrt", "abs", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "softplus", "sign", "step",
  "add", "sub", "mul", "div", "pow", "leaky_relu", "leaky_step", "safe_div", "safe_mul", "pow_log",
]);
