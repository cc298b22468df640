// How the WebAssembly target spells each intrinsic of the IR: an instruction
// where WebAssembly has one; a function of the host's (Math.exp, …) where it
// has none, imported by the module (the same function the TypeScript target
// calls, so both targets agree to the last bit); or a short sequence of its
// own (function.ts). A missing intrinsic fails tsc.

import type { Intrinsic } from "../../ir/ir.js";
import { OP, type Bytes } from "./encode.js";

export type WasmSpelling =
  | { readonly k: "op"; readonly code: Bytes }
  | { readonly k: "host"; readonly arity: number }
  /** imin (a select), isFinite (x − x = 0). */
  | { readonly k: "sequence" };

const op = (...code: Bytes): WasmSpelling => ({ k: "op", code });
const host = (arity = 1): WasmSpelling => ({ k: "host", arity });

export const INTRINSICS: Readonly<Record<Intrinsic, WasmSpelling>> = {
  exp: host(),
  log: host(),
  log1p: host(),
  sin: host(),
  cos: host(),
  tan: host(),
  tanh: host(),
  pow: host(2),
  sqrt: op(OP["f64.sqrt"]),
  abs: op(OP["f64.abs"]),
  max: op(OP["f64.max"]),
  min: op(OP["f64.min"]),
  isFinite: { k: "sequence" },
  imin: { k: "sequence" },
  iadd: op(OP["i32.add"]),
  imul: op(OP["i32.mul"]),
  xor: op(OP["i32.xor"]),
  or: op(OP["i32.or"]),
  shr_u: op(OP["i32.shr_u"]),
};

/** The host's functions the module imports, by name: the intrinsics spelled `host`, and ToInt32 for f64 → i32. */
export const HOST: readonly { readonly name: Intrinsic | "toInt32"; readonly arity: number }[] = [
  ...Object.entries(INTRINSICS).flatMap(([name, s]) => (s.k === "host" ? [{ name: name as Intrinsic, arity: s.arity }] : [])),
  { name: "toInt32", arity: 1 },
];
