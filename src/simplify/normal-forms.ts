// Two rules that see a whole product or a whole sum at once, where pairwise
// rules would need many steps (and many rules) to reach the same place:
//   product: 2 · (1 / (2·√u)) · x      → x / √u
//   sum:     −sin x − sin x             → −2 sin x
// Both keep the order in which factors and terms were written, put the
// constant coefficient first, and are idempotent (a normal form maps to itself).
// Neither looks inside a large node that is used elsewhere: that node stays
// whole, so sharing (and with it the linear size of derivatives) survives.

import { sameShape } from "../tensor/shape.js";
import type { Graph, Node } from "../graph/node.js";
import { constantValue, type RewriteContext, type Rule } from "../graph/rewrite.js";

/**
 * A shared product or sum this small is still opened up: copying a few
 * factors costs less than the simplification it allows, and keeps the cost
 * per node constant, so derivatives still grow linearly.
 */
const SMALL = 3;
const PRODUCT_OPS = new Set(["mul", "div", "neg"]);
const SUM_OPS = new Set(["add", "sub", "neg"]);
/** Ops whose normal form takes in an unshared mul or div below them (an add below them, for sums). */
const PRODUCT_USERS = new Set<string>(["mul", "div"]);
const SUM_USERS = new Set<string>(["add", "sub"]);

/** Factors (or terms) a node would flatten into, counting no further than SMALL + 1. */
function leafCount(n: Node, through: ReadonlySet<string>): number {
  let count = 0;
  const stack = [n];
  while (stack.length > 0 && count <= SMALL) {
    const m = stack.pop()!;
    if (through.has(m.op)) stack.push(...m.args);
    else count++;
  }
  return count + stack.length;
}

interface Product {
  coefficient: number;
  numerator: Node[];
  denominator: Node[];
}

/** Flattens nested elementwise mul, div and neg into one product (a loop: chains can be long). */
function flattenProduct(n: Node, context: RewriteContext): Product {
  const p: Product = { coefficient: 1, numerator: [], denominator: [] };
  const stack: [Node, boolean][] = [[n, false]];
  while (stack.length > 0) {
    const [m, inverted] = stack.pop()!;
    const c = constantValue(m);
    if (c !== undefined && m.shape.length === 0) {
      p.coefficient = inverted ? p.coefficient / c : p.coefficient * c;
    } else if (m !== n && context.shared(m) && leafCount(m, PRODUCT_OPS) > SMALL) {
      (inverted ? p.denominator : p.numerator).push(m);
    } else if (m.op === "mul") {
      // Pushed right first, so the left factor comes out first: written order.
      stack.push([m.args[1]!, inverted], [m.args[0]!, inverted]);
    } else if (m.op === "div") {
      stack.push([m.args[1]!, !inverted], [m.args[0]!, inverted]);
    } else if (m.op === "neg") {
      p.coefficient = -p.coefficient;
      stack.push([m.args[0]!, inverted]);
    } else (inverted ? p.denominator : p.numerator).push(m);
  }
  return p;
}

/** x · x² → x³ within one side of a product (never across the fraction bar). */
function mergePowers(g: Graph, factors: Node[]): Node[] {
  const out: { base: Node; exponent: number; node: Node }[] = [];
  const byBase = new Map<Node, (typeof out)[number]>();
  for (const f of factors) {
    const [base, exponent] =
      f.op === "pow" && constantValue(f.args[1]!) !== undefined && f.args[1]!.shape.length === 0
        ? [f.args[0]!, constantValue(f.args[1]!)!]
        : [f, 1];
    const same = byBase.get(base);
    if (same !== undefined) {
      same.exponent += exponent;
      same.node = g.node("pow", [base, g.constant(same.exponent)]);
    } else {
      const entry = { base, exponent, node: f };
      out.push(entry);
      byBase.set(base, entry);
    }
  }
  return out.map((o) => o.node);
}

/**
 * More factors or terms than this are grouped as a balanced tree (as the
 * parser groups a long chain), so no later pass recurses n levels deep.
 */
const BALANCE_ABOVE = 32;

function productOf(g: Graph, factors: readonly Node[], lo = 0, hi = factors.length - 1): Node | undefined {
  if (hi < lo) return undefined;
  if (hi - lo >= BALANCE_ABOVE) {
    const middle = (lo + hi + 1) >> 1;
    return g.node("mul", [productOf(g, factors, lo, middle - 1)!, productOf(g, factors, middle, hi)!]);
  }
  let acc = factors[lo]!;
  for (let i = lo + 1; i <= hi; i++) acc = g.node("mul", [acc, factors[i]!]);
  return acc;
}

