// Two rules that see a whole product or a whole sum at once, where pairwise
// rules would need many steps (and many rules) to reach the same place:
//   product: 2 · (1 / (2·√u)) · x      → x / √u
//   sum:     −sin x − sin x             → −2 sin x
// Both keep the order in which factors and terms were written, put the
// constant coefficient first, and are idempotent (a normal form maps to itself).
// Neither looks inside a large node that is used elsewhere: that node stays
// whole, so sharing (and with it the linear size of derivatives) survives.

import { sameShape } from "../diagnostics/shape.js";
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

/** Flattens nested elementwise mul, div and neg into one product. */
function flattenProduct(n: Node, context: RewriteContext): Product {
  const p: Product = { coefficient: 1, numerator: [], denominator: [] };
  const visit = (m: Node, inverted: boolean) => {
    const c = constantValue(m);
    if (c !== undefined && m.shape.length === 0) {
      p.coefficient = inverted ? p.coefficient / c : p.coefficient * c;
    } else if (m !== n && context.shared(m) && leafCount(m, PRODUCT_OPS) > SMALL) {
      (inverted ? p.denominator : p.numerator).push(m);
    } else if (m.op === "mul") {
      visit(m.args[0]!, inverted);
      visit(m.args[1]!, inverted);
    } else if (m.op === "div") {
      visit(m.args[0]!, inverted);
      visit(m.args[1]!, !inverted);
    } else if (m.op === "neg") {
      p.coefficient = -p.coefficient;
      visit(m.args[0]!, inverted);
    } else (inverted ? p.denominator : p.numerator).push(m);
  };
  visit(n, false);
  return p;
}

/** x · x² → x³ within one side of a product (never across the fraction bar). */
function mergePowers(g: Graph, factors: Node[]): Node[] {
  const out: { base: Node; exponent: number | undefined; node: Node }[] = [];
  for (const f of factors) {
    const [base, exponent] =
      f.op === "pow" && constantValue(f.args[1]!) !== undefined && f.args[1]!.shape.length === 0
        ? [f.args[0]!, constantValue(f.args[1]!)!]
        : [f, 1];
    const same = out.find((o) => o.base === base && o.exponent !== undefined);
    if (same !== undefined) {
      same.exponent! += exponent;
      same.node = g.node("pow", [base, g.constant(same.exponent!)]);
    } else out.push({ base, exponent, node: f });
  }
  return out.map((o) => o.node);
}

function productOf(g: Graph, factors: readonly Node[]): Node | undefined {
  return factors.reduce<Node | undefined>((acc, f) => (acc === undefined ? f : g.node("mul", [acc, f])), undefined);
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
  const visit = (m: Node, sign: number) => {
    if (m !== n && context.shared(m) && leafCount(m, SUM_OPS) > SMALL) terms.push({ coefficient: sign, rest: m });
    else if (m.op === "add") {
      visit(m.args[0]!, sign);
      visit(m.args[1]!, sign);
    } else if (m.op === "sub") {
      visit(m.args[0]!, sign);
      visit(m.args[1]!, -sign);
    } else if (m.op === "neg") visit(m.args[0]!, -sign);
    else terms.push(splitCoefficient(m, sign));
  };
  visit(n, 1);
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

export const sumNormalForm: Rule = {
  name: "sum-normal-form",
  text: "a·x + b·x → (a + b)·x, constants summed",
  apply(n, g, context) {
    if (n.op !== "add" && n.op !== "sub") return undefined;
    const merged: Term[] = [];
    for (const t of flattenSum(n, context)) {
      const same = merged.find((m) => m.rest === t.rest && (m.rest !== undefined || t.rest === undefined));
      if (same !== undefined) same.coefficient += t.coefficient;
      else merged.push({ ...t });
    }
    const kept = merged.filter((t) => t.coefficient !== 0);
    // Terms stay in the order they first appeared (`1 - h^2` stays so).
    let acc: Node | undefined;
    for (const t of kept) {
      const magnitude = Math.abs(t.coefficient);
      const unsigned =
        t.rest === undefined ? g.constant(magnitude) : magnitude === 1 ? t.rest : g.node("mul", [g.constant(magnitude), t.rest]);
      if (acc === undefined) acc = t.coefficient < 0 ? g.node("neg", [unsigned]) : unsigned;
      else acc = g.node(t.coefficient < 0 ? "sub" : "add", [acc, unsigned]);
    }
    const result = acc ?? g.constant(0);
    return sameShape(result.shape, n.shape) || result.shape.length === 0 ? result : undefined;
  },
};
