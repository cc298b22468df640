// The oracle: a forward-mode evaluator of the *checked AST* with dual numbers
// (value + ε·tangent). It shares no code with the differentiator, the graph
// or its interpreter: every derivative of an elementary function is written
// here again, from the calculus book. It seeds one entry of one variable at a
// time, so a gradient of a variable with k entries takes k runs.

import type * as A from "../../src/parse/ast.js";
import type { CheckedProgram, ValueSymbol } from "../../src/check/checked.js";

export interface DualTensor {
  readonly shape: readonly number[];
  readonly re: Float64Array;
  readonly du: Float64Array;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const make = (shape: readonly number[]): DualTensor => ({ shape, re: new Float64Array(size(shape)), du: new Float64Array(size(shape)) });
const constant = (x: number): DualTensor => ({ shape: [], re: Float64Array.of(x), du: Float64Array.of(0) });

/** f and f' of one variable, applied entry by entry. */
function unary(t: DualTensor, f: (x: number) => number, df: (x: number) => number): DualTensor {
  const out = make(t.shape);
  for (let i = 0; i < out.re.length; i++) {
    out.re[i] = f(t.re[i]!);
    out.du[i] = t.du[i] === 0 ? 0 : df(t.re[i]!) * t.du[i]!;
  }
  return out;
}

/** Elementwise on two tensors with scalar broadcasting; d = ∂f/∂a · da + ∂f/∂b · db. */
function binary(
  a: DualTensor,
  b: DualTensor,
  f: (x: number, y: number) => number,
  dfa: (x: number, y: number) => number,
  dfb: (x: number, y: number) => number,
): DualTensor {
  const out = make(a.shape.length >= b.shape.length ? a.shape : b.shape);
  for (let i = 0; i < out.re.length; i++) {
    const ia = a.re.length === 1 ? 0 : i;
    const ib = b.re.length === 1 ? 0 : i;
    const x = a.re[ia]!;
    const y = b.re[ib]!;
    out.re[i] = f(x, y);
    const da = a.du[ia]!;
    const db = b.du[ib]!;
    out.du[i] = (da === 0 ? 0 : dfa(x, y) * da) + (db === 0 ? 0 : dfb(x, y) * db);
  }
  return out;
}

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

function sumAll(t: DualTensor): DualTensor {
  const out = make([]);
  for (let i = 0; i < t.re.length; i++) {
    out.re[0]! += t.re[i]!;
    out.du[0]! += t.du[i]!;
  }
  return out;
}

function scale(t: DualTensor, k: number): DualTensor {
  return { shape: t.shape, re: t.re.map((x) => x * k), du: t.du.map((x) => x * k) };
}

function matmul(a: DualTensor, b: DualTensor): DualTensor {
  const [m, n] = a.shape.length === 2 ? [a.shape[0]!, a.shape[1]!] : [1, a.shape[0]!];
  const k = b.shape.length === 2 ? b.shape[1]! : 1;
  const shape = [...a.shape.slice(0, -1), ...b.shape.slice(1)];
  const out = make(shape);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < k; j++) {
      let re = 0;
      let du = 0;
      for (let l = 0; l < n; l++) {
        const x = a.re[i * n + l]!;
        const y = b.re[l * k + j]!;
        re += x * y;
        du += a.du[i * n + l]! * y + x * b.du[l * k + j]!;
      }
      out.re[i * k + j] = re;
      out.du[i * k + j] = du;
    }
  }
  return out;
}

function logsumexp(v: DualTensor): DualTensor {
  const m = Math.max(...v.re);
  let s = 0;
  for (const x of v.re) s += Math.exp(x - m);
  const out = make([]);
  out.re[0] = m + Math.log(s);
  // d lse = Σ softmax_i dv_i
  for (let i = 0; i < v.re.length; i++) out.du[0]! += (Math.exp(v.re[i]! - m) / s) * v.du[i]!;
  return out;
}

function logSoftmax(v: DualTensor): DualTensor {
  const lse = logsumexp(v);
  const out = make(v.shape);
  for (let i = 0; i < v.re.length; i++) {
    out.re[i] = v.re[i]! - lse.re[0]!;
    out.du[i] = v.du[i]! - lse.du[0]!;
  }
  return out;
}

function softmax(v: DualTensor): DualTensor {
  const l = logSoftmax(v);
  return unary(l, Math.exp, Math.exp);
}