function buildProduct(g: Graph, p: Product): Node {
  const numerator = productOf(g, mergePowers(g, p.numerator));
  const denominator = productOf(g, mergePowers(g, p.denominator));
  const magnitude = Math.abs(p.coefficient);
  const sign = p.coefficient < 0 || Object.is(p.coefficient, -0) ? -1 : 1;
  let body: Node;
  if (numerator === undefined && denominator === undefined) return g.constant(p.coefficient);
  if (numerator === undefined) body = g.node("div", [g.constant(magnitude), denominator!]);
  else {
    const scaled = magnitude === 1 ? numerator : g.node("mul", [g.constant(magnitude), numerator]);
    body = denominator === undefined ? scaled : g.node("div", [scaled, denominator]);
  }
  return sign < 0 ? g.node("neg", [body]) : body;
}

export const productNormalForm: Rule = {
  name: "product-normal-form",
  text: "c · a · b / (d · e): constants collected, powers of one base merged",
  apply(n, g, context) {
    if (n.op !== "mul" && n.op !== "div") return undefined;
    if (PRODUCT_USERS.has(context.soleUser(n)!)) return undefined;
    const p = flattenProduct(n, context);
    if (!Number.isFinite(p.coefficient) || p.coefficient === 0) return undefined;
    const result = buildProduct(g, p);
    return sameShape(result.shape, n.shape) || result.shape.length === 0 ? result : undefined;
  },
};

interface Term {
  coefficient: number;
  /** The term without its constant coefficient; undefined for a constant term. */
  rest: Node | undefined;
}

function flattenSum(n: Node, context: RewriteContext): Term[] {
  const terms: Term[] = [];
  const stack: [Node, number][] = [[n, 1]];
  while (stack.length > 0) {
    const [m, sign] = stack.pop()!;
    if (m !== n && context.shared(m) && leafCount(m, SUM_OPS) > SMALL) terms.push({ coefficient: sign, rest: m });
    else if (m.op === "add") stack.push([m.args[1]!, sign], [m.args[0]!, sign]);
    else if (m.op === "sub") stack.push([m.args[1]!, -sign], [m.args[0]!, sign]);
    else if (m.op === "neg") stack.push([m.args[0]!, -sign]);
    else terms.push(splitCoefficient(m, sign));
  }
  return terms;
}

function splitCoefficient(m: Node, sign: number): Term {
  const c = constantValue(m);
  if (c !== undefined && m.shape.length === 0) return { coefficient: sign * c, rest: undefined };
  if (m.op === "mul" && constantValue(m.args[0]!) !== undefined && m.args[0]!.shape.length === 0) {
    return { coefficient: sign * constantValue(m.args[0]!)!, rest: m.args[1]! };
  }
  return { coefficient: sign, rest: m };
}

function unsignedTerm(g: Graph, t: Term): Node {
  const magnitude = Math.abs(t.coefficient);
  return t.rest === undefined ? g.constant(magnitude) : magnitude === 1 ? t.rest : g.node("mul", [g.constant(magnitude), t.rest]);
}

/**
 * The terms as a sum, left to right; a long one is cut in two at a positive
 * term near the middle (`L + R`, R as written), so it is balanced.
 */
function sumOf(g: Graph, terms: readonly Term[], lo = 0, hi = terms.length - 1): Node | undefined {
  if (hi < lo) return undefined;
  if (hi - lo >= BALANCE_ABOVE) {
    const middle = (lo + hi + 1) >> 1;
    let cut = -1;
    for (let d = 0; cut < 0 && (middle - d > lo || middle + d <= hi); d++) {
      if (middle + d <= hi && terms[middle + d]!.coefficient > 0) cut = middle + d;
      else if (middle - d > lo && terms[middle - d]!.coefficient > 0) cut = middle - d;
    }
    if (cut > 0) return g.node("add", [sumOf(g, terms, lo, cut - 1)!, sumOf(g, terms, cut, hi)!]);
  }
  let acc: Node | undefined;
  for (let i = lo; i <= hi; i++) {
    const t = terms[i]!;
    const unsigned = unsignedTerm(g, t);
    if (acc === undefined) acc = t.coefficient < 0 ? g.node("neg", [unsigned]) : unsigned;
    else acc = g.node(t.coefficient < 0 ? "sub" : "add", [acc, unsigned]);
  }
  return acc;
}

export const sumNormalForm: Rule = {
  name: "sum-normal-form",
  text: "a·x + b·x → (a + b)·x, constants summed",
  apply(n, g, context) {
    if (n.op !== "add" && n.op !== "sub") return undefined;
    if (SUM_USERS.has(context.soleUser(n)!)) return undefined;
    const merged: Term[] = [];
    const byRest = new Map<Node | undefined, Term>();
    for (const t of flattenSum(n, context)) {
      const same = byRest.get(t.rest);
      if (same !== undefined) same.coefficient += t.coefficient;
      else {
        const term = { ...t };
        merged.push(term);
        byRest.set(t.rest, term);
      }
    }
    // Terms stay in the order they first appeared (`1 - h^2` stays so).
    const acc = sumOf(g, merged.filter((t) => t.coefficient !== 0));
    const result = acc ?? g.constant(0);
    return sameShape(result.shape, n.shape) || result.shape.length === 0 ? result : undefined;
  },
};
