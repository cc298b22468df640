// The generated code computes what the reference interpreter computes: loss,
// gradients and outputs of every example model on a minibatch, and the value
// and derivatives of every fn, at seeded random points (1e-10 relative, f64);
// f32 agrees with f64 to 1e-4.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Deriver } from "../../src/pipeline/derive.js";
import { evaluate, tensor, type Tensor } from "../../src/graph/evaluate.js";
import type { GeneratedFn, GeneratedModel } from "../../src/pipeline/load.js";
import { front } from "../support/front.js";
import { expectAgreesWithInterpreter, expectClose } from "../support/agree.js";
import { generate } from "../support/generated.js";
import { close, randomTensor, rng } from "../support/values.js";

const load = (file: string) => front(readFileSync(`examples/${file}`, "utf8"), file).checked!;

describe.each(["xor", "linear_regression", "logistic_regression", "iris", "digits", "mnist"])("model %s", (file) => {
  it("lossAndGrad and forward agree with the interpreter on a minibatch of 3", () => {
    const checked = load(`${file}.nnd`);
    return expectAgreesWithInterpreter(checked, [...checked.models.keys()][0]!, 3, 11);
  });

  it("f32 agrees with f64 to 1e-4", async () => {
    const checked = load(`${file}.nnd`);
    const name = [...checked.models.keys()][0]!;
    const m64 = (await generate(checked, "f64")).module[name] as GeneratedModel;
    const m32 = (await generate(checked, "f32")).module[name] as GeneratedModel;
    const p64 = m64.init(3);
    const p32 = m32.init(3);
    const random = rng(5);
    const derived = new Deriver(checked).model(name);
    const batch64: Record<string, Float64Array> = {};
    const batch32: Record<string, Float32Array> = {};
    for (const v of [...derived.model.inputs, ...derived.model.targets]) {
      // Values exactly representable in f32, so both start from the same numbers.
      const data = Float32Array.from(randomTensor(random, [2 * v.shape.reduce((a, b) => a * b, 1)], 0, 1).data);
      batch32[v.attrs.name!] = data;
      batch64[v.attrs.name!] = Float64Array.from(data);
    }
    for (const key of Object.keys(p64)) p64[key]!.set(p32[key]!);
    const g64 = m64.zeros();
    const g32 = m32.zeros();
    const l64 = m64.lossAndGrad(p64, batch64, 2, g64);
    const l32 = m32.lossAndGrad(p32, batch32, 2, g32);
    expect(close(l32, l64, 1e-4)).toBe(true);
    for (const key of Object.keys(g64)) {
      const scale = Math.max(1e-3, ...Array.from(g64[key]!, Math.abs));
      expect(Array.from(g32[key]!).every((g, k) => Math.abs(g - g64[key]![k]!) <= 1e-4 * scale), key).toBe(true);
    }
  });
});

describe("fns in functions.nnd", () => {
  it("value and grad agree with the interpreter", async () => {
    const checked = load("functions.nnd");
    const deriver = new Deriver(checked);
    const { module } = await generate(checked);
    for (const name of checked.fns.keys()) {
      const d = deriver.fn(name);
      const fn = module[name] as GeneratedFn;
      const values = new Map(d.wrt.map((v, i) => [v.attrs.name!, randomTensor(rng(i + 1), v.shape, 0.2, 1.2)]));
      const args = d.wrt.map((v) => (v.shape.length === 0 ? values.get(v.attrs.name!)!.data[0]! : values.get(v.attrs.name!)!.data));
      const value = fn.value(...args);
      expectClose(typeof value === "number" ? [value] : value, evaluate([d.value], values)[0]!.data, `${name}`);
      const grads = fn.grad(...args);
      d.wrt.forEach((w, i) => {
        const g = d.grads[i];
        if (g === null || g === undefined) return expect(grads[w.attrs.name!]).toBeUndefined();
        const got = grads[w.attrs.name!]!;
        expectClose(typeof got === "number" ? [got] : got, evaluate([g], values)[0]!.data, `d${name}/d${w.attrs.name}`);
      });
    }
  });
});

