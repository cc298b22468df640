// The pieces the rules for readers take formulas apart into: the terms of a
// sum (each with its sign), and the factors of a product (each a base to a
// power, √u being u to the ½), with the functions that build them back.

import type { Graph, Node } from "../graph/node.js";
import { constantValue, type RewriteContext } from "../graph/rewrite.js";

/** Vectors up to this length print entry by entry, [a, b, c], instead of a e₀ + b e₁ + c e₂. */
export const MAX_LITERAL = 16;

/** Sums and products of more terms or factors than this are left as they are: collecting them costs their square. */
export const MAX_PARTS = 256;

export interface Signed {
  readonly sign: 1 | -1;
  readonly node: Node;
}

/** The terms of a sum through add, sub and neg. */
export function termsOf(n: Node, sign: 1 | -1 = 1, out: Signed[] = []): Signed[] {
  if (n.op === "add") termsOf(n.args[0]!, sign, out), termsOf(n.args[1]!, sign, out);
  else if (n.op === "sub") termsOf(n.args[0]!, sign, out), termsOf(n.args[1]!, sign === 1 ? -1 : 1, out);
  else if (n.op === "neg") termsOf(n.args[0]!, sign === 1 ? -1 : 1, out);
  else out.push({ sign, node: n });
  return out;
}

export const negated = (g: Graph, n: Node): Node => {
  const c = constantValue(n);
  return c !== undefined && n.shape.length === 0 ? g.constant(-c) : g.node("neg", [n]);
};

export interface Factor {
  readonly base: Node;
  exponent: number;
}

/** A factor as base^exponent: √u is u^½, u^3 is u³, anything else its own first power. */
export function asPower(n: Node): Factor {
  if (n.op === "sqrt") return { base: n.args[0]!, exponent: 0.5 };
  const k = n.op === "pow" ? constantValue(n.args[1]!) : undefined;
  return k !== undefined ? { base: n.args[0]!, exponent: k } : { base: n, exponent: 1 };
}

/** The factors of a scalar product or quotient, each with its exponent (negative below the bar), and its constant. */
export function factorsOf(n: Node): { coefficient: number; factors: Factor[] } | undefined {
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
  return visit(n, 1) && factors.length <= MAX_PARTS ? { coefficient, factors } : undefined;
}

/** How many non-constant factors a product is written with. */
export function countFactors(n: Node): number {
  if (n.op === "mul" || n.op === "div") return countFactors(n.args[0]!) + countFactors(n.args[1]!);
  if (n.op === "neg") return countFactors(n.args[0]!);
  return constantValue(n) !== undefined ? 0 : 1;
}

export function powerNode(g: Graph, f: Factor, exponent: number): Node {
  if (exponent === 1) return f.base;
  if (exponent === 0.5) return g.node("sqrt", [f.base]);
  return g.node("pow", [f.base, g.constant(exponent)]);
}

export function buildProduct(g: Graph, coefficient: number, factors: readonly Factor[]): Node {
  const product = (list: readonly Node[]) => list.reduce<Node | undefined>((a, b) => (a === undefined ? b : g.node("mul", [a, b])), undefined);
  const top = product(factors.filter((f) => f.exponent > 0).map((f) => powerNode(g, f, f.exponent)));
  const bottom = product(factors.filter((f) => f.exponent < 0).map((f) => powerNode(g, f, -f.exponent)));
  const magnitude = Math.abs(coefficient);
  let body = top === undefined ? g.constant(magnitude) : magnitude === 1 ? top : g.node("mul", [g.constant(magnitude), top]);
  if (bottom !== undefined) body = g.node("div", [body, bottom]);
  return coefficient < 0 ? g.node("neg", [body]) : body;
}

/**
 * A scalar sum at the top of its chain: rules that take a sum apart run
 * there once, not again at every link inside it (its user takes it whole).
 */
export function isWholeScalarSum(n: Node, context: RewriteContext): boolean {
  const user = context.soleUser(n);
  return (n.op === "add" || n.op === "sub") && n.shape.length === 0 && user !== "add" && user !== "sub";
}

/** The terms of a sum, each as a coefficient and its factors (a scalar sum of products), or undefined. */
/** A term of a sum as a product: its coefficient, its factors in node order, and a key equal for like terms. */
export interface ProductTerm {
  readonly coefficient: number;
  readonly factors: Factor[];
  readonly key: string;
}

export function productTerms(n: Node): ProductTerm[] | undefined {
  const out: ProductTerm[] = [];
  const terms = termsOf(n);
  if (terms.length > MAX_PARTS) return undefined;
  for (const t of terms) {
    const p = factorsOf(t.node);
    if (p === undefined) return undefined;
    const factors = p.factors.filter((f) => f.exponent !== 0).sort((a, b) => a.base.id - b.base.id);
    out.push({ coefficient: t.sign * p.coefficient, factors, key: factors.map((f) => `${f.base.id}^${f.exponent}`).join(" ") });
  }
  return out;
}

/** The terms of a whole scalar sum (see isWholeScalarSum) as products, or undefined: what the rules that take a sum apart start from. */
export function wholeSumTerms(n: Node, context: RewriteContext): ProductTerm[] | undefined {
  return isWholeScalarSum(n, context) ? productTerms(n) : undefined;
}

/** a + b + c, left to right. */
export const sumOf = (g: Graph, terms: readonly Node[]): Node => terms.reduce((a, b) => g.node("add", [a, b]));
