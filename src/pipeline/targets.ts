// The targets a user names (`--target ts|wasm`, the library's `target`): each
// renders the same module interface (docs/module.md); `ts` is the default.

import type { Target } from "../emit/target.js";
import { typescript } from "../emit/typescript.js";
import { wasm } from "../emit/wasm/target.js";

export const targets = { ts: typescript, wasm } as const satisfies Record<string, Target>;
export type TargetName = keyof typeof targets;
export const TARGET_NAMES = Object.keys(targets) as TargetName[];