describe("the Hessian, for Newton's method", () => {
  const hessianCases = [...["xor", "linear_regression", "logistic_regression"].map((f) => `examples/${f}.nnd`), "bench/models/autoencoder.nnd"];
  const loadAt = (path: string) => front(readFileSync(path, "utf8"), path).checked!;

  /** The generated model with its Hessian, parameters away from their initial zeros, and a minibatch of two. */
  async function setUp(path: string) {
    const checked = loadAt(path);
    const name = [...checked.models.keys()][0]!;
    const model = (await generate(checked, "f64", true)).module[name] as GeneratedModel & { hessian?: (p: object, b: object, n: number, out: Float64Array) => void };
    expect(model.hessian).toBeDefined();
    const params = model.init(2);
    for (const p of Object.values(params)) for (let k = 0; k < p.length; k++) p[k] = 0.3 * Math.sin(k + 1);
    const deriver = new Deriver(checked);
    const derived = deriver.model(name);
    const random = rng(8);
    const batch = Object.fromEntries(
      [...derived.model.inputs, ...derived.model.targets].map((v) => [v.attrs.name!, randomTensor(random, [2 * v.shape.reduce((a, b) => a * b, 1)], 0, 1).data]),
    );
    const keys = Object.keys(model.shapes);
    const total = keys.reduce((s, k) => s + params[k]!.length, 0);
    const H = new Float64Array(total * total);
    model.hessian!(params, batch, 2, H);
    return { checked, name, model, params, batch, keys, total, H, deriver, derived };
  }

  it.each(hessianCases)("of %s agrees with differences of the generated gradient", async (path) => {
    const { model, params, batch, keys, total, H } = await setUp(path);
    const flatGrad = () => {
      const g = model.zeros();
      model.lossAndGrad(params, batch, 2, g);
      return keys.flatMap((k) => [...g[k]!]);
    };
    const h = 1e-5;
    let j = 0;
    for (const key of keys) {
      for (let k = 0; k < params[key]!.length; k++, j++) {
        const v = params[key]![k]!;
        params[key]![k] = v + h;
        const up = flatGrad();
        params[key]![k] = v - h;
        const down = flatGrad();
        params[key]![k] = v;
        for (let i = 0; i < total; i++) {
          const fd = (up[i]! - down[i]!) / (2 * h);
          expect(Math.abs(H[i * total + j]! - fd), `H[${i}, ${j}]`).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
        }
      }
    }
  });

  it.each(hessianCases)("of %s agrees with the interpreter's Hessian-vector products, row by row", async (path) => {
    const { params, batch, total, H, deriver, derived } = await setUp(path);
    const hvp = deriver.hessianVectorProduct(derived);
    const data = [...derived.model.inputs, ...derived.model.targets];
    const values = (example: number, j: number) => {
      const m = new Map<string, Tensor>();
      derived.wrt.forEach((p) => m.set(p.attrs.name!, tensor(p.shape, params[p.attrs.name!]!)));
      let at = 0;
      hvp.directions.forEach((v) => {
        const entries = v.shape.reduce((a, b) => a * b, 1);
        m.set(v.attrs.name!, tensor(v.shape, Array.from({ length: entries }, (_, k) => (at + k === j ? 1 : 0))));
        at += entries;
      });
      for (const d of data) {
        const size = d.shape.reduce((a, b) => a * b, 1);
        m.set(d.attrs.name!, tensor(d.shape, batch[d.attrs.name!]!.subarray(example * size, (example + 1) * size)));
      }
      return m;
    };
    for (let j = 0; j < total; j++) {
      const perExample = [0, 1].map((e) => evaluate(hvp.products, values(e, j)).flatMap((t) => [...t.data]));
      const mean = perExample[0]!.map((x, i) => (x + perExample[1]![i]!) / 2);
      expectClose(H.subarray(j * total, (j + 1) * total), mean, `row ${j} of the Hessian of ${path}`);
    }
  });

  it("is the same loop whatever the number of parameters: code size does not grow with P²", async () => {
    // The autoencoder has 59 parameter entries; written out, its Hessian was 504 KB.
    const { compiled } = await generate(loadAt("bench/models/autoencoder.nnd"), "f64", true);
    const { compiled: without } = await generate(loadAt("bench/models/autoencoder.nnd"), "f64", false);
    expect(compiled.code.length).toBeLessThan(3 * without.code.length);
  });

  it("is left out of a model above the limit, with an error that says so", async () => {
    const { compiled, module } = await generate(load("digits.nnd"), "f64", true);
    expect((module["digits"] as Record<string, unknown>)["hessian"]).toBeUndefined();
    expect(compiled.diagnostics.map((d) => [d.code, d.severity])).toEqual([["NND3060", "error"]]);
    expect(compiled.diagnostics[0]!.message).toContain("'digits' has 2410 parameter entries");
  });

  it("is emitted only when asked for", async () => {
    const model = (await generate(load("xor.nnd"))).module["xor"] as Record<string, unknown>;
    expect(model["hessian"]).toBeUndefined();
  });
});
