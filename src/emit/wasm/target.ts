// The WebAssembly target: the same module interface as the TypeScript
// target's (docs/module.md), in one .ts file that imports nothing, with the
// work done by an embedded WebAssembly module. Every IR function becomes a
// function of that module (function.ts, assemble.ts); the TypeScript around
// it (wrapper.ts) declares the same types and objects, whose methods call in.
// A model too small for a call into WebAssembly to pay runs as the
// TypeScript target's loops in the same file.

import type { Func } from "../../ir/ir.js";
import type { ModelCode, Variable } from "../../lower/model.js";
import { scalarTuning } from "../../lower/tuning.js";
import { sizeOf } from "../../tensor/shape.js";
import { printModule } from "../layout.js";
import { moduleStatements } from "../module.js";
import type { LoweredModule, Target } from "../target.js";
import { typescript } from "../typescript.js";
import { assemble, type Exported } from "./assemble.js";
import { INTRINSICS, type WasmSpelling } from "./intrinsics.js";
import { delegatedBody, prelude, signatureOf, type Sizes } from "./wrapper.js";

export interface WasmOptions {
  /**
   * A model of fewer flops per example (forward and backward) runs as the
   * TypeScript target's loops, in the same file: a call into WebAssembly
   * (its arguments checked, its batch copied in) costs more than its step.
   */
  readonly typescriptBelow: number;
  /** Products as SIMD kernels (the default), or as the scalar loops the TypeScript target runs, to the last bit the same. */
  readonly simd?: boolean;
  /**
   * Also embed the kernels with relaxed SIMD's fused multiply-add (the
   * default), chosen at load time where the engine validates them (Chrome,
   * Node 22; Node 20 only with --experimental-wasm-relaxed-simd).
   */
  readonly relaxed?: boolean;
}

/** XOR's 103 flops and iris's 555 run as TypeScript; digits's 17,488 in WebAssembly. */
export const SMALL_MODEL_FLOPS = 2000;

/** True for a model the WebAssembly target leaves to TypeScript loops. */
export const runsAsTypeScript = (m: ModelCode, o: WasmOptions = { typescriptBelow: SMALL_MODEL_FLOPS }): boolean => m.stats.forwardFlops + m.stats.backwardFlops < o.typescriptBelow;

export function wasmTarget(o: WasmOptions): Target<WasmSpelling> {
  return {
    name: "wasm",
    extension: ".ts",
    intrinsics: INTRINSICS,
    tuning: scalarTuning,
    // The wrapper's own names are $-prefixed, which no .nnd name can be; `ready` is exported beside the models.
    reserved: new Set([...typescript.reserved, "ready"]),
    render: (m) => render(m, o),
  };
}

export const wasm = wasmTarget({ typescriptBelow: SMALL_MODEL_FLOPS });

/** A model's or fn's functions that the WebAssembly module runs, and what their arrays hold. */
interface Owned {
  readonly owner: string;
  readonly model: boolean;
  readonly functions: readonly Func[];
  readonly buffers: ModelCode["buffers"];
  readonly sizes: Sizes;
}

/** Entries of each variable's array, by its user's name and by its local. */
function sizesOf(vars: readonly Variable[]): Sizes {
  const known = new Map(vars.flatMap((v) => [[v.name, sizeOf(v.shape)] as const, [v.ident, sizeOf(v.shape)] as const]));
  return { ofKey: (k) => known.get(k) ?? 0, ofBuffer: (b) => known.get(b) ?? 0 };
}

function render(m: LoweredModule, o: WasmOptions): string {
  const owned: Owned[] = [
    ...m.models.filter((x) => !runsAsTypeScript(x, o)).map((x) => ({ owner: m.exportName(x.name), model: true, functions: x.functions, buffers: x.buffers, sizes: sizesOf([...x.params, ...x.data]) })),
    ...m.fns.map((x) => ({ owner: m.exportName(x.name), model: false, functions: x.functions, buffers: x.buffers, sizes: sizesOf(x.args) })),
  ];
  const exported: Exported[] = owned.flatMap((x) => x.functions.map((func) => ({ name: `${x.owner}.${func.name}`, func })));
  const assembled = assemble(
    exported,
    owned.flatMap((x) => x.buffers),
    m.helpersUsed,
    m.precision,
    o.simd === false ? "none" : "plain",
    o.relaxed ?? true,
  );
  const signatures = new Map(owned.flatMap((x) => x.functions.map((func) => [`${x.owner}.${func.name}`, signatureOf(func, x.model, x.sizes)] as const)));
  const delegated = new Set(owned.map((x) => x.owner));
  const delegate = (fn: Func, owner: string) => (delegated.has(owner) ? delegatedBody(fn, owner) : undefined);
  const arrays = m.precision === "f32" ? "Float32Array" : "Float64Array";
  const api = printModule(moduleStatements({ ...m, arrays, reuseLocalsAbove: scalarTuning.reuseLocalsAbove, delegate }));
  return api + prelude(assembled, signatures, m.precision);
}
