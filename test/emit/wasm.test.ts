// The WebAssembly target (src/emit/wasm/): its encoder writes what the
// specification says; every module it makes validates; and every function of
// every example and of random networks, in f64 and f32, gives what the
// TypeScript target gives, bit for bit (the same IR, the same operations in
// the same order, the host's own Math functions). The module around it
// type-checks under the strictest options and keeps its contract: init and
// zeros give views onto the module's memory, any other array is copied in.

import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import prettier from "prettier";
import { describe, expect, it } from "vitest";
import { s32, u32 } from "../../src/emit/wasm/encode.js";
import { runsAsTypeScript, wasm, wasmTarget } from "../../src/emit/wasm/target.js";
import { compile, type CompileOptions, type Compiled } from "../../src/pipeline/compile.js";
import { loadGenerated } from "../../src/pipeline/load.js";
import { front } from "../support/front.js";
import { strictErrors } from "../support/strict.js";

/** LEB128, read back: what the encoder's numbers mean. */
function leb(bytes: readonly number[], signed: boolean): number {
  let value = 0n;
  let shift = 0n;
  for (const b of bytes) {
    value |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if ((b & 0x80) === 0) {
      if (signed && (b & 0x40) !== 0) value -= 1n << shift;
      break;
    }
  }
  return Number(value);
}