const add = (a: DualTensor, b: DualTensor) => binary(a, b, (x, y) => x + y, () => 1, () => 1);
const sub = (a: DualTensor, b: DualTensor) => binary(a, b, (x, y) => x - y, () => 1, () => -1);
const mul = (a: DualTensor, b: DualTensor) => binary(a, b, (x, y) => x * y, (_, y) => y, (x) => x);
const div = (a: DualTensor, b: DualTensor) => binary(a, b, (x, y) => x / y, (_, y) => 1 / y, (x, y) => -x / (y * y));
// PyTorch's conventions at a 0 base or exponent: ∂/∂x is 0 where y = 0
// (not 0 · ∞ at x = 0), ∂/∂y is 0 where x = 0 and y ≥ 0 (not 0 · −∞).
const pow = (a: DualTensor, b: DualTensor) =>
  binary(
    a,
    b,
    (x, y) => Math.pow(x, y),
    (x, y) => (y === 0 ? 0 : y * Math.pow(x, y - 1)),
    (x, y) => (x === 0 && y >= 0 ? 0 : Math.pow(x, y) * Math.log(x)),
  );
const mean = (t: DualTensor) => scale(sumAll(t), 1 / t.re.length);
const log = (t: DualTensor) => unary(t, Math.log, (x) => 1 / x);

const builtins: Record<string, (args: DualTensor[]) => DualTensor> = {
  exp: ([a]) => unary(a!, Math.exp, Math.exp),
  log: ([a]) => log(a!),
  sqrt: ([a]) => unary(a!, Math.sqrt, (x) => 0.5 / Math.sqrt(x)),
  abs: ([a]) => unary(a!, Math.abs, (x) => (x > 0 ? 1 : x < 0 ? -1 : 0)),
  sin: ([a]) => unary(a!, Math.sin, Math.cos),
  cos: ([a]) => unary(a!, Math.cos, (x) => -Math.sin(x)),
  tan: ([a]) => unary(a!, Math.tan, (x) => 1 / (Math.cos(x) * Math.cos(x))),
  tanh: ([a]) => unary(a!, Math.tanh, (x) => 1 / (Math.cosh(x) * Math.cosh(x))),
  sigmoid: ([a]) => unary(a!, sigmoid, (x) => sigmoid(x) * sigmoid(-x)),
  relu: ([a]) => unary(a!, (x) => Math.max(x, 0), (x) => (x > 0 ? 1 : 0)),
  softplus: ([a]) => unary(a!, softplus, sigmoid),
  sign: ([a]) => unary(a!, Math.sign, () => 0),
  leaky_relu: ([x, a]) => binary(x!, a!, (u, s) => (u > 0 ? u : s * u), (u, s) => (u > 0 ? 1 : s), (u) => (u > 0 ? 0 : u)),
  sum: ([a]) => sumAll(a!),
  mean: ([a]) => mean(a!),
  norm2: ([a]) => unary(sumAll(mul(a!, a!)), Math.sqrt, (x) => 0.5 / Math.sqrt(x)),
  dot: ([a, b]) => sumAll(mul(a!, b!)),
  logsumexp: ([v]) => logsumexp(v!),
  softmax: ([v]) => softmax(v!),
  log_softmax: ([v]) => logSoftmax(v!),
  transpose: ([a]) => {
    const [m, n] = a!.shape as [number, number];
    const out = make([n, m]);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      out.re[j * m + i] = a!.re[i * n + j]!;
      out.du[j * m + i] = a!.du[i * n + j]!;
    }
    return out;
  },
  outer: ([a, b]) => matmul({ ...a!, shape: [a!.re.length, 1] }, { ...b!, shape: [1, b!.re.length] }),
  trace: ([a]) => {
    const n = a!.shape[0]!;
    const out = make([]);
    for (let i = 0; i < n; i++) {
      out.re[0]! += a!.re[i * n + i]!;
      out.du[0]! += a!.du[i * n + i]!;
    }
    return out;
  },
  mse: ([p, y]) => mean(pow(sub(p!, y!), constant(2))),
  bce: ([p, y]) => {
    const one = constant(1);
    return scale(mean(add(mul(y!, log(p!)), mul(sub(one, y!), log(sub(one, p!))))), -1);
  },
  bce_logits: ([z, y]) => mean(sub(unary(z!, softplus, sigmoid), mul(y!, z!))),
  cross_entropy: ([p, y]) => scale(sumAll(mul(y!, log(p!))), -1),
  softmax_cross_entropy: ([z, y]) => scale(sumAll(mul(y!, logSoftmax(z!))), -1),
  huber: ([p, y, d]) => {
    const r = sub(p!, y!);
    const delta = d!;
    const out = make(r.shape);
    for (let i = 0; i < r.re.length; i++) {
      const x = r.re[i]!;
      const dl = delta.re[0]!;
      if (Math.abs(x) <= dl) {
        out.re[i] = 0.5 * x * x;
        out.du[i] = x * r.du[i]!;
      } else {
        out.re[i] = dl * (Math.abs(x) - 0.5 * dl);
        out.du[i] = dl * Math.sign(x) * r.du[i]! + (Math.abs(x) - dl) * delta.du[0]!;
      }
    }
    return mean(out);
  },
};

