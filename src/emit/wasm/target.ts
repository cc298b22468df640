// The WebAssembly target: the same module interface as the TypeScript
// target's (docs/module.md), in one .ts file that imports nothing, with the
// work done by an embedded WebAssembly module. Every IR function becomes a
// function of that module (function.ts, assemble.ts); the TypeScript around
// it (wrapper.ts) declares the same types and objects, whose methods call in.

import { scalarTuning } from "../../lower/tuning.js";
import { printModule } from "../layout.js";
import { moduleStatements } from "../module.js";
import type { Target } from "../target.js";
import { typescript } from "../typescript.js";
import { assemble, type Exported } from "./assemble.js";
import { INTRINSICS, type WasmSpelling } from "./intrinsics.js";
import { sizeOf } from "../../tensor/shape.js";
import { delegatedBody, prelude, signatureOf, type Sizes } from "./wrapper.js";

export const wasm: Target<WasmSpelling> = {
  name: "wasm",
  extension: ".ts",
  intrinsics: INTRINSICS,
  tuning: scalarTuning,
  // The wrapper's own names are $-prefixed, which no .nnd name can be; `ready` is exported beside the models.
  reserved: new Set([...typescript.reserved, "ready"]),
  render(m) {
    const entries = (vars: readonly { name: string; ident: string; shape: readonly number[] }[]) => new Map(vars.flatMap((v) => [[v.name, sizeOf(v.shape)] as const, [v.ident, sizeOf(v.shape)] as const]));
    const sizes = (known: ReadonlyMap<string, number>): Sizes => ({ ofKey: (k) => known.get(k) ?? 0, ofBuffer: (b) => known.get(b) ?? 0 });
    const owned = [
      ...m.models.map((x) => ({ owner: m.exportName(x.name), model: true, functions: x.functions, buffers: x.buffers, sizes: sizes(entries([...x.params, ...x.data])) })),
      ...m.fns.map((x) => ({ owner: m.exportName(x.name), model: false, functions: x.functions, buffers: x.buffers, sizes: sizes(entries(x.args)) })),
    ];
    const exported: Exported[] = owned.flatMap((o) => o.functions.map((func) => ({ name: `${o.owner}.${func.name}`, func })));
    const assembled = assemble(exported, owned.flatMap((o) => o.buffers), m.helpersUsed, m.precision);
    const signatures = new Map(owned.flatMap((o) => o.functions.map((func) => [`${o.owner}.${func.name}`, signatureOf(func, o.model, o.sizes)] as const)));
    const arrays = m.precision === "f32" ? "Float32Array" : "Float64Array";
    const api = printModule(moduleStatements({ ...m, arrays, reuseLocalsAbove: scalarTuning.reuseLocalsAbove, delegate: delegatedBody }));
    return api + prelude(assembled, signatures, m.precision);
  },
};
