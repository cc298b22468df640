// Leaves (constants, variables, the identity) and the ops that only move
// entries: broadcasting, indexing and its adjoint, stacking, transposing.

import { sizeOf, type Shape } from "../tensor/shape.js";
import { scalarTensor } from "../tensor/tensor.js";
import type { leafOps, shapeOps } from "./names.js";
import type { OpDef } from "./op.js";
import { expected, free, toScalar } from "./family.js";
import { filled, numberText, unit } from "./source-text.js";

const none: OpDef["vjp"] = { rule: "constant", grads: () => [] };

/** Offset of a (partial) index into a row-major tensor. */
function offset(shape: Shape, indices: readonly number[]): number {
  let o = 0;
  for (let axis = 0; axis < shape.length; axis++) o = o * shape[axis]! + (indices[axis] ?? 0);
  return o;
}

export const leafEntries = {
  const: {
    arity: 0,
    shape: toScalar,
    flops: free,
    evaluate: (_, a) => scalarTensor(a.value!),
    vjp: none,
    print: "number",
    source: (n) => numberText(n.attrs.value!),
    lowering: { kind: "none" },
  },
  var: {
    arity: 0,
    shape: (_, a) => a.shape!,
    flops: free,
    evaluate: () => {
      throw new Error("internal: variables are bound by the caller");
    },
    vjp: none,
    print: "name",
    source: (n) => n.attrs.name!,
    lowering: { kind: "none" },
  },
  eye: {
    arity: 0,
    shape: (_, a) => a.shape!,
    flops: free,
    evaluate: (_, __, shape) => {
      const n = shape[0]!;
      const out = new Float64Array(n * n);
      for (let i = 0; i < n; i++) out[i * n + i] = 1;
      return { shape, data: out };
    },
    vjp: none,
    print: "identity",
    source: (n) => `[${Array.from({ length: n.shape[0]! }, (_, i) => unit([n.shape[0]!], [i])).join(", ")}]`,
    lowering: { kind: "view" },
  },
} satisfies Record<(typeof leafOps)[number], OpDef>;

export const shapeEntries = {
  /** A scalar repeated to `attrs.shape`. */
  broadcast: {
    arity: 1,
    shape: (_, a) => a.shape!,
    flops: free,
    evaluate: ([a], _, shape) => ({ shape, data: new Float64Array(sizeOf(shape)).fill(a!.data[0]!) }),
    vjp: { rule: "broadcast (sum of the copies)", grads: (g, _, __, $) => [$.sum(g)] },
    print: "argument",
    source: (n, arg) => `(${arg(0)} * ${filled(n.shape, "1")})`,
    lowering: { kind: "view" },
  },
  index: {
    arity: 1,
    shape: (args, a) => args[0]!.slice(a.indices!.length),
    flops: free,
    evaluate: ([a], attrs, shape) => {
      const start = offset(a!.shape, attrs.indices!);
      return { shape, data: a!.data.slice(start, start + sizeOf(shape)) };
    },
    vjp: { rule: "indexing", grads: (g, [a], y, $) => [$.scatter(g, y.attrs.indices!, a!.shape)] },
    print: "entry",
    source: (n, arg) => `(${arg(0)})[${n.attrs.indices!.join(", ")}]`,
    lowering: { kind: "view" },
  },
  /** Zeros of `attrs.shape` with the argument placed at `attrs.indices`: the adjoint of index. */
  scatter: {
    arity: 1,
    shape: (_, a) => a.shape!,
    flops: free,
    evaluate: ([a], attrs, shape) => {
      const out = new Float64Array(sizeOf(shape));
      out.set(a!.data, offset(shape, attrs.indices!));
      return { shape, data: out };
    },
    vjp: { rule: "indexing", grads: (g, _, y, $) => [$.index(g, y.attrs.indices!)] },
    print: "unit",
    source: (n, arg) => {
      const at = n.attrs.indices!;
      // A row placed in a matrix is the outer product of a unit vector with it.
      if (at.length < n.shape.length) return `outer(${unit([n.shape[0]!], at)}, ${arg(0)})`;
      return `(${arg(0)} * ${unit(n.shape, at)})`;
    },
    lowering: { kind: "loop", streams: false },
  },
  /** [a, b, c]: scalars to a vector, vectors to the rows of a matrix. */
  stack: {
    arity: "n",
    shape: (args) => [args.length, ...args[0]!],
    flops: free,
    evaluate: (args, _, shape) => {
      const out = new Float64Array(sizeOf(shape));
      args.forEach((a, i) => out.set(a.data, i * a.data.length));
      return { shape, data: out };
    },
    vjp: { rule: "stacking", grads: (g, args, _, $) => args.map((__, i) => $.index(g, [i])) },
    print: "matrix",
    source: (n, arg) => `[${n.args.map((_, i) => arg(i)).join(", ")}]`,
    lowering: { kind: "loop", streams: false },
  },
  transpose: {
    arity: 1,
    shape: ([a]) => [a![1]!, a![0]!],
    flops: free,
    evaluate: ([a], _, shape) => {
      const [m, n] = a!.shape as [number, number];
      const out = new Float64Array(m * n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = a!.data[i * n + j]!;
      return { shape, data: out };
    },
    vjp: { rule: "transpose", grads: (g, _, __, $) => [$.transpose(g)] },
    print: "transpose",
    source: "call",
    lowering: { kind: "view" },
    builtin: { params: ["A"], doc: "Aᵀ", check: ([a]) => (a!.length === 2 ? [a![1]!, a![0]!] : expected(0, "a matrix", a!)) },
  },
} satisfies Record<(typeof shapeOps)[number], OpDef>;
