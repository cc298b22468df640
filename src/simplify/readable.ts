// Rules for reading, not for running. The simplifier that feeds code
// generation keeps values exactly where they are defined and favours sharing
// and few flops; a person checking a derivative by eye wants it short and
// factored, as a textbook prints it: √u² is u, z (w / z) is w, and a
// Jacobian is a grid of entries, not a sum of unit vectors. These rules may
// change a value where the original is undefined (√u² at u < 0), so their
// results are printed, never compiled.

import type { Graph, Node } from "../graph/node.js";
import { constantValue, rewrite, type RewriteContext, type Rewritten, type Rule } from "../graph/rewrite.js";
import { simplifyRules } from "./rules.js";

/** Vectors up to this length print entry by entry, [a, b, c], instead of a e₀ + b e₁ + c e₂. */
const MAX_LITERAL = 16;

interface Signed {
  readonly sign: 1 | -1;
  readonly node: Node;
}

/** The terms of a sum through add, sub and neg. */
function termsOf(n: Node, sign: 1 | -1 = 1, out: Signed[] = []): Signed[] {
  if (n.op === "add") termsOf(n.args[0]!, sign, out), termsOf(n.args[1]!, sign, out);
  else if (n.op === "sub") termsOf(n.args[0]!, sign, out), termsOf(n.args[1]!, sign === 1 ? -1 : 1, out);
  else if (n.op === "neg") termsOf(n.args[0]!, sign === 1 ? -1 : 1, out);
  else out.push({ sign, node: n });
  return out;
}

const negated = (g: Graph, n: Node): Node => {
  const c = constantValue(n);
  return c !== undefined && n.shape.length === 0 ? g.constant(-c) : g.node("neg", [n]);
};

/** c₀ e₀ + c₂ e₂ (a vector of unit vectors) → [c₀, 0, c₂]. */
const vectorOfEntries: Rule = {
  name: "vector-of-entries",
  text: "Σ cᵢ eᵢ → [c₀, c₁, …]",
  apply(n, g, context) {
    if (n.shape.length !== 1 || n.shape[0]! > MAX_LITERAL) return undefined;
    // A lone c eᵢ reads best as it is, but for a row of a matrix.
    const sum = n.op === "add" || n.op === "sub" || n.op === "neg";
    if (!sum && !(n.op === "scatter" && context.soleUser(n) === "stack")) return undefined;
    const entries: (Node | undefined)[] = Array.from({ length: n.shape[0]! }, () => undefined);
    for (const t of termsOf(n)) {
      const zero = constantValue(t.node) === 0 || (t.node.op === "scatter" && constantValue(t.node.args[0]!) === 0);
      if (zero) continue;
      if (t.node.op !== "scatter" || t.node.args[0]!.shape.length !== 0) return undefined;
      const i = t.node.attrs.indices![0]!;
      const c = t.sign === 1 ? t.node.args[0]! : negated(g, t.node.args[0]!);
      const before = entries[i];
      entries[i] = before === undefined ? c : g.node("add", [before, c]);
    }
    return g.node("stack", entries.map((e) => e ?? g.constant(0)));
  },
};