export type Env = ReadonlyMap<string, { readonly shape: readonly number[]; readonly values: Float64Array }>;

/** Evaluates an AST expression in dual numbers; `seed` marks the entry whose tangent is 1. */
export class DualEvaluator {
  constructor(private readonly checked: CheckedProgram) {}

  evaluate(e: A.Expr, env: ReadonlyMap<ValueSymbol, DualTensor>): DualTensor {
    switch (e.kind) {
      case "number":
        return constant(e.value);
      case "name": {
        const s = this.checked.names.get(e)!;
        if (s.kind === "dim" || s.kind === "constant") return constant(s.value);
        return env.get(s)!;
      }
      case "neg":
        return scale(this.evaluate(e.operand, env), -1);
      case "binary": {
        const a = this.evaluate(e.left, env);
        const b = this.evaluate(e.right, env);
        return { "+": add, "-": sub, "*": mul, "/": div, "^": pow, "@": matmul }[e.op](a, b);
      }
      case "index": {
        const t = this.evaluate(e.target, env);
        let offset = 0;
        e.indices.forEach((ix, axis) => (offset += ix.value * size(t.shape.slice(axis + 1))));
        const shape = t.shape.slice(e.indices.length);
        const n = size(shape);
        return { shape, re: t.re.slice(offset, offset + n), du: t.du.slice(offset, offset + n) };
      }
      case "array": {
        const items = e.elements.map((x) => this.evaluate(x, env));
        const shape = [items.length, ...items[0]!.shape];
        const out = make(shape);
        items.forEach((t, i) => {
          out.re.set(t.re, i * t.re.length);
          out.du.set(t.du, i * t.re.length);
        });
        return out;
      }
      case "call": {
        const callee = this.checked.calls.get(e)!;
        const args = e.args.map((a) => this.evaluate(a, env));
        if (callee.kind === "fn") {
          const inner = new Map<ValueSymbol, DualTensor>(callee.fn.args.map((a, i) => [a, args[i]!]));
          return this.evaluate(callee.fn.decl.body, inner);
        }
        const f = builtins[callee.builtin.name];
        if (f === undefined) throw new Error(`the oracle does not evaluate '${callee.builtin.name}'`);
        return f(args);
      }
    }
  }
}

/**
 * The derivative of a scalar-valued `run` with respect to every entry of the
 * named variables, by seeding each entry in turn.
 */
export function dualGradient(
  variables: ReadonlyMap<string, { shape: readonly number[]; values: Float64Array }>,
  wrt: readonly string[],
  run: (values: ReadonlyMap<string, DualTensor>) => DualTensor,
): { value: Float64Array; grads: Map<string, Float64Array> } {
  const dual = (seedName?: string, seedIndex?: number) =>
    new Map(
      [...variables].map(([name, v]) => {
        const du = new Float64Array(v.values.length);
        if (name === seedName) du[seedIndex!] = 1;
        return [name, { shape: v.shape, re: v.values, du }];
      }),
    );
  const value = run(dual()).re;
  const grads = new Map<string, Float64Array>();
  for (const name of wrt) {
    const v = variables.get(name)!;
    const out = new Float64Array(v.values.length * value.length);
    for (let i = 0; i < v.values.length; i++) {
      const du = run(dual(name, i)).du;
      // Layout shape(e) ++ shape(x): entry j of e, entry i of x.
      for (let j = 0; j < du.length; j++) out[j * v.values.length + i] = du[j]!;
    }
    grads.set(name, out);
  }
  return { value, grads };
}