describe("the encoder", () => {
  it("writes LEB128 numbers as the specification's examples do", () => {
    expect(u32(0)).toEqual([0]);
    expect(u32(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(s32(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(s32(63)).toEqual([0x3f]);
    expect(s32(64)).toEqual([0xc0, 0x00]);
    expect(s32(-64)).toEqual([0x40]);
  });

  it("reads back every i32 and u32", () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (n) => leb(s32(n), true) === n && leb(u32(n >>> 0), false) === n >>> 0));
  });
});

type Module = Record<string, Record<string, (...args: unknown[]) => unknown>>;

/** The engine's own check of a module (Node's types know WebAssembly only as a namespace). */
const validate = (bytes: Uint8Array): boolean => (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate(bytes);
/** The module's embedded variants: [plain SIMD], or [fused (relaxed SIMD), plain] when it has kernels. */
const embedded = (code: string): Uint8Array[] => [...code.matchAll(/\$decode\("([A-Za-z0-9+/=]+)"\)/g)].map((m) => Uint8Array.from(Buffer.from(m[1]!, "base64")));
/** The variant every engine runs. */
const wasmBytes = (code: string): Uint8Array => embedded(code).at(-1)!;

/** The target with every model in WebAssembly, however small (the default leaves small ones to TypeScript loops), its products as SIMD kernels. */
const everyModel = wasmTarget({ typescriptBelow: 0 });
/** The same with the products as the TypeScript target's scalar loops: its numbers to the last bit. */
const scalarOnly = wasmTarget({ typescriptBelow: 0, simd: false });

async function both(source: string, options: Partial<CompileOptions> = {}, target = everyModel): Promise<{ ts: Compiled; wasm: Compiled; a: Module; b: Module }> {
  const checked = front(source, "test.nnd").checked!;
  expect(checked, source).toBeDefined();
  const base = { precision: "f64", source: "test.nnd", ...options } as const;
  const ts = await compile(checked, base);
  const w = await compile(checked, { ...base, target });
  return { ts, wasm: w, a: (await loadGenerated(ts.code)) as Module, b: (await loadGenerated(w.code)) as Module };
}

/** Values in a fixed pseudo-random order, for arrays of a given length. */
const values = (length: number, seed: number) => Float64Array.from({ length }, (_, i) => Math.sin(seed * 7.1 + i * 1.37) * 1.5);

/** Equal to the last bit, NaN to NaN, anything nested (arrays, objects, numbers). */
function expectSame(got: unknown, want: unknown, what: string): void {
  if (typeof want === "number") {
    if (!Object.is(got, want) && !(Number.isNaN(got) && Number.isNaN(want))) expect.fail(`${what}: ${String(got)} ≠ ${want}`);
    return;
  }
  if (ArrayBuffer.isView(want) || Array.isArray(want)) {
    const w = want as ArrayLike<number>;
    const g = got as ArrayLike<number>;
    expect(g.length, what).toBe(w.length);
    for (let i = 0; i < w.length; i++) expectSame(g[i], w[i], `${what}[${i}]`);
    return;
  }
  if (want !== null && typeof want === "object") {
    expect(Object.keys(got as object).sort(), what).toEqual(Object.keys(want).sort());
    for (const [k, v] of Object.entries(want)) expectSame((got as Record<string, unknown>)[k], v, `${what}.${k}`);
    return;
  }
  expect(got, what).toEqual(want);
}

type Compare = (got: unknown, want: unknown, what: string) => void;

/**
 * Equal within `rel` of the entry or of its array's largest entry (a sum in
 * another order differs by rounding relative to its terms, not to a result
 * that cancels to near 0), NaN to NaN.
 */
const within =
  (rel: number): Compare =>
  (got, want, what) => {
    const close = (g: number, w: number, scale: number, at: string) => {
      if (Number.isNaN(w) ? !Number.isNaN(g) : !(Math.abs(g - w) <= rel * Math.max(Math.abs(w), scale) || Object.is(g, w))) expect.fail(`${at}: ${g} ≠ ${w} within ${rel}`);
    };
    if (typeof want === "number") return close(got as number, want, 0, what);
    if (ArrayBuffer.isView(want) || Array.isArray(want)) {
      const [w, g] = [want as ArrayLike<number>, got as ArrayLike<number>];
      expect(g.length, what).toBe(w.length);
      const scale = Array.from(w).reduce((m, x) => (Number.isFinite(x) ? Math.max(m, Math.abs(x)) : m), 0);
      for (let i = 0; i < w.length; i++) close(g[i]!, w[i]!, scale, `${what}[${i}]`);
      return;
    }
    if (want !== null && typeof want === "object") {
      expect(Object.keys(got as object).sort(), what).toEqual(Object.keys(want).sort());
      for (const [k, v] of Object.entries(want)) within(rel)((got as Record<string, unknown>)[k], v, `${what}.${k}`);
      return;
    }
    expect(got, what).toEqual(want);
  };

/** f64 within 1e-12 and f32 within 1e-5 of the TypeScript target's: the SIMD kernels' sums in another order. */
const simdTolerance = (precision: "f64" | "f32"): Compare => within(precision === "f64" ? 1e-12 : 1e-5);

/** Every function of every model and fn, both targets, on the same arguments. */
function expectAgree(c: { ts: Compiled; a: Module; b: Module }, precision: "f64" | "f32" = "f64", expectSame: Compare = simdTolerance(precision)): void {
  // The module's own array type: an f32 module reads and writes Float32Arrays.
  const array = (length: number, seed?: number) => (precision === "f64" ? (seed === undefined ? new Float64Array(length) : values(length, seed)) : seed === undefined ? new Float32Array(length) : Float32Array.from(values(length, seed)));
  for (const m of c.ts.models) {
    const name = c.ts.exports.get(m.name)!;
    const [a, b] = [c.a[name]!, c.b[name]!];
    const pa = a["init"]!(7) as Record<string, Float64Array>;
    const pb = b["init"]!(7) as Record<string, Float64Array>;
    expectSame(pb, pa, `${m.name}.init`);
    for (const n of [1, 3, 70]) {
      const batch = Object.fromEntries(m.data.map((d, k) => [d.name, array(n * d.shape.reduce((x, y) => x * y, 1), n + k)]));
      const [ga, gb] = [a["zeros"]!(), b["zeros"]!()];
      expectSame(b["lossAndGrad"]!(pb, batch, n, gb), a["lossAndGrad"]!(pa, batch, n, ga), `${m.name}.lossAndGrad loss, ${n} examples`);
      expectSame(gb, ga, `${m.name}.lossAndGrad gradient, ${n} examples`);
      expectSame(b["forward"]!(pb, batch, n), a["forward"]!(pa, batch, n), `${m.name}.forward, ${n} examples`);
      const inputGrad = m.functions.find((f) => f.name === "inputGrad");
      if (inputGrad !== undefined) {
        const group = inputGrad.params[3]!;
        const keys = group.k === "group" ? group.fields.map((x) => x.key) : [];
        const outs = () => Object.fromEntries(keys.map((k) => [k, array(n * m.data.find((d) => d.name === k)!.shape.reduce((x, y) => x * y, 1))]));
        const [oa, ob] = [outs(), outs()];
        a["inputGrad"]!(pa, batch, n, oa);
        b["inputGrad"]!(pb, batch, n, ob);
        expectSame(ob, oa, `${m.name}.inputGrad`);
      }
      if (a["hessian"] !== undefined && n === 3) {
        const size = m.params.reduce((s, p) => s + p.shape.reduce((x, y) => x * y, 1), 0);
        const [ha, hb] = [array(size * size), array(size * size)];
        a["hessian"](pa, batch, n, ha);
        b["hessian"]!(pb, batch, n, hb);
        expectSame(hb, ha, `${m.name}.hessian`);
      }
    }
  }
  for (const fn of c.ts.fns) {
    const name = c.ts.exports.get(fn.name)!;
    const [a, b] = [c.a[name]!, c.b[name]!];
    const args = fn.args.map((x, k) => (x.shape.length === 0 ? Math.cos(k + 0.5) : array(x.shape.reduce((p, q) => p * q, 1), k)));
    for (const f of Object.keys(a)) expectSame(b[f]!(...args), a[f]!(...args), `${fn.name}.${f}`);
  }
}

const examples = readdirSync("examples").filter((f) => f.endsWith(".nnd"));
const everything = { hessian: true, inputGrad: true, jacobians: true } as const;

describe("the WebAssembly target", () => {
  it.each(examples)("%s: the module validates, and every function agrees with the TypeScript target's, f64 within 1e-12 and f32 within 1e-5; with scalar products, to the last bit", async (file) => {
    for (const precision of ["f64", "f32"] as const) {
      const c = await both(readFileSync(`examples/${file}`, "utf8"), { ...everything, precision });
      expect(validate(wasmBytes(c.wasm.code))).toBe(true);
      expectAgree(c, precision);
      const scalar = await both(readFileSync(`examples/${file}`, "utf8"), { ...everything, precision }, scalarOnly);
      expect(validate(wasmBytes(scalar.wasm.code))).toBe(true);
      expectAgree(scalar, precision, expectSame);
    }
  });

  it("agrees with the TypeScript target on random networks, deep and wide enough that their hidden layers are cut into passes", async () => {
    const layer = fc.record({ width: fc.constantFrom(3, 17, 30), act: fc.constantFrom("relu", "tanh", "gelu", "softplus") });
    await fc.assert(
      fc.asyncProperty(fc.array(layer, { maxLength: 3 }), fc.constantFrom("softmax_cross_entropy", "mse"), async (layers, loss) => {
        const widths = [20, ...layers.map((l) => l.width)];
        const lines = layers.flatMap((l, k) => [`param W${k}: [${l.width}, ${widths[k]}] ~ he`, `param b${k}: [${l.width}] ~ normal(0, 0.1)`, `h${k} = ${l.act}(W${k} @ ${k === 0 ? "x" : `h${k - 1}`} + b${k})`]);
        const last = layers.length === 0 ? "x" : `h${layers.length - 1}`;
        const source = `model net {\ninput x: [20]\ntarget y: [11]\n${lines.join("\n")}\nparam V: [11, ${widths.at(-1)}] ~ xavier\nz = V @ ${last}\noutput z\nloss = ${loss}(z, y)\n}\n`;
        expectAgree(await both(source));
      }),
      { numRuns: 15 },
    );
  }, 120_000);

  it("gives views onto its memory from init and zeros, and copies in any other array", async () => {
    const c = await both(readFileSync("examples/xor.nnd", "utf8"));
    const xor = c.b["xor"]!;
    const params = xor["init"]!(1) as Record<string, Float64Array>;
    expect(params["W1"]!.buffer).toBeInstanceOf(SharedArrayBuffer);
    const batch = { x: Float64Array.of(0, 0, 0, 1, 1, 0, 1, 1), y: Float64Array.of(0, 1, 1, 0) };
    const [viewGrads, ownGrads] = [xor["zeros"]!() as Record<string, Float64Array>, Object.fromEntries(Object.entries(params).map(([k, v]) => [k, new Float64Array(v.length)]))];
    const copied = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Float64Array.from(v)]));
    expect(xor["lossAndGrad"]!(copied, batch, 4, ownGrads)).toBe(xor["lossAndGrad"]!(params, batch, 4, viewGrads));
    expectSame(ownGrads, viewGrads, "gradients into the caller's own arrays");
    // A step on the views is a step on the module's parameters.
    params["W1"]![0] = 0.25;
    const again = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Float64Array.from(v)]));
    expect(xor["lossAndGrad"]!(params, batch, 4, viewGrads)).toBe(xor["lossAndGrad"]!(again, batch, 4, ownGrads));
  });

  it("writes a module that type-checks under every strict option, with no lib but ES2022, f64 and f32, small models in TypeScript or not", async () => {
    for (const precision of ["f64", "f32"] as const) {
      for (const target of [everyModel, wasm]) {
        for (const file of ["xor.nnd", "functions.nnd", "digits.nnd"]) expect(strictErrors((await both(readFileSync(`examples/${file}`, "utf8"), { precision, hessian: true }, target)).wasm.code)).toEqual([]);
      }
    }
  });

  it("leaves a model too small for a call into WebAssembly to TypeScript loops in the same file, and says so", async () => {
    const source = `${readFileSync("examples/xor.nnd", "utf8")}\n${readFileSync("examples/digits.nnd", "utf8")}\nfn f(x) = gelu(x) * x\n`;
    const c = await both(source, {}, wasm);
    expect(c.wasm.code).not.toContain('"xor.lossAndGrad"');
    expect(c.wasm.code).toContain('"digits.lossAndGrad"');
    expect(c.wasm.code).toContain('"f.grad"');
    expect(c.wasm.code).toContain("function sigmoid(");
    expectAgree(c);
    expect(runsAsTypeScript(c.ts.models.find((m) => m.name === "xor")!)).toBe(true);
  });

  it("writes what prettier would write, but for long lines", async () => {
    for (const target of [everyModel, wasm]) {
      const code = (await both(readFileSync("examples/iris.nnd", "utf8"), {}, target)).wasm.code;
      expect(await prettier.format(code, { parser: "typescript", printWidth: 100_000 })).toBe(code);
    }
  });
});

