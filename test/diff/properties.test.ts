// Property tests over random well-typed tensor expressions of every op:
//  - the derivative equals the dual-number oracle's, and central differences;
//  - simplification never changes a value (or a gradient).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Deriver } from "../../src/pipeline/derive.js";
import { GraphBuilder } from "../../src/diff/build.js";
import { gradients } from "../../src/diff/reverse.js";
import { stabilise } from "../../src/diff/stable.js";
import { evaluate, type Tensor } from "../../src/graph/evaluate.js";
import { sugar } from "../../src/graph/sugar.js";
import { simplify } from "../../src/simplify/simplify.js";
import { front } from "../support/front.js";
import { oracleFn } from "../support/oracle.js";
import { ARG_SHAPES, ARGS, expressions, scalarFn } from "../support/random-expr.js";
import { close, randomTensor, rng } from "../support/values.js";

function point(seed: number): Map<string, Tensor> {
  const random = rng(seed);
  return new Map(Object.entries(ARG_SHAPES).map(([name, shape]) => [name, randomTensor(random, shape)]));
}

function allClose(a: ArrayLike<number>, b: ArrayLike<number>, rel: number, abs: number): boolean {
  return a.length === b.length && Array.from(a).every((x, i) => close(x, b[i]!, rel, abs));
}

const params = { numRuns: Number(process.env["PROPERTY_RUNS"] ?? 300), seed: Number(process.env["PROPERTY_SEED"] ?? 21) };

describe("random expressions", () => {
  it("the derivative equals the dual-number oracle", () => {
    fc.assert(
      fc.property(scalarFn, fc.integer({ min: 1, max: 1000 }), (text, seed) => {
        const checked = front(text).checked!;
        expect(checked, text).toBeDefined();
        const d = new Deriver(checked).fn("f");
        const values = point(seed);
        const [value, ...grads] = evaluate([d.value, ...d.grads.map((x) => x!)], values);
        const oracle = oracleFn(checked, "f", values);
        // Overflow (exp(exp(...))) leaves nothing to compare.
        fc.pre([oracle.value, ...oracle.grads.values()].every((a) => a.every(Number.isFinite)));
        const scale = Math.max(1, Math.abs(oracle.value[0]!));
        expect(close(value!.data[0]!, oracle.value[0]!, 1e-9, 1e-12 * scale), `${text}: value`).toBe(true);
        d.wrt.forEach((w, i) => {
          const want = oracle.grads.get(w.attrs.name!)!;
          const magnitude = Math.max(1, ...Array.from(want, Math.abs));
          expect(allClose(grads[i]!.data, want, 1e-9, 1e-11 * magnitude), `${text}: d/d${w.attrs.name}\n${grads[i]!.data}\n${want}`).toBe(true);
        });
      }),
      params,
    );
  });

  it("the derivative agrees with central differences", () => {
    fc.assert(
      fc.property(scalarFn, fc.integer({ min: 1, max: 1000 }), (text, seed) => {
        const d = new Deriver(front(text).checked!).fn("f");
        const values = point(seed);
        const grads = evaluate(d.grads.map((x) => x!), values);
        const h = 1e-6;
        d.wrt.forEach((w, i) => {
          const base = values.get(w.attrs.name!)!;
          const k = seed % base.data.length;
          const at = (delta: number) => {
            const data = base.data.slice();
            data[k]! += delta;
            return evaluate([d.value], new Map([...values, [w.attrs.name!, { shape: base.shape, data }]]))[0]!.data[0]!;
          };
          const fd = (at(h) - at(-h)) / (2 * h);
          const scale = Math.max(1, Math.abs(at(0)));
          expect(close(grads[i]!.data[k]!, fd, 1e-4, 1e-6 * scale), `${text}: d/d${w.attrs.name}[${k}] = ${grads[i]!.data[k]} vs ${fd}`).toBe(true);
        });
      }),
      { ...params, numRuns: 150 },
    );
  });

  it("hash-consing: the same expression built twice is one node", () => {
    fc.assert(
      fc.property(expressions.S, (body) => {
        const checked = front(`fn f(${ARGS}) = ${body}\nfn g(${ARGS}) = ${body}`).checked!;
        const builder = new GraphBuilder(checked);
        const f = builder.fn("f").body;
        const size = builder.graph.size;
        expect(builder.fn("g").body).toBe(f);
        expect(builder.graph.size).toBe(size);
      }),
      { ...params, numRuns: 100 },
    );
  });

  it("simplification changes no value and no gradient", () => {
    fc.assert(
      fc.property(scalarFn, fc.integer({ min: 1, max: 1000 }), (text, seed) => {
        const builder = new GraphBuilder(front(text).checked!);
        const g = builder.graph;
        const fn = builder.fn("f");
        const body = stabilise(g, [fn.body]).roots[0]!;
        const raw = gradients(g, body, fn.args).grads.map((x, i) => x ?? sugar(g).zeros(fn.args[i]!.shape));
        const simplified = simplify(g, [body, ...raw]).roots;
        const values = point(seed);
        const before = evaluate([body, ...raw], values);
        const after = evaluate(simplified, values);
        before.forEach((b, i) => {
          const magnitude = Math.max(1, ...Array.from(b.data, Math.abs));
          expect(allClose(after[i]!.data, b.data, 1e-9, 1e-12 * magnitude), `${text}: root ${i}\n${after[i]!.data}\n${b.data}`).toBe(true);
        });
      }),
      params,
    );
  });
});
