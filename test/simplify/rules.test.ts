// One test per rewrite rule (simplification and stable forms): the rule fires
// on its example, and the result has the same value at random points.

import { describe, expect, it } from "vitest";
import { Deriver } from "../../src/pipeline/derive.js";
import { GraphBuilder } from "../../src/diff/build.js";
import { stableForms } from "../../src/diff/stable.js";
import { evaluate, type Tensor } from "../../src/graph/evaluate.js";
import type { Graph, Node } from "../../src/graph/node.js";
import { rewrite, type Rule } from "../../src/graph/rewrite.js";
import { sugar, type Sugar } from "../../src/graph/sugar.js";
import { simplifyRules } from "../../src/simplify/rules.js";
import { front } from "../support/front.js";
import { close, randomTensor, rng } from "../support/values.js";

const ARGS = "x, y, u: [3], A: [2, 3], B: [3, 3]";
const SHAPES: Record<string, number[]> = { x: [], y: [], u: [3], A: [2, 3], B: [3, 3] };

/** A body in .nnd syntax, or a graph built by hand from the arguments. */
type Case = string | (($: Sugar, v: Record<string, Node>, g: Graph) => Node);

const simplifyCases: Record<string, Case> = {
  "constant-fold": "x + exp(0) * 2",
  "product-normal-form": "2 * (x / (2 * y))",
  "sum-normal-form": "x + y - x + 2 * y",
  "matmul-unit": ($, v) => $.matmul(v["A"]!, $.scatter($.c(1), [1], [3])),
  "row-of-transpose": ($, v) => $.stack([0, 1, 2].map((i) => $.index(v["B"]!, [i]))),
  "stack-elementwise": ($, v) => $.stack([0, 1, 2].map((i) => $.add($.index(v["B"]!, [i]), $.index($.transpose(v["B"]!), [i])))),
  "implicit-broadcast": ($, v) => $.mul($.broadcast(v["x"]!, [3]), v["u"]!),
  "index-of-scatter": ($, v) => $.index($.scatter(v["x"]!, [1], [3]), [1]),
  "sum-of-broadcast": ($, v) => $.sum($.broadcast(v["x"]!, [2, 3])),
  "add-zero": "x + 0",
  "zero-add": "0 + x",
  "sub-zero": "x - 0",
  "zero-sub": "0 - x",
  "sub-self": "exp(x) - exp(x)",
  "mul-one": "x * 1",
  "one-mul": "1 * x",
  "mul-zero": "u * 0",
  "zero-mul": "0 * u",
  "mul-minus-one": ($, v) => $.mul($.c(-1), v["u"]!),
  "div-one": "x / 1",
  "zero-div": "0 / x",
  "neg-neg": "--x",
  "add-neg": "x + -y",
  "neg-add": "-x + y",
  "sub-neg": "x - -y",
  "neg-sub": "-(x - y)",
  "mul-neg-left": "-x * y",
  "mul-neg-right": "x * -y",
  "div-neg": "-x / y",
  "matmul-neg": "A @ -u",
  "outer-neg": "outer(-u, u)",
  "pow-one": "x^1",
  "pow-zero": "x^0",
  "pow-pow": "(x^2)^3",
  "mul-self": "exp(x) * exp(x)",
  "mul-pow": "x^2 * x^3",
  "mul-pow-self": "x * x^2",
  "pow-mul-self": "x^2 * x",
  "log-exp": "log(exp(x))",
  "transpose-transpose": "transpose(transpose(A))",
  "constant-first": "x * 3",
  "mul-constants": "2 * (3 * x)",
  "mul-into-div": "6 * (x / 3)",
  "div-constant": "(6 * x) / 3",
  "constant-inside-mul": "x * (3 * y)",
  "add-same": "exp(x) + exp(x)",
};

