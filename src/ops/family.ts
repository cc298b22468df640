// Parts the op entries share: shape rules, costs, evaluators over entries,
// and the checker's rules for a built-in's arguments.

import { formatShape, sameShape, sizeOf, type Shape } from "../tensor/shape.js";
import { scalarTensor } from "../tensor/tensor.js";
import type { Evaluator, ShapeProblem, ShapeRule } from "./op.js";

// ---- the graph's shape rules (arguments already checked) and costs.

export const same = (args: readonly Shape[]): Shape => args[0]!;
/** Elementwise with scalar broadcasting: the larger shape wins. */
export const broadcastShape = (args: readonly Shape[]): Shape => args.reduce((a, b) => (b.length > a.length ? b : a), []);
export const toScalar = (): Shape => [];
export const perElement = (cost: number) => (_: readonly Shape[], result: Shape) => cost * sizeOf(result);
export const perInput = (cost: number, extra = 0) => (args: readonly Shape[]) => cost * sizeOf(args[0]!) + extra;
export const free = () => 0;
/** The number of entries of a node (or a shape's holder): n in a mean or a loss. */
export const entriesOf = (x: { readonly shape: Shape }) => sizeOf(x.shape);

// ---- reference evaluation.

/** One function of each entry. */
export const map =
  (f: (x: number) => number): Evaluator =>
  ([a], _attrs, shape) => {
    const out = new Float64Array(sizeOf(shape));
    for (let i = 0; i < out.length; i++) out[i] = f(a!.data[i]!);
    return { shape, data: out };
  };

/** One function of each pair of entries, a scalar side repeated. */
export const zip =
  (f: (x: number, y: number) => number): Evaluator =>
  ([a, b], _attrs, shape) => {
    const out = new Float64Array(sizeOf(shape));
    const sa = a!.data.length === 1 ? 0 : 1;
    const sb = b!.data.length === 1 ? 0 : 1;
    for (let i = 0; i < out.length; i++) out[i] = f(a!.data[i * sa]!, b!.data[i * sb]!);
    return { shape, data: out };
  };

export const reduce =
  (f: (data: Float64Array) => number): Evaluator =>
  ([a]) =>
    scalarTensor(f(a!.data));

export const total = (d: Float64Array) => d.reduce((s, x) => s + x, 0);

// ---- the checker's rules for a call's arguments.

const describe = (s: Shape) => (s.length === 0 ? "a scalar" : s.length === 1 ? `a vector ${formatShape(s)}` : `a matrix ${formatShape(s)}`);

export const expected = (arg: number, what: string, got: Shape): ShapeProblem => ({
  problem: `expects ${what} as argument ${arg + 1}, but got ${describe(got)}`,
  arg,
});

export const entrywise: ShapeRule = ([x]) => x!;
export const scalarResult: ShapeRule = () => [];

export const vectorOnly =
  (result: (v: Shape) => Shape): ShapeRule =>
  ([v]) =>
    v!.length === 1 ? result(v!) : expected(0, "a vector", v!);

const mismatch = (a: Shape, b: Shape): ShapeProblem => ({
  problem: `needs both arguments of one shape, but got ${formatShape(a)} and ${formatShape(b)}`,
  arg: 1,
});

/** Two arguments of one shape, reduced to a scalar (losses, dot). */
export const pairToScalar =
  (rank?: 1): ShapeRule =>
  ([a, b]) => {
    if (rank === 1 && a!.length !== 1) return expected(0, "a vector", a!);
    return sameShape(a!, b!) ? [] : mismatch(a!, b!);
  };

/** Two arguments of one shape, or one of them a scalar: the result has the larger shape. */
export const pairEntrywise: ShapeRule = ([a, b]) => {
  if (a!.length === 0) return b!;
  if (b!.length === 0 || sameShape(a!, b!)) return a!;
  return mismatch(a!, b!);
};

export const scalarArg =
  (index: number, rule: ShapeRule): ShapeRule =>
  (args) =>
    args[index]!.length === 0 ? rule(args) : expected(index, "a scalar", args[index]!);
