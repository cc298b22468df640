// Special functions, entry by entry. JavaScript has no erf, so the module
// carries one (the same algorithm as the reference here, operation for
// operation, so the two agree to the last bit): for |x| < 2.5 the series
// erf(x) = 2/√π · x e^(−x²) Σₙ (2x²)ⁿ / (2n+1)!!, whose terms are all
// positive (no cancellation), to n = 36; above, erfc(x) by its continued
// fraction e^(−x²)/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …)))), 40 levels;
// past 6, erf is ±1 in f64. Both are within 1e-15 of the true value.

import { bin, call, cast, intrinsic, num, ref, type Expr, type Helper, type Stmt } from "../ir/ir.js";
import type { OpDef } from "./op.js";
import type { specialOps } from "./names.js";
import { builtinOfOne, operand, unary } from "./elementwise.js";

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const SQRT_PI = Math.sqrt(Math.PI);
/** 1 / √(2π): the standard normal density at 0. */
const NORMAL_DENSITY = 1 / Math.sqrt(2 * Math.PI);
const SERIES_TERMS = 36;
const FRACTION_LEVELS = 40;

export function erf(x: number): number {
  const a = Math.abs(x);
  if (a > 6) return x > 0 ? 1 : -1;
  if (a < 2.5) {
    const t = 2 * x * x;
    let s = 1;
    for (let k = 0; k < SERIES_TERMS; k++) s = 1 + (t / (2 * SERIES_TERMS + 1 - 2 * k)) * s;
    return TWO_OVER_SQRT_PI * x * Math.exp(-(x * x)) * s;
  }
  let f = a;
  for (let k = 0; k < FRACTION_LEVELS; k++) f = a + (FRACTION_LEVELS / 2 - 0.5 * k) / f;
  const c = Math.exp(-(a * a)) / SQRT_PI / f;
  return x > 0 ? 1 - c : c - 1;
}

/** The same, in the IR, for the generated module. */
const erfHelper: Helper = (() => {
  const [x, a, t, s, k, f, c] = ["x", "a", "t", "s", "k", "f", "c"].map(ref) as [Expr, Expr, Expr, Expr, Expr, Expr, Expr];
  const sign = (one: Expr, minusOne: Expr): Expr => ({ k: "cond", test: bin(">", x, num(0)), then: one, else: minusOne });
  const body: Stmt[] = [
    { k: "decl", mutable: false, type: "f64", name: "a", init: intrinsic("abs", x) },
    { k: "if", test: bin(">", a, num(6)), body: [{ k: "return", value: sign(num(1), num(-1)) }] },
    {
      k: "if",
      test: bin("<", a, num(2.5)),
      body: [
        { k: "decl", mutable: false, type: "f64", name: "t", init: bin("*", bin("*", num(2), x), x) },
        { k: "decl", mutable: true, type: "f64", name: "s", init: num(1) },
        { k: "for", index: "k", from: num(0), to: num(SERIES_TERMS), body: [{ k: "set", name: "s", op: "=", value: bin("+", num(1), bin("*", bin("/", t, bin("-", num(2 * SERIES_TERMS + 1), bin("*", num(2), cast("f64", k)))), s)) }] },
        { k: "return", value: bin("*", bin("*", bin("*", num(TWO_OVER_SQRT_PI), x), intrinsic("exp", { k: "neg", a: bin("*", x, x) })), s) },
      ],
    },
    { k: "decl", mutable: true, type: "f64", name: "f", init: a },
    { k: "for", index: "k", from: num(0), to: num(FRACTION_LEVELS), body: [{ k: "set", name: "f", op: "=", value: bin("+", a, bin("/", bin("-", num(FRACTION_LEVELS / 2), bin("*", num(0.5), cast("f64", k))), f)) }] },
    { k: "decl", mutable: false, type: "f64", name: "c", init: bin("/", bin("/", intrinsic("exp", { k: "neg", a: bin("*", a, a) }), num(SQRT_PI)), f) },
    { k: "return", value: sign(bin("-", num(1), c), bin("-", c, num(1))) },
  ];
  return { name: "erf", params: ["x"], body };
})();

/** x Φ(x) in PyTorch's exact form, x · ½ (1 + erf(x / √2)), so values match torch.nn.functional.gelu to the last bit. */
const gelu = (x: number) => x * 0.5 * (1 + erf(x * Math.SQRT1_2));

export const specialEntries = {
  erf: unary(erf, {
    vjp: {
      rule: "chain rule (erf' = 2/√π · exp(−x²))",
      grads: (g, [x], _, $) => [$.mul(g, $.mul($.c(TWO_OVER_SQRT_PI), $.exp($.neg($.pow(x!, $.c(2))))))],
    },
    print: { fn: "erf", latex: "\\operatorname{erf}" },
    lowering: { kind: "scalar", scalar: ([x]) => call("erf", x!), helpers: [erfHelper] },
    builtin: builtinOfOne("the error function 2/√π ∫₀ˣ e^(−t²) dt, elementwise", (x) => `2 / sqrt(pi) * exp(-${operand(x)}^2)`),
    cost: 40,
  }),
  gelu: unary(gelu, {
    // Φ(x) + x φ(x), as PyTorch's gelu_backward computes it.
    vjp: {
      rule: "chain rule (gelu' = Φ(x) + x φ(x))",
      grads: (g, [x], _, $) => {
        const cdf = $.mul($.c(0.5), $.add($.c(1), $.erf($.mul(x!, $.c(Math.SQRT1_2)))));
        const pdf = $.mul($.c(NORMAL_DENSITY), $.exp($.mul($.c(-0.5), $.pow(x!, $.c(2)))));
        return [$.mul(g, $.add(cdf, $.mul(x!, pdf)))];
      },
    },
    print: { fn: "gelu", latex: "\\operatorname{gelu}" },
    lowering: {
      kind: "scalar",
      scalar: ([x]) => bin("*", bin("*", x!, num(0.5)), bin("+", num(1), call("erf", bin("*", x!, num(Math.SQRT1_2))))),
      helpers: [erfHelper],
    },
    builtin: builtinOfOne(
      "x Φ(x) = x (1 + erf(x / √2)) / 2, elementwise (PyTorch's exact GELU)",
      (x) => `(1 + erf(${operand(x)} / sqrt(2))) / 2 + ${operand(x)} * exp(-${operand(x)}^2 / 2) / sqrt(2 * pi)`,
    ),
    cost: 44,
  }),
} satisfies Record<(typeof specialOps)[number], OpDef>;
