// Linear algebra: products, the trace, and diag (which only the reader's
// rewrite makes, for printing the softmax Jacobian as diag(s) − s sᵀ).

import { sizeOf, type Shape } from "../tensor/shape.js";
import { scalarTensor, type Tensor } from "../tensor/tensor.js";
import type { linalgOps } from "./names.js";
import type { Attrs, OpDef } from "./op.js";
import { expected, free, pairToScalar, perElement, perInput, toScalar } from "./family.js";

function matmul([a, b]: readonly Tensor[], _: Attrs, shape: Shape): Tensor {
  const [m, n] = a!.shape.length === 2 ? [a!.shape[0]!, a!.shape[1]!] : [1, a!.shape[0]!];
  const k = b!.shape.length === 2 ? b!.shape[1]! : 1;
  const out = new Float64Array(sizeOf(shape));
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let l = 0; l < n; l++) s += a!.data[i * n + l]! * b!.data[l * k + j]!;
      out[i * k + j] = s;
    }
  }
  return { shape, data: out };
}

export const linalgEntries = {
  matmul: {
    arity: 2,
    shape: ([a, b]) => [...a!.slice(0, -1), ...b!.slice(1)],
    flops: ([a], result) => 2 * a![a!.length - 1]! * Math.max(1, sizeOf(result)),
    evaluate: matmul,
    vjp: {
      rule: "matrix product rule",
      grads: (g, [a, b], _, $) => {
        const A = a!;
        const B = b!;
        if (A.shape.length === 2 && B.shape.length === 1) return [$.outer(g, B), $.matmul($.transpose(A), g)]; // W x
        if (A.shape.length === 2) return [$.matmul(g, $.transpose(B)), $.matmul($.transpose(A), g)]; // A B
        if (B.shape.length === 1) return [$.mul(g, B), $.mul(g, A)]; // u · v
        return [$.matmul(B, g), $.outer(A, g)]; // vᵀ B
      },
    },
    print: "matmul",
    source: { infix: "@" },
    lowering: { kind: "loop", streams: false },
  },
  outer: {
    arity: 2,
    shape: ([a, b]) => [a![0]!, b![0]!],
    flops: perElement(1),
    evaluate: ([a, b], _, shape) => {
      const out = new Float64Array(sizeOf(shape));
      const n = b!.data.length;
      for (let i = 0; i < a!.data.length; i++) for (let j = 0; j < n; j++) out[i * n + j] = a!.data[i]! * b!.data[j]!;
      return { shape, data: out };
    },
    vjp: { rule: "outer product rule", grads: (g, [a, b], _, $) => [$.matmul(g, b!), $.matmul($.transpose(g), a!)] },
    print: "outer",
    source: "call",
    lowering: { kind: "entries" },
    builtin: {
      params: ["a", "b"],
      doc: "a bᵀ, for vectors a and b",
      check: ([a, b]) => (a!.length !== 1 ? expected(0, "a vector", a!) : b!.length !== 1 ? expected(1, "a vector", b!) : [a![0]!, b![0]!]),
    },
  },
  trace: {
    arity: 1,
    shape: toScalar,
    flops: ([a]) => a![0]!,
    evaluate: ([a]) => {
      const n = a!.shape[0]!;
      let s = 0;
      for (let i = 0; i < n; i++) s += a!.data[i * n + i]!;
      return scalarTensor(s);
    },
    vjp: { rule: "trace", grads: (g, [a], _, $) => [$.mul(g, $.eye(a!.shape[0]!))] },
    print: { fn: "tr", latex: "\\operatorname{tr}" },
    source: "call",
    lowering: { kind: "loop", streams: false },
    builtin: {
      params: ["A"],
      doc: "sum of the diagonal of a square matrix",
      check: ([a]) => (a!.length === 2 && a![0] === a![1] ? [] : expected(0, "a square matrix", a!)),
    },
  },
  /** The square matrix with a vector on its diagonal. */
  diag: {
    arity: 1,
    shape: (args) => [args[0]![0]!, args[0]![0]!],
    flops: free,
    evaluate: ([a], _, shape) => {
      const n = a!.data.length;
      const out = new Float64Array(sizeOf(shape));
      for (let i = 0; i < n; i++) out[i * n + i] = a!.data[i]!;
      return { shape, data: out };
    },
    // The diagonal of the incoming gradient.
    vjp: { rule: "diag", grads: (g, [a], _, $) => [$.stack(Array.from({ length: a!.shape[0]! }, (_, i) => $.index(g, [i, i])))] },
    print: { fn: "diag", latex: "\\operatorname{diag}" },
    source: (n, arg) => `[${Array.from({ length: n.shape[0]! }, (_, i) => `[${Array.from({ length: n.shape[0]! }, (_, j) => (i === j ? `(${arg(0)})[${i}]` : "0")).join(", ")}]`).join(", ")}]`,
    lowering: { kind: "none" },
  },
  dot: {
    arity: 2,
    shape: toScalar,
    flops: perInput(2),
    evaluate: ([a, b]) => {
      let s = 0;
      for (let i = 0; i < a!.data.length; i++) s += a!.data[i]! * b!.data[i]!;
      return scalarTensor(s);
    },
    vjp: { rule: "product rule (dot)", grads: (g, [a, b], _, $) => [$.mul(g, b!), $.mul(g, a!)] },
    print: "dot",
    source: "call",
    lowering: { kind: "loop", streams: true },
    builtin: { params: ["a", "b"], doc: "sum of a ⊙ b, for a and b of one shape", check: pairToScalar() },
  },
} satisfies Record<(typeof linalgOps)[number], OpDef>;
