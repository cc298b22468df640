// The reference interpreter: evaluates a graph in f64, one op at a time, with
// every built-in computed in a numerically stable form. Slow and plain on
// purpose; `gradcheck` and the tests measure generated code against it.

import { sizeOf, type Shape } from "../diagnostics/shape.js";
import type { Attrs, OpName } from "./ops.js";
import { reachable, type Node } from "./node.js";

export interface Tensor {
  readonly shape: Shape;
  /** Row-major. */
  readonly data: Float64Array;
}

export const tensor = (shape: Shape, data: ArrayLike<number>): Tensor => ({ shape, data: Float64Array.from(data) });
export const scalarTensor = (x: number): Tensor => tensor([], [x]);

type Evaluator = (args: readonly Tensor[], attrs: Attrs, shape: Shape) => Tensor;

/** Stable forms: never exp of a large positive number. */
export const stable = {
  sigmoid: (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  softplus: (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
  logsumexp(v: Float64Array): number {
    let m = -Infinity;
    for (const x of v) m = Math.max(m, x);
    if (!Number.isFinite(m)) return m === -Infinity ? -Infinity : m;
    let s = 0;
    for (const x of v) s += Math.exp(x - m);
    return m + Math.log(s);
  },
};

const map =
  (f: (x: number) => number): Evaluator =>
  ([a], _attrs, shape) => {
    const out = new Float64Array(sizeOf(shape));
    for (let i = 0; i < out.length; i++) out[i] = f(a!.data[i]!);
    return { shape, data: out };
  };

/** Elementwise on two tensors, a scalar side repeated. */
const zip =
  (f: (x: number, y: number) => number): Evaluator =>
  ([a, b], _attrs, shape) => {
    const out = new Float64Array(sizeOf(shape));
    const sa = a!.data.length === 1 ? 0 : 1;
    const sb = b!.data.length === 1 ? 0 : 1;
    for (let i = 0; i < out.length; i++) out[i] = f(a!.data[i * sa]!, b!.data[i * sb]!);
    return { shape, data: out };
  };

const reduce =
  (f: (data: Float64Array) => number): Evaluator =>
  ([a]) =>
    scalarTensor(f(a!.data));

const total = (d: Float64Array) => d.reduce((s, x) => s + x, 0);

/** The mean over entries of a per-entry loss term. */
const meanOf =
  (term: (p: number, y: number) => number): Evaluator =>
  ([p, y]) => {
    let s = 0;
    for (let i = 0; i < p!.data.length; i++) s += term(p!.data[i]!, y!.data[i]!);
    return scalarTensor(s / p!.data.length);
  };

/** ∂(a^b)/∂b = a^b log a, and 0 where a = 0 and b ≥ 0 (where a^b is 0 or 1, not a function of b near there), as PyTorch. */
const powLog = (a: number, b: number) => (a === 0 && b >= 0 ? 0 : Math.pow(a, b) * Math.log(a));

/** log clamped at -100 as PyTorch's binary_cross_entropy does, so p = 0 or 1 gives a finite loss. */
const clampedLog = (x: number) => Math.max(Math.log(x), -100);

function softmax(v: Float64Array): Float64Array {
  const lse = stable.logsumexp(v);
  return v.map((x) => Math.exp(x - lse));
}

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

/** Offset of a (partial) index into a row-major tensor. */
function offset(shape: Shape, indices: readonly number[]): number {
  let o = 0;
  for (let axis = 0; axis < shape.length; axis++) o = o * shape[axis]! + (indices[axis] ?? 0);
  return o;
}

export const evaluators = {
  const: (_, a) => scalarTensor(a.value!),
  var: () => {
    throw new Error("internal: variables are bound by the caller");
  },
  eye: (_, __, shape) => {
    const n = shape[0]!;
    const out = new Float64Array(n * n);
    for (let i = 0; i < n; i++) out[i * n + i] = 1;
    return { shape, data: out };
  },
  neg: map((x) => -x),
  exp: map(Math.exp),
  log: map(Math.log),
  sqrt: map(Math.sqrt),
  abs: map(Math.abs),
  sin: map(Math.sin),
  cos: map(Math.cos),
  tan: map(Math.tan),
  tanh: map(Math.tanh),
  sigmoid: map(stable.sigmoid),
  relu: map((x) => (x > 0 ? x : 0)),
  softplus: map(stable.softplus),
  sign: map((x) => (x > 0 ? 1 : x < 0 ? -1 : 0)),
  step: map((x) => (x > 0 ? 1 : 0)),
  add: zip((x, y) => x + y),
  sub: zip((x, y) => x - y),
  mul: zip((x, y) => x * y),
  div: zip((x, y) => x / y),
  pow: zip((x, y) => Math.pow(x, y)),
  leaky_relu: zip((x, a) => (x > 0 ? x : a * x)),
  leaky_step: zip((x, a) => (x > 0 ? 1 : a)),
  safe_div: zip((x, y) => (y === 0 ? 0 : x / y)),
  safe_mul: zip((x, y) => (x === 0 ? 0 : x * y)),
  pow_log: zip(powLog),
  broadcast: ([a], _, shape) => ({ shape, data: new Float64Array(sizeOf(shape)).fill(a!.data[0]!) }),
  index: ([a], attrs, shape) => {
    const start = offset(a!.shape, attrs.indices!);
    return { shape, data: a!.data.slice(start, start + sizeOf(shape)) };
  },
  scatter: ([a], attrs, shape) => {
    const out = new Float64Array(sizeOf(shape));
    out.set(a!.data, offset(shape, attrs.indices!));
    return { shape, data: out };
  },
  stack: (args, _, shape) => {
    const out = new Float64Array(sizeOf(shape));
    args.forEach((a, i) => out.set(a.data, i * a.data.length));
    return { shape, data: out };
  },
  transpose: ([a], _, shape) => {
    const [m, n] = a!.shape as [number, number];
    const out = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = a!.data[i * n + j]!;
    return { shape, data: out };
  },
  matmul,
  outer: ([a, b], _, shape) => {
    const out = new Float64Array(sizeOf(shape));
    const n = b!.data.length;
    for (let i = 0; i < a!.data.length; i++) for (let j = 0; j < n; j++) out[i * n + j] = a!.data[i]! * b!.data[j]!;
    return { shape, data: out };
  },
  diag: ([a], _, shape) => {
    const n = a!.data.length;
    const out = new Float64Array(sizeOf(shape));
    for (let i = 0; i < n; i++) out[i * n + i] = a!.data[i]!;
    return { shape, data: out };
  },
  trace: ([a]) => {
    const n = a!.shape[0]!;
    let s = 0;
    for (let i = 0; i < n; i++) s += a!.data[i * n + i]!;
    return scalarTensor(s);
  },
  dot: ([a, b]) => {
    let s = 0;
    for (let i = 0; i < a!.data.length; i++) s += a!.data[i]! * b!.data[i]!;
    return scalarTensor(s);
  },
  sum: reduce(total),
  mean: reduce((d) => total(d) / d.length),
  norm2: reduce((d) => Math.hypot(...d)),
  logsumexp: reduce(stable.logsumexp),
  softmax: ([a], _, shape) => ({ shape, data: softmax(a!.data) }),
  log_softmax: ([a], _, shape) => {
    const lse = stable.logsumexp(a!.data);
    return { shape, data: a!.data.map((x) => x - lse) };
  },
  mse: meanOf((p, y) => (p - y) * (p - y)),
  bce: meanOf((p, y) => -(y * clampedLog(p) + (1 - y) * clampedLog(1 - p))),
  bce_logits: meanOf((z, y) => Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)))),
  cross_entropy: ([p, y]) => {
    let s = 0;
    for (let i = 0; i < p!.data.length; i++) if (y!.data[i] !== 0) s -= y!.data[i]! * Math.log(p!.data[i]!);
    return scalarTensor(s);
  },
  softmax_cross_entropy: ([z, y]) => {
    const lse = stable.logsumexp(z!.data);
    let s = 0;
    for (let i = 0; i < z!.data.length; i++) s += y!.data[i]! * (lse - z!.data[i]!);
    return scalarTensor(s);
  },
  huber: ([p, y, delta]) => {
    const d = delta!.data[0]!;
    let s = 0;
    for (let i = 0; i < p!.data.length; i++) {
      const r = Math.abs(p!.data[i]! - y!.data[i]!);
      s += r <= d ? 0.5 * r * r : d * (r - 0.5 * d);
    }
    return scalarTensor(s / p!.data.length);
  },
} satisfies Record<OpName, Evaluator>;

/** Values of the roots, given a value for every variable they use (by name). */
export function evaluate(roots: readonly Node[], env: ReadonlyMap<string, Tensor>): Tensor[] {
  const values = new Map<Node, Tensor>();
  for (const n of reachable(roots)) {
    if (n.op === "var") {
      const v = env.get(n.attrs.name!);
      if (v === undefined) throw new Error(`internal: no value for variable '${n.attrs.name}'`);
      values.set(n, v);
    } else {
      const run = evaluators[n.op] as Evaluator;
      values.set(n, run(n.args.map((a) => values.get(a)!), n.attrs, n.shape));
    }
  }
  return roots.map((r) => values.get(r)!);
}
