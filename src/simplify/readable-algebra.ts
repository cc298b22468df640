// Rules for reading algebra: roots and powers folded, factors cancelled,
// like terms collected, common factors and denominators taken out, the
// angle-sum identities; and one order for the factors of a product.

import type { Node } from "../graph/node.js";
import { constantValue, type Rule } from "../graph/rewrite.js";
import { buildProduct, countFactors, factorsOf, isWholeScalarSum, negated, productTerms, sumOf, termsOf, wholeSumTerms, type Factor } from "./readable-terms.js";

/** √u raised to k is u^(k/2): √u² → u, √u³ → u^(3/2). */
export const powerOfRoot: Rule = {
  name: "power-of-root",
  text: "(√u)^k → u^(k/2)",
  apply(n, g) {
    if (n.op !== "pow" || n.args[0]!.op !== "sqrt") return undefined;
    const k = constantValue(n.args[1]!);
    if (k === undefined) return undefined;
    const u = n.args[0]!.args[0]!;
    return k === 2 ? u : g.node("pow", [u, g.constant(k / 2)]);
  },
};

/** z (w / z) → w, u / √u → √u: a factor above and below the bar cancels (powers of one base are added). */
export const cancelFactors: Rule = {
  name: "cancel-common-factor",
  text: "a b / a → b, aⁿ / aᵐ → aⁿ⁻ᵐ",
  apply(n, g) {
    if ((n.op !== "mul" && n.op !== "div") || n.shape.length !== 0) return undefined;
    const product = factorsOf(n);
    if (product === undefined || product.factors.length >= countFactors(n)) return undefined;
    return buildProduct(g, product.coefficient, product.factors.filter((f) => f.exponent !== 0));
  },
};

/**
 * b a → a b where a b was seen first: one product in one order, so that it
 * is one node (and one name) wherever it appears. The first order met, bottom
 * up, is kept: the order the user wrote, where they wrote it.
 */
export function sameProductRule(): Rule {
  const first = new Map<string, Node>();
  return {
    name: "same-product",
    text: "b a → a b, when a b came first",
    apply(n) {
      if ((n.op !== "mul" && n.op !== "div") || n.shape.length !== 0) return undefined;
      const product = factorsOf(n);
      if (product === undefined || product.factors.length < 2) return undefined;
      const key = `${product.coefficient}|${[...product.factors].sort((a, b) => a.base.id - b.base.id).map((f) => `${f.base.id}^${f.exponent}`).join(" ")}`;
      const seen = first.get(key);
      if (seen === undefined) first.set(key, n);
      return seen;
    },
  };
}

/** 2 sin(x) cos(x) − 2 cos(x) sin(x) → 0: terms with the same factors, in any order, are added. */
export const collectLikeTerms: Rule = {
  name: "collect-like-terms",
  text: "a·u + b·u → (a + b)·u, u a product in any order",
  apply(n, g, context) {
    const terms = wholeSumTerms(n, context);
    if (terms === undefined) return undefined;
    const merged = new Map<string, { coefficient: number; factors: Factor[] }>();
    for (const t of terms) {
      const same = merged.get(t.key);
      if (same !== undefined) same.coefficient += t.coefficient;
      else merged.set(t.key, { coefficient: t.coefficient, factors: t.factors });
    }
    if (merged.size === terms.length) return undefined;
    const kept = [...merged.values()].filter((t) => t.coefficient !== 0);
    if (kept.length === 0) return g.constant(0);
    return sumOf(g, kept.map((t) => buildProduct(g, t.coefficient, t.factors)));
  },
};

