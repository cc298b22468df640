// Run in a child Node (with or without --experimental-wasm-relaxed-simd):
// loads a generated TypeScript module and its WebAssembly twin, trains one
// gradient of each on the same batch, and prints JSON: whether the engine
// took the fused (relaxed SIMD) variant, and both results.
//
//   node [--experimental-wasm-relaxed-simd] --import tsx test/support/relaxed-run.ts DIR MODEL

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

type Model = {
  init(seed: number): Record<string, Float64Array | Float32Array>;
  zeros(): Record<string, Float64Array | Float32Array>;
  lossAndGrad(p: object, batch: object, n: number, g: object): number;
  shapes: Record<string, number[]>;
};

const [dir, name, inputs] = process.argv.slice(2) as [string, string, string];
const wasmCode = readFileSync(join(dir, "wasm.ts"), "utf8");
const fused = Uint8Array.from(Buffer.from(/\$fused = \$decode\("([A-Za-z0-9+/=]+)"\)/.exec(wasmCode)![1]!, "base64"));
const load = async (file: string) => ((await import(pathToFileURL(join(dir, file)).href)) as Record<string, Model>)[name]!;
const [ts, wasm] = [await load("ts.ts"), await load("wasm.ts")];
const n = 70;
const batch = Object.fromEntries(
  JSON.parse(inputs).map(([key, size]: [string, number], k: number) => [key, Float64Array.from({ length: n * size }, (_, i) => Math.sin(i * 1.37 + k) * 1.5)]),
);
const run = (m: Model) => {
  const g = m.zeros();
  const loss = m.lossAndGrad(m.init(7), batch, n, g);
  return { loss, grads: Object.fromEntries(Object.entries(g).map(([k, v]) => [k, Array.from(v)])) };
};
const validate = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate;
process.stdout.write(JSON.stringify({ fused: validate(fused), ts: run(ts), wasm: run(wasm) }));
