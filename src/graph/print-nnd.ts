// A formula written back as .nnd source, every operation in parentheses, so
// that what nndc prints can be parsed again and checked against the graph it
// came from (test/simplify/readable.test.ts). The ops the language has no
// name for are written as what they compute: step(x) is relu(sign(x)), c eᵢ
// is c * [0, …, 1, …, 0].

import type { Node } from "./node.js";
import type { OpName } from "./ops.js";

type Form = (n: Node, arg: (i: number) => string) => string;

const call =
  (name: string): Form =>
  (n, arg) =>
    `${name}(${n.args.map((_, i) => arg(i)).join(", ")})`;
const infix =
  (op: string): Form =>
  (_, arg) =>
    `(${arg(0)} ${op} ${arg(1)})`;

function numberText(v: number): string {
  if (Number.isNaN(v)) return "(0 / 0)";
  if (!Number.isFinite(v)) return v > 0 ? "(1 / 0)" : "(-1 / 0)";
  return v < 0 || Object.is(v, -0) ? `(-${JSON.stringify(-v)})` : JSON.stringify(v);
}

/** A literal of this shape with `one` at `at` and 0 elsewhere (a vector, or a matrix). */
function unit(shape: readonly number[], at: readonly number[]): string {
  if (shape.length === 1) return `[${Array.from({ length: shape[0]! }, (_, k) => (k === at[0] ? "1" : "0")).join(", ")}]`;
  return `[${Array.from({ length: shape[0]! }, (_, r) => (r === at[0] ? unit(shape.slice(1), at.slice(1)) : unit(shape.slice(1), []))).join(", ")}]`;
}

/** A literal of this shape with every entry `text`. */
function filled(shape: readonly number[], text: string): string {
  if (shape.length === 0) return text;
  return `[${Array.from({ length: shape[0]! }, () => filled(shape.slice(1), text)).join(", ")}]`;
}

const forms = {
  const: (n) => numberText(n.attrs.value!),
  var: (n) => n.attrs.name!,
  eye: (n) => `[${Array.from({ length: n.shape[0]! }, (_, i) => unit([n.shape[0]!], [i])).join(", ")}]`,
  neg: (_, arg) => `(-(${arg(0)}))`,
  exp: call("exp"),
  log: call("log"),
  sqrt: call("sqrt"),
  abs: call("abs"),
  sin: call("sin"),
  cos: call("cos"),
  tan: call("tan"),
  tanh: call("tanh"),
  sigmoid: call("sigmoid"),
  relu: call("relu"),
  softplus: call("softplus"),
  sign: call("sign"),
  step: (_, arg) => `relu(sign(${arg(0)}))`,
  add: infix("+"),
  sub: infix("-"),
  mul: infix("*"),
  div: infix("/"),
  pow: infix("^"),
  leaky_relu: call("leaky_relu"),
  leaky_step: (_, arg) => `(${arg(1)} + (1 - ${arg(1)}) * relu(sign(${arg(0)})))`,
  safe_div: infix("/"),
  safe_mul: infix("*"),
  pow_log: (_, arg) => `((${arg(0)} ^ ${arg(1)}) * log(${arg(0)}))`,
  broadcast: (n, arg) => `(${arg(0)} * ${filled(n.shape, "1")})`,
  index: (n, arg) => `(${arg(0)})[${n.attrs.indices!.join(", ")}]`,
  scatter: (n, arg) => {
    const at = n.attrs.indices!;
    // A row placed in a matrix is the outer product of a unit vector with it.
    if (at.length < n.shape.length) return `outer(${unit([n.shape[0]!], at)}, ${arg(0)})`;
    return `(${arg(0)} * ${unit(n.shape, at)})`;
  },
  stack: (n, arg) => `[${n.args.map((_, i) => arg(i)).join(", ")}]`,
  transpose: call("transpose"),
  matmul: infix("@"),
  outer: call("outer"),
  trace: call("trace"),
  diag: (n, arg) => `[${Array.from({ length: n.shape[0]! }, (_, i) => `[${Array.from({ length: n.shape[0]! }, (_, j) => (i === j ? `(${arg(0)})[${i}]` : "0")).join(", ")}]`).join(", ")}]`,
  dot: call("dot"),
  sum: call("sum"),
  mean: call("mean"),
  norm2: call("norm2"),
  logsumexp: call("logsumexp"),
  softmax: call("softmax"),
  log_softmax: call("log_softmax"),
  mse: call("mse"),
  bce: call("bce"),
  bce_logits: call("bce_logits"),
  cross_entropy: call("cross_entropy"),
  softmax_cross_entropy: call("softmax_cross_entropy"),
  huber: call("huber"),
} satisfies Record<OpName, Form>;

/** n as .nnd source, written out in full (a shared node is repeated), or undefined past `maxLength` characters. */
export function printNnd(n: Node, maxLength = 100_000): string | undefined {
  const memo = new Map<Node, string>();
  const text = (m: Node): string => {
    const known = memo.get(m);
    if (known !== undefined) return known;
    const out = (forms[m.op] as Form)(m, (i) => text(m.args[i]!));
    if (out.length > maxLength) throw new RangeError("too long");
    memo.set(m, out);
    return out;
  };
  try {
    return text(n);
  } catch (e) {
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}