/** (2 x)² → 4 x², (x / y)³ → x³ / y³: an integer power of a scalar product is the product of the powers. */
export const powerOfProduct: Rule = {
  name: "power-of-product",
  text: "(c a / b)ⁿ → cⁿ aⁿ / bⁿ, n an integer",
  apply(n, g) {
    if (n.op !== "pow" || n.shape.length !== 0) return undefined;
    const k = constantValue(n.args[1]!);
    const base = n.args[0]!;
    if (k === undefined || !Number.isInteger(k) || (base.op !== "mul" && base.op !== "div" && base.op !== "neg")) return undefined;
    const p = factorsOf(base);
    if (p === undefined) return undefined;
    return buildProduct(g, p.coefficient ** k, p.factors.map((f) => ({ base: f.base, exponent: f.exponent * k })));
  },
};

/** a b + a c → a (b + c): the factors every term of a sum has (to the lowest power), and a coefficient they all share, come out. */
export const factorCommon: Rule = {
  name: "factor-common",
  text: "a b + a c → a (b + c)",
  apply(n, g, context) {
    const terms = wholeSumTerms(n, context);
    if (terms === undefined || terms.length < 2) return undefined;
    const common = terms[0]!.factors
      .map((f) => ({ base: f.base, exponent: Math.min(...terms.map((t) => t.factors.find((x) => x.base === f.base)?.exponent ?? 0)) }))
      .filter((f) => f.exponent > 0);
    const magnitude = Math.abs(terms[0]!.coefficient);
    const sharedCoefficient = magnitude !== 1 && terms.every((t) => Math.abs(t.coefficient) === magnitude) ? magnitude : 1;
    if (common.length === 0 && sharedCoefficient === 1) return undefined;
    const rest = terms.map((t) => buildProduct(g, t.coefficient / sharedCoefficient, t.factors.map((f) => ({ base: f.base, exponent: f.exponent - (common.find((c) => c.base === f.base)?.exponent ?? 0) })).filter((f) => f.exponent !== 0)));
    return buildProduct(g, sharedCoefficient, [...common, { base: sumOf(g, rest), exponent: 1 }]);
  },
};

/**
 * a / D − b / D² → (a D − b) / D²: terms of a sum over powers of one
 * denominator are put over its highest power (√D counts as D to the ½), as a
 * textbook combines 1 / (1 + x²) − 2 x² / (1 + x²)² into (1 − x²) / (1 + x²)².
 */
export const commonDenominator: Rule = {
  name: "common-denominator",
  text: "a / Dᵐ + b / Dⁿ → (a Dⁿ⁻ᵐ + b) / Dⁿ, n ≥ m",
  apply(n, g, context) {
    const terms = wholeSumTerms(n, context);
    if (terms === undefined) return undefined;
    // The denominator base shared by most terms.
    const counts = new Map<Node, number>();
    for (const t of terms) for (const f of t.factors) if (f.exponent < 0) counts.set(f.base, (counts.get(f.base) ?? 0) + 1);
    const [base, shared] = [...counts].sort((a, b) => b[1] - a[1] || a[0].id - b[0].id)[0] ?? [undefined, 0];
    if (base === undefined || shared < 2) return undefined;
    const depth = (t: (typeof terms)[number]) => -(t.factors.find((f) => f.base === base)?.exponent ?? 0);
    const top = Math.max(...terms.map(depth));
    const over = terms.filter((t) => depth(t) > 0);
    const rest = terms.filter((t) => depth(t) <= 0);
    // Each term over the denominator: its own power of it raised to the highest.
    const numerators = over.map((t) => buildProduct(g, t.coefficient, t.factors.map((f) => (f.base === base ? { base, exponent: f.exponent + top } : f)).filter((f) => f.exponent !== 0)));
    const numerator = sumOf(g, numerators);
    const combined = buildProduct(g, 1, [{ base: numerator, exponent: 1 }, { base, exponent: -top }]);
    return sumOf(g, [combined, ...rest.map((t) => buildProduct(g, t.coefficient, t.factors))]);
  },
};

/**
 * sin a cos b + cos a sin b → sin(a + b), and 2 sin a cos a → sin(2 a): the
 * angle-sum identities, which the product rule on trigonometric factors
 * leaves written out.
 */
