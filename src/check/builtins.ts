// The catalog of built-in functions (docs/language.md): one entry per function,
// with its arity and shape rule. Later stages key their own tables (derivative
// rules, flop costs, printing) by these names.

import { formatShape, sameShape, scalar, type Shape } from "../diagnostics/shape.js";

/** Why a call's argument shapes do not fit; `arg` (0-based) is where to point. */
export interface ShapeProblem {
  readonly problem: string;
  readonly arg?: number;
}

export type ShapeRule = (args: readonly Shape[]) => Shape | ShapeProblem;

export interface Builtin {
  readonly name: BuiltinName;
  readonly params: readonly string[];
  /** For `nndc --help` and error messages. */
  readonly doc: string;
  readonly shape: ShapeRule;
}

const describe = (s: Shape) =>
  s.length === 0 ? "a scalar" : s.length === 1 ? `a vector ${formatShape(s)}` : `a matrix ${formatShape(s)}`;

const expected = (arg: number, what: string, got: Shape): ShapeProblem => ({
  problem: `expects ${what} as argument ${arg + 1}, but got ${describe(got)}`,
  arg,
});

// Shape rules, shared by the entries below.
const elementwise: ShapeRule = ([x]) => x!;
const toScalar: ShapeRule = () => scalar;

const vectorOnly =
  (result: (v: Shape) => Shape): ShapeRule =>
  ([v]) =>
    v!.length === 1 ? result(v!) : expected(0, "a vector", v!);

/** Two arguments of one shape, reduced to a scalar (losses, dot). */
const pairToScalar =
  (rank?: 1): ShapeRule =>
  ([a, b]) => {
    if (rank === 1 && a!.length !== 1) return expected(0, "a vector", a!);
    if (!sameShape(a!, b!)) {
      return {
        problem: `needs both arguments of one shape, but got ${formatShape(a!)} and ${formatShape(b!)}`,
        arg: 1,
      };
    }
    return scalar;
  };

const scalarArg =
  (index: number, rule: ShapeRule): ShapeRule =>
  (args) =>
    args[index]!.length === 0 ? rule(args) : expected(index, "a scalar", args[index]!);

const entries = {
  // Elementwise: the result has the argument's shape.
  exp: { params: ["x"], doc: "eˣ, elementwise", shape: elementwise },
  log: { params: ["x"], doc: "natural logarithm, elementwise", shape: elementwise },
  sqrt: { params: ["x"], doc: "square root, elementwise", shape: elementwise },
  abs: { params: ["x"], doc: "absolute value, elementwise (derivative 0 at 0)", shape: elementwise },
  sin: { params: ["x"], doc: "sine, elementwise", shape: elementwise },
  cos: { params: ["x"], doc: "cosine, elementwise", shape: elementwise },
  tan: { params: ["x"], doc: "tangent, elementwise", shape: elementwise },
  tanh: { params: ["x"], doc: "hyperbolic tangent, elementwise", shape: elementwise },
  sigmoid: { params: ["x"], doc: "1 / (1 + e⁻ˣ), elementwise", shape: elementwise },
  relu: { params: ["x"], doc: "max(x, 0), elementwise (derivative 0 at 0)", shape: elementwise },
  softplus: { params: ["x"], doc: "log(1 + eˣ), elementwise", shape: elementwise },
  sign: { params: ["x"], doc: "-1, 0 or 1, elementwise (derivative 0)", shape: elementwise },
  leaky_relu: {
    params: ["x", "a"],
    doc: "x where x > 0, else a·x; a is a scalar",
    shape: scalarArg(1, elementwise),
  },

  // Reductions to a scalar.
  sum: { params: ["t"], doc: "sum of all entries", shape: toScalar },
  mean: { params: ["t"], doc: "mean of all entries", shape: toScalar },
  norm2: { params: ["t"], doc: "Euclidean (Frobenius) norm", shape: toScalar },
  dot: { params: ["a", "b"], doc: "sum of a ⊙ b, for a and b of one shape", shape: pairToScalar() },
  logsumexp: { params: ["v"], doc: "log Σ exp(vᵢ), computed stably", shape: vectorOnly(() => scalar) },

  // Vector to vector.
  softmax: { params: ["v"], doc: "exp(v) / Σ exp(v)", shape: vectorOnly((v) => v) },
  log_softmax: { params: ["v"], doc: "v − logsumexp(v)", shape: vectorOnly((v) => v) },

  // Matrices.
  transpose: {
    params: ["A"],
    doc: "Aᵀ",
    shape: ([a]) => (a!.length === 2 ? [a![1]!, a![0]!] : expected(0, "a matrix", a!)),
  },
  outer: {
    params: ["a", "b"],
    doc: "a bᵀ, for vectors a and b",
    shape: ([a, b]) =>
      a!.length !== 1 ? expected(0, "a vector", a!) : b!.length !== 1 ? expected(1, "a vector", b!) : [a![0]!, b![0]!],
  },
  trace: {
    params: ["A"],
    doc: "sum of the diagonal of a square matrix",
    shape: ([a]) => (a!.length === 2 && a![0] === a![1] ? scalar : expected(0, "a square matrix", a!)),
  },

  // Losses of one example, each a scalar.
  mse: { params: ["p", "y"], doc: "mean((p − y)²)", shape: pairToScalar() },
  bce: { params: ["p", "y"], doc: "binary cross-entropy of probabilities p", shape: pairToScalar() },
  bce_logits: { params: ["z", "y"], doc: "bce(sigmoid(z), y), computed stably", shape: pairToScalar() },
  cross_entropy: { params: ["p", "y"], doc: "−Σ y log p; y one-hot or soft", shape: pairToScalar(1) },
  softmax_cross_entropy: {
    params: ["z", "y"],
    doc: "cross_entropy(softmax(z), y), computed stably",
    shape: pairToScalar(1),
  },
  huber: {
    params: ["p", "y", "delta"],
    doc: "Huber loss with threshold delta (a scalar)",
    shape: scalarArg(2, pairToScalar()),
  },

  // diff(e, x): shape(e) ++ shape(x). The checker also requires x to be a variable.
  diff: {
    params: ["e", "x"],
    doc: "derivative of e with respect to the variable x",
    shape: ([e, x]) => [...e!, ...x!],
  },
} as const satisfies Record<string, Omit<Builtin, "name">>;

export type BuiltinName = keyof typeof entries;

export const builtins: ReadonlyMap<string, Builtin> = new Map(
  Object.entries(entries).map(([name, entry]) => [name, { name: name as BuiltinName, ...entry }]),
);

/** Named values every file can use. */
export const builtinConstants: ReadonlyMap<string, number> = new Map([["pi", Math.PI]]);
