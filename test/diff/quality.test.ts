// The quality bars that concern derivatives: cheap gradients,
// no expression swell, and stable values at extreme arguments.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Deriver } from "../../src/pipeline/derive.js";
import { evaluate } from "../../src/graph/evaluate.js";
import { forwardBackwardFlops } from "../../src/graph/flops.js";
import { reachable } from "../../src/graph/node.js";
import { front } from "../support/front.js";
import { close } from "../support/values.js";

describe("cheap gradient: backward flops ≤ 3 × forward flops", () => {
  it.each(["xor", "linear_regression", "logistic_regression", "iris", "digits", "mnist"])("%s", (file) => {
    const checked = front(readFileSync(`examples/${file}.nnd`, "utf8")).checked!;
    const model = [...checked.models.keys()][0]!;
    const d = new Deriver(checked).model(model);
    const { forward, backward } = forwardBackwardFlops([d.loss], d.grads);
    expect(forward).toBeGreaterThan(0);
    expect(backward / forward).toBeLessThanOrEqual(3);
  });
});

describe("no expression swell", () => {
  /** l ← 4 l (1 − l), n times, and its derivative. */
  function logisticMap(n: number): string {
    const lines = ["fn l0(x) = x"];
    for (let k = 1; k <= n; k++) lines.push(`fn l${k}(x) = 4 * l${k - 1}(x) * (1 - l${k - 1}(x))`);
    lines.push(`fn d(x) = diff(l${n}(x), x)`);
    return lines.join("\n");
  }

  const sizes = Array.from({ length: 30 }, (_, i) => {
    const checked = front(logisticMap(i + 1)).checked!;
    return reachable([new Deriver(checked).fn("d").value]).length;
  });

  it("the derivative of the n-times iterated logistic map grows linearly in n, up to n = 30", () => {
    // SymPy's naive derivative has 0, 2, 21, 82, 264, 768 operations for n = 1..6.
    // Linear: each iteration adds a bounded number of nodes, the same bound at n = 30 as at n = 3.
    const steps = sizes.slice(1).map((s, i) => s - sizes[i]!);
    expect(Math.max(...steps)).toBeLessThanOrEqual(Math.min(...steps) + 5);
    expect(sizes[29]!).toBeLessThanOrEqual(sizes[0]! + 29 * Math.max(...steps));
    expect(sizes[5]!).toBeLessThan(768 / 10);
  });

  it("and the derivative is right", () => {
    const checked = front(logisticMap(3)).checked!;
    const d = new Deriver(checked).fn("d");
    const x = 0.3;
    const l = [x];
    const dl = [1];
    for (let k = 0; k < 3; k++) {
      dl.push(4 * (1 - 2 * l[k]!) * dl[k]!);
      l.push(4 * l[k]! * (1 - l[k]!));
    }
    const got = evaluate([d.value], new Map([["x", { shape: [], data: Float64Array.of(x) }]]))[0]!.data[0]!;
    expect(close(got, dl[3]!, 1e-13)).toBe(true);
  });
});

describe("stable at ±1000", () => {
  const sig = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
  /** [fn source, exact value, exact derivative] for z = ±1000 (and v = [z, 0, −z]). */
  const cases: [string, (z: number) => number, (z: number) => number][] = [
    ["sigmoid(z)", sig, (z) => sig(z) * sig(-z)],
    ["softplus(z)", (z) => Math.max(z, 0), (z) => sig(z)],
    ["log(sigmoid(z))", (z) => Math.min(z, 0), (z) => sig(-z)],
    ["log(1 - sigmoid(z))", (z) => -Math.max(z, 0), (z) => -sig(z)],
    ["log(1 + exp(z))", (z) => Math.max(z, 0), (z) => sig(z)],
    ["bce_logits(z, 1)", (z) => Math.max(-z, 0), (z) => sig(z) - 1],
    ["bce(sigmoid(z), 0)", (z) => Math.max(z, 0), (z) => sig(z)],
    ["logsumexp([z, 0, -z])", (z) => Math.abs(z), (z) => Math.sign(z)],
    ["log(sum(exp([z, 0, -z])))", (z) => Math.abs(z), (z) => Math.sign(z)],
    ["softmax([z, 0, -z])[0]", (z) => (z > 0 ? 1 : 0), () => 0],
    // The last entry is −z, and logsumexp([z, 0, −z]) = |z| (to within e^−1000).
    ["log_softmax([z, 0, -z])[2]", (z) => -z - Math.abs(z), (z) => -1 - Math.sign(z)],
    ["log(softmax([z, 0, -z]))[2]", (z) => -z - Math.abs(z), (z) => -1 - Math.sign(z)],
    ["softmax_cross_entropy([z, 0, -z], [0, 0, 1])", (z) => z + Math.abs(z), (z) => 1 + Math.sign(z)],
    ["cross_entropy(softmax([z, 0, -z]), [0, 0, 1])", (z) => z + Math.abs(z), (z) => 1 + Math.sign(z)],
  ];

  it.each(cases)("%s", (body, value, slope) => {
    const checked = front(`fn f(z) = ${body}`).checked!;
    const d = new Deriver(checked).fn("f");
    for (const z of [1000, -1000]) {
      const [v, g] = evaluate([d.value, d.grads[0]!!], new Map([["z", { shape: [], data: Float64Array.of(z) }]]));
      expect(close(v!.data[0]!, value(z), 1e-12), `${body} at ${z}: ${v!.data[0]}`).toBe(true);
      expect(close(g!.data[0]!, slope(z), 1e-12), `d/dz ${body} at ${z}: ${g!.data[0]}`).toBe(true);
    }
  });
});

describe("hash-consing", () => {
  it("equal subexpressions are one node", () => {
    const checked = front("fn f(x) = (x + 1) * (x + 1) + exp(x + 1)").checked!;
    const value = new Deriver(checked).builder.fn("f").body;
    const adds = reachable([value]).filter((n) => n.op === "add" && n.args[1]!.op === "const");
    expect(adds).toHaveLength(1);
  });
});

describe("derivatives of derivatives", () => {
  it("to any order: the third derivative of x⁴ is 24x, the fourth 24, the fifth 0", () => {
    const checked = front(`fn d3(x) = diff(diff(diff(x^4, x), x), x)
fn d4(x) = diff(d3(x), x)
fn d5(x) = diff(d4(x), x)`).checked!;
    const deriver = new Deriver(checked);
    const at = new Map([["x", { shape: [], data: Float64Array.of(1.5) }]]);
    const [d3, d4, d5] = evaluate(["d3", "d4", "d5"].map((f) => deriver.fn(f).value), at);
    expect([d3!.data[0], d4!.data[0], d5!.data[0]]).toEqual([36, 24, 0]);
  });
});