export const angleSum: Rule = {
  name: "angle-sum",
  text: "c sin a cos b + c cos a sin b → c sin(a + b); 2 sin a cos a → sin(2 a)",
  apply(n, g) {
    if (n.shape.length !== 0) return undefined;
    const trig = (t: { coefficient: number; factors: Factor[] }) => {
      if (t.factors.length !== 2 || t.factors.some((f) => f.exponent !== 1)) return undefined;
      const sin = t.factors.find((f) => f.base.op === "sin");
      const cos = t.factors.find((f) => f.base.op === "cos");
      return sin === undefined || cos === undefined ? undefined : { c: t.coefficient, a: sin.base.args[0]!, b: cos.base.args[0]! };
    };
    if (n.op === "mul") {
      const p = factorsOf(n);
      const t = p === undefined ? undefined : trig(p);
      if (t === undefined || t.a !== t.b || Math.abs(t.c) !== 2) return undefined;
      return buildProduct(g, t.c / 2, [{ base: g.node("sin", [g.node("mul", [g.constant(2), t.a])]), exponent: 1 }]);
    }
    if (n.op !== "add" && n.op !== "sub") return undefined;
    const terms = productTerms(n);
    if (terms === undefined || terms.length !== 2) return undefined;
    const [p, q] = terms.map(trig);
    if (p === undefined || q === undefined || p.c !== q.c || p.a !== q.b || p.b !== q.a) return undefined;
    return buildProduct(g, p.c, [{ base: g.node("sin", [g.node("add", [p.a, p.b])]), exponent: 1 }]);
  },
};

/** 2 (x − 1) + x + 1 → 2 x − 2 + x + 1 (then 3 x − 1): a constant times a sum, as a term of a sum, is spread over it so like terms meet. */
export const spreadConstant: Rule = {
  name: "spread-constant",
  text: "a + c (b + d) → a + c b + c d, c a constant",
  apply(n, g, context) {
    if (!isWholeScalarSum(n, context)) return undefined;
    const terms = termsOf(n);
    const spread = terms.flatMap((t) => {
      const p = t.node.op === "mul" ? factorsOf(t.node) : undefined;
      const inner = p !== undefined && p.factors.length === 1 && p.factors[0]!.exponent === 1 ? p.factors[0]!.base : undefined;
      if (inner === undefined || (inner.op !== "add" && inner.op !== "sub")) return [t];
      return termsOf(inner).map((u) => ({ sign: t.sign, node: buildProduct(g, u.sign * p!.coefficient, [{ base: u.node, exponent: 1 }]) }));
    });
    if (spread.length === terms.length) return undefined;
    const merged = sumOf(g, spread.map((t) => (t.sign === 1 ? t.node : negated(g, t.node))));
    // Only when like terms then meet: otherwise c (b + d) is the shorter form.
    const collected = collectLikeTerms.apply(merged, g, context);
    return collected;
  },
};

/** 2 (1 + ½ u) v → (2 + u) v: a constant goes into the one sum of a product when that clears the sum's fractions. */
export const clearFractions: Rule = {
  name: "clear-fractions",
  text: "c (a + b/c) → (c a + b)",
  apply(n, g) {
    if (n.op !== "mul" && n.op !== "div") return undefined;
    const p = factorsOf(n);
    if (p === undefined || p.coefficient === 1) return undefined;
    const sums = p.factors.filter((f) => f.exponent === 1 && (f.base.op === "add" || f.base.op === "sub"));
    if (sums.length !== 1) return undefined;
    const sum = sums[0]!.base;
    const terms = productTerms(sum);
    if (terms === undefined) return undefined;
    const scaled = terms.map((t) => t.coefficient * p.coefficient);
    if (!scaled.every(Number.isInteger) || terms.every((t) => Number.isInteger(t.coefficient))) return undefined;
    const inner = sumOf(g, terms.map((t, k) => buildProduct(g, scaled[k]!, t.factors)));
    return buildProduct(g, 1, p.factors.map((f) => (f.base === sum ? { base: inner, exponent: 1 } : f)));
  },
};
