// The derivative of every example model and fn, evaluated by the reference
// interpreter, against the dual-number oracle (1e-9 relative) and against
// central finite differences of the interpreted forward value.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Deriver } from "../../src/pipeline/derive.js";
import { evaluate, type Tensor } from "../../src/graph/evaluate.js";
import { front } from "../support/front.js";
import { oracleFn, oracleModel } from "../support/oracle.js";
import { close, randomTensor, rng, worst } from "../support/values.js";

const load = (file: string) => front(readFileSync(`examples/${file}`, "utf8"), file).checked!;

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, what: string) {
  expect(got.length, what).toBe(want.length);
  const ok = Array.from(got).every((g, i) => close(g, want[i]!, rel));
  if (!ok) expect.fail(`${what}: worst relative error ${worst(got, want)}\n got  ${Array.from(got).slice(0, 8)}\n want ${Array.from(want).slice(0, 8)}`);
}

describe.each(["xor.nnd", "linear_regression.nnd", "logistic_regression.nnd", "iris.nnd", "digits.nnd"])("model in %s", (file) => {
  const checked = load(file);
  const [name] = [...checked.models.keys()];
  const derived = new Deriver(checked).model(name!);

  it.each([1, 2, 3])("gradient matches the dual-number oracle and finite differences (seed %i)", (seed) => {
    const random = rng(seed);
    const values = new Map<string, Tensor>();
    for (const v of [...derived.model.inputs, ...derived.model.params]) values.set(v.attrs.name!, randomTensor(random, v.shape));
    // Targets in [0, 1]: probabilities or one-hot-like weights.
    for (const v of derived.model.targets) values.set(v.attrs.name!, randomTensor(random, v.shape, 0, 1));

    const [loss, ...grads] = evaluate([derived.loss, ...derived.grads], values);
    const oracle = oracleModel(checked, name!, values);
    expectClose(loss!.data, oracle.value, 1e-12, "loss");
    derived.wrt.forEach((w, i) => expectClose(grads[i]!.data, oracle.grads.get(w.attrs.name!)!, 1e-9, `∂loss/∂${w.attrs.name}`));

    // Central differences on a few entries of each parameter.
    const h = 1e-6;
    derived.wrt.forEach((w, i) => {
      const base = values.get(w.attrs.name!)!;
      for (const k of [0, base.data.length - 1]) {
        const at = (delta: number) => {
          const data = base.data.slice();
          data[k]! += delta;
          return evaluate([derived.loss], new Map([...values, [w.attrs.name!, { shape: base.shape, data }]]))[0]!.data[0]!;
        };
        const fd = (at(h) - at(-h)) / (2 * h);
        expect(close(grads[i]!.data[k]!, fd, 1e-5, 1e-8), `${w.attrs.name}[${k}]: ${grads[i]!.data[k]} vs ${fd}`).toBe(true);
      }
    });
  });
});

describe("fns in functions.nnd", () => {
  const checked = load("functions.nnd");
  const deriver = new Deriver(checked);
  const text = readFileSync("examples/functions.nnd", "utf8");
  /** The oracle differentiates once; fns that call diff are checked against it below. */
  const hasDiff = (name: string) => {
    const body = checked.fns.get(name)!.decl.body;
    return text.slice(body.span.start, body.span.end).includes("diff(");
  };
  const point = (name: string, seed: number) => {
    const random = rng(seed);
    return new Map(deriver.fn(name).wrt.map((v) => [v.attrs.name!, randomTensor(random, v.shape, 0.2, 1.2)]));
  };

  for (const name of checked.fns.keys()) {
    if (hasDiff(name)) continue;
    it(`${name}: value and derivatives match the oracle`, () => {
      const d = deriver.fn(name);
      for (const seed of [1, 2]) {
        const values = point(name, seed);
        const [value] = evaluate([d.value], values);
        const oracle = oracleFn(checked, name, values);
        expectClose(value!.data, oracle.value, 1e-12, `${name}`);
        d.wrt.forEach((w, i) => {
          const grad = d.grads[i]!;
          expect(grad === null).toBe(d.value.shape.length + w.shape.length > 2);
          if (grad !== null) expectClose(evaluate([grad], values)[0]!.data, oracle.grads.get(w.attrs.name!)!, 1e-9, `d${name}/d${w.attrs.name}`);
        });
      }
    });
  }

  it.each([
    ["dh", "h"],
    ["dpower", "power"],
    ["dproduct", "product"],
    ["dquotient", "quotient"],
    ["grad_quad", "quad"],
    ["drosen_dx", "rosenbrock"],
  ])("%s = diff(%s) matches the oracle's first derivative", (dname, base) => {
    const d = deriver.fn(dname);
    const values = point(dname, 7);
    const got = evaluate([d.value], values)[0]!;
    const oracle = oracleFn(checked, base, values);
    const wrt = dname === "drosen_dx" ? "x" : d.wrt[0]!.attrs.name!;
    expectClose(got.data, oracle.grads.get(wrt)!, 1e-9, dname);
  });

  it.each([
    ["dsigmoid", (x: number) => { const s = 1 / (1 + Math.exp(-x)); return s * (1 - s); }],
    ["dtanh", (x: number) => 1 - Math.tanh(x) ** 2],
    ["drelu", (x: number) => (x > 0 ? 1 : 0)],
    ["dleaky", (x: number) => (x > 0 ? 1 : 0.01)],
    ["dsoftplus", (x: number) => 1 / (1 + Math.exp(-x))],
    ["d2f", (x: number) => 1 / (1 + x * x) ** 1.5],
  ] as const)("%s has the textbook value", (name, exact) => {
    const d = deriver.fn(name);
    for (const x of [-2.5, -0.3, 0.7, 3]) {
      const got = evaluate([d.value], new Map([["x", { shape: [], data: Float64Array.of(x) }]]))[0]!.data[0]!;
      expect(close(got, exact(x), 1e-12), `${name}(${x}) = ${got}, want ${exact(x)}`).toBe(true);
    }
  });

  it("hess_quad is A + Aᵀ and jac_softmax is diag(s) − s sᵀ", () => {
    const A = randomTensor(rng(3), [3, 3]);
    const x = randomTensor(rng(4), [3]);
    const hess = evaluate([deriver.fn("hess_quad").value], new Map([["x", x], ["A", A]]))[0]!;
    const want = Array.from({ length: 9 }, (_, k) => A.data[k]! + A.data[(k % 3) * 3 + Math.floor(k / 3)]!);
    expectClose(hess.data, want, 1e-15, "hess_quad");

    const v = randomTensor(rng(5), [4], -3, 3);
    const jac = evaluate([deriver.fn("jac_softmax").value], new Map([["v", v]]))[0]!;
    const e = v.data.map(Math.exp);
    const s = e.map((x) => x / e.reduce((a, b) => a + b, 0));
    const wantJ = Array.from({ length: 16 }, (_, k) => {
      const i = Math.floor(k / 4);
      const j = k % 4;
      return (i === j ? s[i]! : 0) - s[i]! * s[j]!;
    });
    expectClose(jac.data, wantJ, 1e-12, "jac_softmax");
  });
});
