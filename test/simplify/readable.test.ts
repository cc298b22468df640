// The rules that rewrite a formula for a reader (simplify/readable.ts), one
// test each, as golden pairs: a graph built by hand in, its printed form out.
// Then a property: over random expressions, what is printed for a derivative,
// written back as .nnd source and parsed again, has the derivative's value
// (the rules may change a value only where the original is undefined, and
// the random expressions stay inside their domains).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Deriver } from "../../src/pipeline/derive.js";
import { evaluate, tensor, type Tensor } from "../../src/graph/evaluate.js";
import { Graph, type Node } from "../../src/graph/node.js";
import { printFormula } from "../../src/graph/print.js";
import { printNnd } from "../../src/graph/print-nnd.js";
import { sugar } from "../../src/graph/sugar.js";
import { readable, readableRules } from "../../src/simplify/readable.js";
import { front } from "../support/front.js";
import { ARGS, ARG_SHAPES, expressions } from "../support/random-expr.js";

const g = new Graph();
const $ = sugar(g);
const x = g.variable("x", "input", []);
const y = g.variable("y", "input", []);
const u = g.variable("u", "input", []);
const v = g.variable("v", "input", [3]);
/** The softmax Jacobian entry by entry, [[s₀ (1 − s₀), −s₀ s₁], [−s₁ s₀, s₁ (1 − s₁)]]. */
function softmaxJacobian(s: Node): Node {
  const entry = (i: number, j: number) => {
    const si = $.index(s, [i]);
    return i === j ? $.mul(si, $.sub($.c(1), si)) : $.neg($.mul(si, $.index(s, [j])));
  };
  return $.stack([0, 1].map((i) => $.stack([0, 1].map((j) => entry(i, j)))));
}

const tidy = (n: Node) => printFormula(readable(g, [n]).roots[0]!, { notation: "math", names: new Map() });

describe("each readable rule", () => {
  const cases: [rule: string, built: Node, printed: string][] = [
    ["vector-of-entries", $.add($.scatter(y, [0], [3]), $.scatter(x, [2], [3])), "[y, 0, x]"],
    ["power-of-root", $.pow($.sqrt($.add($.c(1), u)), $.c(3)), "(1 + u)³ᐟ²"],
    ["cancel-common-factor", $.mul($.c(0.02), $.mul(u, $.div(x, u))), "0.02 x"],
    ["index-of-index", $.index($.index($.scatter($.c(1), [0, 1], [2, 2]), [0]), [1]), "1"],
    ["transpose-of-unit", $.transpose($.scatter(x, [0, 1], [2, 3])), "x E₁,₀"],
    ["row-of-unit", $.index($.scatter(x, [1, 2], [2, 3]), [1]), "x e₂"],
    ["zero-scatter", $.add(v, $.scatter($.c(0), [1], [3])), "v"],
    ["same-product", $.sub($.mul(x, y), $.mul(y, x)), "0"],
    ["unit-picks-entry", $.sum($.mul($.scatter($.c(2), [1], [3]), v)), "2 v₁"],
    ["entrywise-literal", $.sub($.stack([x, y, u]), $.broadcast(x, [3])), "[0, y − x, u − x]"],
    ["unit-beside-broadcast", $.sub($.scatter($.c(1), [0], [3]), $.broadcast(y, [3])), "[1 − y, −y, −y]"],
    ["literal-reads", $.dot($.stack([x, $.c(0), y]), v), "x v₀ + y v₂"],
    ["power-of-product", $.pow($.mul($.c(2), x), $.c(2)), "4 x²"],
    ["factor-common", $.add($.mul(x, y), $.mul(x, u)), "x (y + u)"],
    ["common-denominator", $.sub($.div($.c(1), $.add($.c(1), $.pow(x, $.c(2)))), $.div($.mul($.c(2), $.pow(x, $.c(2))), $.pow($.add($.c(1), $.pow(x, $.c(2))), $.c(2)))), "(1 − x²) / (1 + x²)²"],
    ["angle-sum", $.add($.mul($.sin(x), $.cos(y)), $.mul($.cos(x), $.sin(y))), "sin(x + y)"],
    ["spread-constant", $.add($.mul($.c(2), $.sub(x, $.c(1))), $.add(x, $.c(1))), "3 x − 1"],
    ["diag-minus-outer", softmaxJacobian(g.variable("s", "input", [2])), "diag(s) − s sᵀ"],
    ["clear-fractions", $.mul($.c(2), $.mul($.add($.c(1), $.mul($.c(0.5), $.exp(x))), y)), "(2 + exp(x)) y"],
    ["scaled-identity", $.stack([0, 1, 2].map((i) => $.mul($.c(2), $.scatter($.c(1), [i], [3])))), "2 I"],
    ["collect-like-terms", $.sub($.mul($.c(2), $.mul($.sin(x), $.cos(x))), $.mul($.cos(x), $.mul($.c(2), $.sin(x)))), "0"],
  ];

  it("covers every rule", () => expect(cases.map((c) => c[0]).sort()).toEqual([...readableRules.map((r) => r.name), "same-product"].sort()));

  it.each(cases)("%s", (_, built, printed) => expect(tidy(built)).toBe(printed));
});

/** Random values for the arguments of the generated fns, away from every kink. */
// Entries at least 0.01 from 0, where the kinks are (norm2, relu, abs at 0):
// there nndc's value is a convention (a subgradient), which .nnd source
// written back as plain arithmetic does not carry.
const entry = fc.double({ min: 0.01, max: 2, noNaN: true }).chain((m) => fc.constantFrom(m, -m));
const point = fc.record(
  Object.fromEntries(Object.entries(ARG_SHAPES).map(([name, shape]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    return [name, fc.array(entry, { minLength: size, maxLength: size })];
  })),
);

it("what is printed for a derivative has its value, at random points", () => {
  fc.assert(
    fc.property(expressions.S, point, (e, at) => {
      const parsed = front(`fn f(${ARGS}) = ${e}\n`, "random.nnd");
      expect(parsed.checked, e).toBeDefined();
      const d = new Deriver(parsed.checked!).fn("f");
      const grads = d.grads.filter((n): n is Node => n !== null);
      const printed = readable(d.graph, grads).roots;
      const env = new Map<string, Tensor>(d.wrt.map((w) => [w.attrs.name!, tensor(w.shape, at[w.attrs.name!]!)]));
      const wants = evaluate(grads, env);
      wants.forEach((want, i) => {
        // Written out in full, a shared graph can be long; past 10,000 characters it is left out.
        const source = printNnd(printed[i]!, 10_000);
        if (source === undefined) return;
        const back = front(`fn g(${ARGS}) = ${source}\n`, "printed.nnd");
        expect(back.checked, `${e}\n${source}\n${back.all.map((x) => x.message).join("\n")}`).toBeDefined();
        // The graph as written, not simplified again: what the reader sees is what is evaluated.
        const again = new Deriver(back.checked!).builder.fn("g").body;
        const got = evaluate([again], env)[0]!.data;
        // A readable form shares factors across entries (s e₂ for a gradient
        // nonzero in one entry): where one entry overflows, the shared factor
        // does too, and 0 · ∞ turns its zero neighbours into NaN. The formula
        // is still right; the comparison is made where every entry is finite.
        if (!want.data.every(Number.isFinite)) return;
        want.data.forEach((w, k) => {
          expect(Math.abs(got[k]! - w)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(w)));
        });
      });
    }),
    { numRuns: 200 },
  );
});