const stableCases: Record<string, Case> = {
  "log-sigmoid": "log(sigmoid(x))",
  "log-one-minus-sigmoid": "log(1 - sigmoid(x))",
  "log-one-plus-exp": "log(1 + exp(x))",
  "log-exp-plus-one": "log(exp(x) + 1)",
  "sigmoid-written-out": "1 / (1 + exp(-x))",
  "log-softmax": "sum(log(softmax(u)))",
  "log-sum-exp": "log(sum(exp(u)))",
  "bce-of-sigmoid": "bce(sigmoid(x), sigmoid(y))",
  "cross-entropy-of-softmax": "cross_entropy(softmax(u), softmax(A[0]))",
  "norm-even-power": "norm2(u)^2 + norm2(A)^4 + norm2(u - x)^6",
  "norm-times-norm": "norm2(A) * norm2(A)",
  "dot-self": "dot(u, u) + dot(A, A)",
  "matmul-self": "u @ u",
};

function build(c: Case): { g: Graph; root: Node } {
  const checked = front(`fn f(${ARGS}) = ${typeof c === "string" ? c : "0"}`).checked!;
  const builder = new GraphBuilder(checked);
  const fn = builder.fn("f");
  if (typeof c === "string") return { g: builder.graph, root: fn.body };
  const vars = Object.fromEntries(fn.args.map((a) => [a.attrs.name!, a]));
  return { g: builder.graph, root: c(sugar(builder.graph), vars, builder.graph) };
}

function values(seed: number): Map<string, Tensor> {
  const random = rng(seed);
  return new Map(Object.entries(SHAPES).map(([n, s]) => [n, randomTensor(random, s, 0.3, 2)]));
}

function testRules(rules: readonly Rule[], cases: Record<string, Case>) {
  it("every rule has a case", () => {
    expect(Object.keys(cases).sort()).toEqual(rules.map((r) => r.name).sort());
  });
  for (const r of rules) {
    it(`${r.name}: ${r.text}`, () => {
      const { g, root } = build(cases[r.name]!);
      const result = rewrite(g, [root], [r]);
      expect(result.steps.map((s) => s.rule)).toContain(r.name);
      expect(result.roots[0]!.shape).toEqual(root.shape);
      for (const seed of [1, 2, 3]) {
        const [before, after] = evaluate([root, result.roots[0]!], values(seed));
        before!.data.forEach((b, i) => expect(close(after!.data[i]!, b, 1e-12), `${after!.data[i]} vs ${b}`).toBe(true));
      }
    });
  }
}

describe("simplification rules", () => testRules(simplifyRules, simplifyCases));
describe("stable forms", () => testRules(stableForms, stableCases));

describe("smooth forms of ‖x‖² and x · x", () => {
  const rewritten = (body: string) => {
    const { g, root } = build(body);
    return rewrite(g, [root], stableForms).steps.map((s) => s.rule);
  };

  it("odd and negative powers of a norm keep their norm (they have a kink at 0)", () => {
    expect(rewritten("norm2(u)^3 + norm2(u)^1 + norm2(u)^-2 + norm2(u)^2.5")).toEqual([]);
    expect(rewritten("dot(u, A[0])")).toEqual([]);
  });

  it("the Hessian of 0.01 ‖w‖², of ‖w‖⁴ and of w · w at w = 0 is that of the sum of squares", () => {
    const checked = front(
      ["fn h2(w: [3]) = diff(diff(0.01 * norm2(w)^2, w), w)", "fn h4(w: [3]) = diff(diff(norm2(w)^4, w), w)", "fn hd(w: [3]) = diff(diff(w @ w + dot(w, w), w), w)"].join("\n"),
    ).checked!;
    const deriver = new Deriver(checked);
    const at0 = new Map([["w", { shape: [3], data: new Float64Array(3) }]]);
    const hessian = (fn: string) => Array.from(evaluate([deriver.fn(fn).value], at0)[0]!.data);
    expect(hessian("h2")).toEqual([0.02, 0, 0, 0, 0.02, 0, 0, 0, 0.02]);
    expect(hessian("h4")).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(hessian("hd")).toEqual([4, 0, 0, 0, 4, 0, 0, 0, 4]);
  });
});