/** √u raised to k is u^(k/2): √u² → u, √u³ → u^(3/2). */
const powerOfRoot: Rule = {
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

interface Factor {
  readonly base: Node;
  exponent: number;
}

/** A factor as base^exponent: √u is u^½, u^3 is u³, anything else its own first power. */
function asPower(n: Node): Factor {
  if (n.op === "sqrt") return { base: n.args[0]!, exponent: 0.5 };
  const k = n.op === "pow" ? constantValue(n.args[1]!) : undefined;
  return k !== undefined ? { base: n.args[0]!, exponent: k } : { base: n, exponent: 1 };
}

/** The factors of a scalar product or quotient, each with its exponent (negative below the bar), and its constant. */
function factorsOf(n: Node): { coefficient: number; factors: Factor[] } | undefined {
  let coefficient = 1;
  const factors: Factor[] = [];
  const visit = (m: Node, sign: 1 | -1): boolean => {
    const c = constantValue(m);
    if (c !== undefined && m.shape.length === 0) return (coefficient = sign === 1 ? coefficient * c : coefficient / c), true;
    if (m.shape.length !== 0) return false;
    if (m.op === "mul") return visit(m.args[0]!, sign) && visit(m.args[1]!, sign);
    if (m.op === "div") return visit(m.args[0]!, sign) && visit(m.args[1]!, sign === 1 ? -1 : 1);
    if (m.op === "neg") return (coefficient = -coefficient), visit(m.args[0]!, sign);
    const f = asPower(m);
    const same = factors.find((x) => x.base === f.base);
    if (same !== undefined) same.exponent += sign * f.exponent;
    else factors.push({ base: f.base, exponent: sign * f.exponent });
    return true;
  };
  return visit(n, 1) ? { coefficient, factors } : undefined;
}

/** z (w / z) → w, u / √u → √u: a factor above and below the bar cancels (powers of one base are added). */
const cancelFactors: Rule = {
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
function sameProductRule(): Rule {
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

/** How many non-constant factors a product is written with. */
function countFactors(n: Node): number {
  if (n.op === "mul" || n.op === "div") return countFactors(n.args[0]!) + countFactors(n.args[1]!);
  if (n.op === "neg") return countFactors(n.args[0]!);
  return constantValue(n) !== undefined ? 0 : 1;
}

function powerNode(g: Graph, f: Factor, exponent: number): Node {
  if (exponent === 1) return f.base;
  if (exponent === 0.5) return g.node("sqrt", [f.base]);
  return g.node("pow", [f.base, g.constant(exponent)]);
}

function buildProduct(g: Graph, coefficient: number, factors: readonly Factor[]): Node {
  const product = (list: readonly Node[]) => list.reduce<Node | undefined>((a, b) => (a === undefined ? b : g.node("mul", [a, b])), undefined);
  const top = product(factors.filter((f) => f.exponent > 0).map((f) => powerNode(g, f, f.exponent)));
  const bottom = product(factors.filter((f) => f.exponent < 0).map((f) => powerNode(g, f, -f.exponent)));
  const magnitude = Math.abs(coefficient);
  let body = top === undefined ? g.constant(magnitude) : magnitude === 1 ? top : g.node("mul", [g.constant(magnitude), top]);
  if (bottom !== undefined) body = g.node("div", [body, bottom]);
  return coefficient < 0 ? g.node("neg", [body]) : body;
}

/** x[i][j] → x[i, j], so that an entry of a one-hot matrix reads as 1 or 0 (index-of-scatter). */
const indexOfIndex: Rule = {
  name: "index-of-index",
  text: "(index (index x i) j) → (index x i,j)",
  apply(n, g) {
    if (n.op !== "index" || n.args[0]!.op !== "index") return undefined;
    const inner = n.args[0]!;
    return g.node("index", [inner.args[0]!], { indices: [...inner.attrs.indices!, ...n.attrs.indices!] });
  },
};

/** (E_ij)ᵀ → E_ji: a one-hot matrix transposed is the one-hot matrix of the swapped position. */
const transposeOfUnit: Rule = {
  name: "transpose-of-unit",
  text: "(transpose (scatter c [i, j])) → (scatter c [j, i])",
  apply(n, g) {
    const s = n.args[0];
    if (n.op !== "transpose" || s?.op !== "scatter" || s.shape.length !== 2 || s.attrs.indices!.length !== 2) return undefined;
    const [i, j] = s.attrs.indices! as [number, number];
    return g.node("scatter", [s.args[0]!], { indices: [j, i], shape: [s.shape[1]!, s.shape[0]!] });
  },
};

/** Row k of E_ij is c eⱼ when k = i, else zeros: the rows of a one-hot matrix. */
const rowOfUnit: Rule = {
  name: "row-of-unit",
  text: "(index (scatter c [i, j]) k) → c eⱼ if k = i, else 0",
  apply(n, g) {
    const s = n.args[0];
    if (n.op !== "index" || n.attrs.indices!.length !== 1 || s?.op !== "scatter" || s.attrs.indices!.length !== 2) return undefined;
    const [i, j] = s.attrs.indices! as [number, number];
    if (n.attrs.indices![0] !== i) return g.node("broadcast", [g.constant(0)], { shape: n.shape });
    return g.node("scatter", [s.args[0]!], { indices: [j], shape: n.shape });
  },
};

/** 0 eᵢ is the zero vector. */
const zeroScatter: Rule = {
  name: "zero-scatter",
  text: "(scatter 0 at) → 0",
  apply(n, g) {
    if (n.op !== "scatter" || constantValue(n.args[0]!) !== 0) return undefined;
    return g.node("broadcast", [g.constant(0)], { shape: n.shape });
  },
};

/**
 * A scalar sum at the top of its chain: rules that take a sum apart run
 * there once, not again at every link inside it (its user takes it whole).
 */
function isWholeScalarSum(n: Node, context: RewriteContext): boolean {
  const user = context.soleUser(n);
  return (n.op === "add" || n.op === "sub") && n.shape.length === 0 && user !== "add" && user !== "sub";
}

/** The terms of a sum, each as a coefficient and its factors (a scalar sum of products), or undefined. */
function productTerms(n: Node): { coefficient: number; factors: Factor[]; key: string }[] | undefined {
  const out: { coefficient: number; factors: Factor[]; key: string }[] = [];
  for (const t of termsOf(n)) {
    const p = factorsOf(t.node);
    if (p === undefined) return undefined;
    const factors = p.factors.filter((f) => f.exponent !== 0).sort((a, b) => a.base.id - b.base.id);
    out.push({ coefficient: t.sign * p.coefficient, factors, key: factors.map((f) => `${f.base.id}^${f.exponent}`).join(" ") });
  }
  return out;
}

/** 2 sin(x) cos(x) − 2 cos(x) sin(x) → 0: terms with the same factors, in any order, are added. */
const collectLikeTerms: Rule = {
  name: "collect-like-terms",
  text: "a·u + b·u → (a + b)·u, u a product in any order",
  apply(n, g, context) {
    if (!isWholeScalarSum(n, context)) return undefined;
    const terms = productTerms(n);
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
    return kept.map((t) => buildProduct(g, t.coefficient, t.factors)).reduce((a, b) => g.node("add", [a, b]));
  },
};

/** c eᵢ ⊙ v → (c vᵢ) eᵢ, and sum or dot of c eᵢ → its entry: a unit vector picks one entry. */
const unitPicks: Rule = {
  name: "unit-picks-entry",
  text: "(c eᵢ) ⊙ v → (c vᵢ) eᵢ; sum(c eᵢ) → c; (c eᵢ) · v → c vᵢ",
  apply(n, g) {
    const unit = (m: Node) => (m.op === "scatter" && m.shape.length === 1 && m.args[0]!.shape.length === 0 ? m : undefined);
    if (n.op === "sum") return unit(n.args[0]!)?.args[0];
    if ((n.op !== "mul" && n.op !== "dot") || n.args.some((a) => a.shape.length !== 1)) return undefined;
    const [a, b] = n.args as [Node, Node];
    const e = unit(a) ?? unit(b);
    if (e === undefined) return undefined;
    const other = e === a ? b : a;
    const i = e.attrs.indices![0]!;
    const picked = g.node("mul", [e.args[0]!, g.node("index", [other], { indices: [i] })]);
    return n.op === "dot" ? picked : g.node("scatter", [picked], { indices: [i], shape: n.shape });
  },
};

/** An elementwise op on a short vector literal is the literal of the op on each entry: [a, b] − c → [a − c, b − c]. */
const entrywise: Rule = {
  name: "entrywise-literal",
  text: "op([a₀, a₁, …], v) → [op(a₀, v₀), op(a₁, v₁), …]",
  apply(n, g) {
    if (!ELEMENTWISE.has(n.op) || n.shape.length !== 1 || n.shape[0]! > MAX_LITERAL) return undefined;
    if (!n.args.some((a) => a.op === "stack")) return undefined;
    const entry = (a: Node, i: number): Node => {
      if (a.shape.length === 0) return a;
      if (a.op === "stack") return a.args[i]!;
      if (a.op === "broadcast") return a.args[0]!;
      return g.node("index", [a], { indices: [i] });
    };
    return g.node("stack", Array.from({ length: n.shape[0]! }, (_, i) => g.node(n.op, n.args.map((a) => entry(a, i)), n.attrs)));
  },
};

/** Unit vectors beside a literal become literals too, so that e₀ − v₀ is [1 − v₀, −v₀, −v₀]. */
const unitBesideLiteral: Rule = {
  name: "unit-beside-broadcast",
  text: "eᵢ − c → [−c, …, 1 − c, …]",
  apply(n, g) {
    if ((n.op !== "add" && n.op !== "sub") || n.shape.length !== 1 || n.shape[0]! > MAX_LITERAL) return undefined;
    const [a, b] = n.args as [Node, Node];
    const scalarSide = (m: Node) => m.shape.length === 0 || m.op === "broadcast";
    const asLiteral = (m: Node) => (m.op === "scatter" && m.args[0]!.shape.length === 0 ? g.node("stack", Array.from({ length: n.shape[0]! }, (_, i) => (i === m.attrs.indices![0] ? m.args[0]! : g.constant(0)))) : undefined);
    if (scalarSide(b) && asLiteral(a) !== undefined) return g.node(n.op, [asLiteral(a)!, b]);
    if (scalarSide(a) && asLiteral(b) !== undefined) return g.node(n.op, [a, asLiteral(b)!]);
    return undefined;
  },
};

/** [a, b, c][1] → b; sum([a, b]) → a + b; [a, b] · v → a v₀ + b v₁: literals read entry by entry. */
const literalReads: Rule = {
  name: "literal-reads",
  text: "[a₀, a₁, …][i] → aᵢ; sum([a₀, …]) → a₀ + …; [a₀, …] · v → a₀ v₀ + …",
  apply(n, g) {
    const a = n.args[0];
    if (n.op === "index" && a?.op === "stack") {
      const [i, ...rest] = n.attrs.indices! as [number, ...number[]];
      const row = a.args[i]!;
      return rest.length === 0 ? row : g.node("index", [row], { indices: rest });
    }
    const sumOf = (terms: Node[]) => terms.reduce((x, y) => g.node("add", [x, y]));
    if (n.op === "sum" && a?.op === "stack" && a.args.every((x) => x.shape.length === 0)) return sumOf([...a.args]);
    if (n.op === "dot" && n.args.some((x) => x.op === "stack" && x.shape.length === 1)) {
      const [lit, other] = a!.op === "stack" ? [a!, n.args[1]!] : [n.args[1]!, a!];
      const entry = (i: number) => (other.op === "stack" ? other.args[i]! : g.node("index", [other], { indices: [i] }));
      return sumOf(lit.args.map((x, i) => g.node("mul", [x, entry(i)])));
    }
    return undefined;
  },
};

/** (2 x)² → 4 x², (x / y)³ → x³ / y³: an integer power of a scalar product is the product of the powers. */
const powerOfProduct: Rule = {
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
const factorCommon: Rule = {
  name: "factor-common",
  text: "a b + a c → a (b + c)",
  apply(n, g, context) {
    if (!isWholeScalarSum(n, context)) return undefined;
    const terms = productTerms(n);
    if (terms === undefined || terms.length < 2) return undefined;
    const common = terms[0]!.factors
      .map((f) => ({ base: f.base, exponent: Math.min(...terms.map((t) => t.factors.find((x) => x.base === f.base)?.exponent ?? 0)) }))
      .filter((f) => f.exponent > 0);
    const magnitude = Math.abs(terms[0]!.coefficient);
    const sharedCoefficient = magnitude !== 1 && terms.every((t) => Math.abs(t.coefficient) === magnitude) ? magnitude : 1;
    if (common.length === 0 && sharedCoefficient === 1) return undefined;
    const rest = terms.map((t) => buildProduct(g, t.coefficient / sharedCoefficient, t.factors.map((f) => ({ base: f.base, exponent: f.exponent - (common.find((c) => c.base === f.base)?.exponent ?? 0) })).filter((f) => f.exponent !== 0)));
    const sum = rest.reduce((a, b) => g.node("add", [a, b]));
    return buildProduct(g, sharedCoefficient, [...common, { base: sum, exponent: 1 }]);
  },
};

/**
 * a / D − b / D² → (a D − b) / D²: terms of a sum over powers of one
 * denominator are put over its highest power (√D counts as D to the ½), as a
 * textbook combines 1 / (1 + x²) − 2 x² / (1 + x²)² into (1 − x²) / (1 + x²)².
 */
const commonDenominator: Rule = {
  name: "common-denominator",
  text: "a / Dᵐ + b / Dⁿ → (a Dⁿ⁻ᵐ + b) / Dⁿ, n ≥ m",
  apply(n, g, context) {
    if (!isWholeScalarSum(n, context)) return undefined;
    const terms = productTerms(n);
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
    const numerator = numerators.reduce((a, b) => g.node("add", [a, b]));
    const combined = buildProduct(g, 1, [{ base: numerator, exponent: 1 }, { base, exponent: -top }]);
    return [combined, ...rest.map((t) => buildProduct(g, t.coefficient, t.factors))].reduce((a, b) => g.node("add", [a, b]));
  },
};

/**
 * sin a cos b + cos a sin b → sin(a + b), and 2 sin a cos a → sin(2 a): the
 * angle-sum identities, which the product rule on trigonometric factors
 * leaves written out.
 */
const angleSum: Rule = {
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
const spreadConstant: Rule = {
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
    const merged = spread.map((t) => (t.sign === 1 ? t.node : negated(g, t.node))).reduce((a, b) => g.node("add", [a, b]));
    // Only when like terms then meet: otherwise c (b + d) is the shorter form.
    const collected = collectLikeTerms.apply(merged, g, context);
    return collected;
  },
};

const ELEMENTWISE = new Set<string>(["neg", "add", "sub", "mul", "div"]);

export const readableRules: readonly Rule[] = [
  vectorOfEntries, powerOfRoot, cancelFactors, indexOfIndex, transposeOfUnit, rowOfUnit, zeroScatter, collectLikeTerms,
  unitPicks, entrywise, unitBesideLiteral, literalReads, powerOfProduct, factorCommon, commonDenominator, angleSum, spreadConstant,
];

/** The rules that only change how a value is laid out (literals, unit vectors, powers of roots), not its algebra: for a fn's own value, as the user wrote it. */
const LAYOUT = new Set(["vector-of-entries", "power-of-root", "index-of-index", "transpose-of-unit", "row-of-unit", "zero-scatter", "unit-picks-entry", "entrywise-literal", "unit-beside-broadcast", "literal-reads"]);
export const layoutRules: readonly Rule[] = readableRules.filter((r) => LAYOUT.has(r.name));

/**
 * sum(y) → 1 for a class target (one-hot in every example), so that the
 * softmax cross-entropy's error reads ŷ − y. For the reader only: the
 * compiled code keeps sum(y), and stays right for soft targets.
 */
function classTargetRule(oneHot: ReadonlySet<Node>): Rule {
  return {
    name: "class-target-sum",
    text: "sum(y) → 1 for a class target y",
    apply(n, g) {
      return n.op === "sum" && oneHot.has(n.args[0]!) ? g.constant(1) : undefined;
    },
  };
}

/**
 * The roots rewritten for a reader: these rules and the code simplifier's,
 * to a fixed point, then one product in one order (same-product keeps
 * state, so it is made per call). `oneHot` holds the class targets'
 * variables; `rules` may be layoutRules, for a value shown as written.
 */
export function readable(g: Graph, roots: readonly Node[], oneHot: ReadonlySet<Node> = new Set(), rules: readonly Rule[] = readableRules): Rewritten {
  const tidied = rewrite(g, roots, [...rules, classTargetRule(oneHot), ...simplifyRules]);
  // Last, on its own: among the other rules, a product it points back to an
  // earlier form of would be normalised again, and again.
  const unified = rewrite(g, tidied.roots, [sameProductRule()]);
  const mapping = new Map([...tidied.mapping].map(([from, to]) => [from, unified.mapping.get(to) ?? to]));
  return { roots: unified.roots, mapping, steps: [...tidied.steps, ...unified.steps] };
}

/** Names given to nodes before a rewrite, moved to the nodes that replaced them. */
export function carryNames(names: ReadonlyMap<Node, string>, r: Rewritten): Map<Node, string> {
  const out = new Map<Node, string>();
  for (const [n, name] of names) {
    const to = r.mapping.get(n) ?? n;
    if (!out.has(to)) out.set(to, name);
  }
  return out;
}
