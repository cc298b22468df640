// Random well-typed expressions in .nnd syntax, by shape, for property tests.
// Every op the language has appears, in forms that stay inside their domains
// (log and sqrt of 1 + e², division by 1 + e²), so values are finite and the
// comparisons mean something.

import fc from "fast-check";

/** The arguments every generated fn takes. */
export const ARGS = "x, y, u: [3], v: [3], A: [2, 3]";
export const ARG_SHAPES: Record<string, number[]> = { x: [], y: [], u: [3], v: [3], A: [2, 3] };

type Gen = fc.Arbitrary<string>;

const call = (name: string, ...args: string[]) => `${name}(${args.join(", ")})`;

export const expressions = fc.letrec<{ S: string; V: string; W: string; M: string }>((tie) => {
  const S = tie("S") as Gen;
  const V = tie("V") as Gen;
  const W = tie("W") as Gen; // [2]
  const M = tie("M") as Gen; // [2, 3]
  const unary = (inner: Gen) =>
    fc.tuple(fc.constantFrom("exp", "sin", "cos", "tanh", "sigmoid", "softplus", "-"), inner).map(([f, e]) =>
      f === "-" ? `-(${e})` : call(f, e),
    );
  const safe = (inner: Gen) =>
    fc.tuple(fc.constantFrom("log", "sqrt", "div", "sq", "cube"), inner).map(([f, e]) => {
      switch (f) {
        case "log":
          return `log(1 + (${e})^2)`;
        case "sqrt":
          return `sqrt(1 + (${e})^2)`;
        case "div":
          return `(${e}) / (1 + (${e})^2)`;
        case "sq":
          return `(${e})^2`;
        default:
          return `(${e})^3`;
      }
    });
  const arith = (a: Gen, b: Gen) => fc.tuple(a, fc.constantFrom("+", "-", "*"), b).map(([x, op, y]) => `(${x} ${op} ${y})`);
  return {
    S: fc.oneof(
      { depthSize: "small", maxDepth: 5 },
      fc.constantFrom("x", "y", "0.5", "2", "pi", "u[1]", "A[1, 2]"),
      unary(S),
      safe(S),
      arith(S, S),
      fc.tuple(fc.constantFrom("sum", "mean", "logsumexp", "norm2"), V).map(([f, e]) => call(f, e)),
      fc.tuple(V, V).map(([a, b]) => `(${a}) @ (${b})`),
      fc.tuple(V, V).map(([a, b]) => call("dot", a, b)),
      fc.tuple(fc.constantFrom("mse", "softmax_cross_entropy", "bce_logits"), V, V).map(([f, a, b]) =>
        f === "bce_logits" ? call(f, a, `sigmoid(${b})`) : call(f, a, b),
      ),
      // Probabilities from bounded logits: where a probability rounds to 0 or
      // 1, the oracle (which takes the log as written) loses all precision
      // and only the stable form is right; that is tested in quality.test.ts.
      fc.tuple(V, V).map(([a, b]) => call("cross_entropy", `softmax(tanh(${a}))`, `sigmoid(${b})`)),
      fc.tuple(S, S).map(([a, b]) => call("bce", `sigmoid(tanh(${a}))`, `sigmoid(${b})`)),
      fc.tuple(V, V, S).map(([a, b, d]) => call("huber", a, b, `1 + (${d})^2`)),
      fc.tuple(M).map(([m]) => call("sum", m)),
      fc.tuple(V).map(([e]) => `(${e})[2]`),
    ),
    V: fc.oneof(
      { depthSize: "small", maxDepth: 5 },
      fc.constantFrom("u", "v", "[x, y, 1]"),
      unary(V),
      safe(V),
      arith(V, V),
      arith(V, S),
      arith(S, V),
      fc.tuple(fc.constantFrom("softmax", "log_softmax"), V).map(([f, e]) => call(f, e)),
      fc.tuple(M, W).map(([m, w]) => `transpose(${m}) @ (${w})`),
      fc.tuple(W, M).map(([w, m]) => `(${w}) @ (${m})`),
      fc.tuple(M).map(([m]) => `(${m})[0]`),
    ),
    W: fc.oneof({ depthSize: "small", maxDepth: 4 }, fc.constant("[x, y]"), fc.tuple(M, V).map(([m, v]) => `(${m}) @ (${v})`), unary(W)),
    M: fc.oneof(
      { depthSize: "small", maxDepth: 4 },
      fc.constant("A"),
      unary(M),
      fc.tuple(W, V).map(([w, v]) => call("outer", w, v)),
      arith(M, S),
      fc.tuple(M, M).map(([a, b]) => `(${a} * ${b})`),
    ),
  };
});

export const scalarFn = expressions.S.map((body) => `fn f(${ARGS}) = ${body}`);
