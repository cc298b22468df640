// The targets a user names (`--target ts|wasm`, the library's `target`): each
// renders the same module interface (docs/module.md); `ts` is the default.

import type { Target } from "../emit/target.js";
import { typescript } from "../emit/typescript.js";
import { wasm, wasmTarget } from "../emit/wasm/target.js";

export const targets = { ts: typescript, wasm } as const satisfies Record<string, Target>;
export type TargetName = keyof typeof targets;
export const TARGET_NAMES = Object.keys(targets) as TargetName[];

export interface TargetChoice {
  /** With `wasm`: every model in WebAssembly, even one too small for a call into it to pay (a browser test, a measurement). */
  readonly wasmAlways?: boolean;
}

/** The target a user named, with their choices. */
export const targetNamed = (name: TargetName, o: TargetChoice = {}): Target => (name === "wasm" && o.wasmAlways === true ? wasmTarget({ typescriptBelow: 0 }) : targets[name]);