describe("the stable forms in WebAssembly", () => {
  // A model whose every loss and activation is one of the stable forms, fed ±1000: finite everywhere, and the TypeScript target's numbers.
  const source = `model stable {
  input x: [4]
  target y: [4]
  param W: [40, 4] ~ xavier
  param V: [4, 40] ~ xavier
  h = softplus(W @ x) - sigmoid(W @ x) + tanh(W @ x)
  z = V @ h
  output z
  loss = bce_logits(z, y) + logsumexp(z) + softmax_cross_entropy(z, y)
}
`;
  it("stay finite at ±1000 and give what the TypeScript target gives", async () => {
    const c = await both(source);
    const [a, b] = [c.a["stable"]!, c.b["stable"]!];
    const [pa, pb] = [a["init"]!(3), b["init"]!(3)];
    const batch = { x: Float64Array.of(1000, -1000, 500, -500, -1000, 1000, 0, 1000), y: Float64Array.of(1, 0, 0, 0, 0, 0, 1, 0) };
    const [ga, gb] = [a["zeros"]!() as Record<string, Float64Array>, b["zeros"]!() as Record<string, Float64Array>];
    const loss = b["lossAndGrad"]!(pb, batch, 2, gb) as number;
    expect(Number.isFinite(loss)).toBe(true);
    for (const g of Object.values(gb)) expect(g.every(Number.isFinite)).toBe(true);
    expectSame(loss, a["lossAndGrad"]!(pa, batch, 2, ga), "loss at ±1000");
    expectSame(gb, ga, "gradient at ±1000");
  });
});

describe("bad arguments to a WebAssembly module", () => {
  it("are refused with the function's name and what is wrong, not read past their end", async () => {
    const xor = (await both(readFileSync("examples/xor.nnd", "utf8"))).b["xor"]!;
    const params = xor["init"]!(1);
    const grads = xor["zeros"]!();
    expect(() => xor["lossAndGrad"]!(params, { x: new Float64Array(6), y: new Float64Array(4) }, 4, grads)).toThrow("xor.lossAndGrad: x has 6 entries, 8 are needed");
    expect(() => xor["forward"]!(params, { x: [0, 1] }, 1)).toThrow("xor.forward: x is not a Float64Array or Float32Array");
  });
});
