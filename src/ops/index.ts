// The op catalog: every op's definition, by family, in one table that each
// pass reads. Adding an op is a name in names.ts and an entry in its family's
// file; `tsc` fails until the entry has every part.

import type { Helper } from "../ir/ir.js";
import { binaryEntries, unaryEntries } from "./elementwise.js";
import { linalgEntries } from "./linalg.js";
import { lossEntries } from "./losses.js";
import { elementwiseOps, type ElementwiseOp, type OpName } from "./names.js";
import type { BuiltinSpec, OpDef } from "./op.js";
import { reductionEntries } from "./reductions.js";
import { leafEntries, shapeEntries } from "./shapes.js";
import { specialEntries } from "./special.js";

export const ops = {
  ...leafEntries,
  ...unaryEntries,
  ...specialEntries,
  ...binaryEntries,
  ...shapeEntries,
  ...linalgEntries,
  ...reductionEntries,
  ...lossEntries,
} satisfies Record<OpName, OpDef>;

export const opDef = (op: OpName): OpDef => ops[op];

export const isOp = (name: string): name is OpName => Object.hasOwn(ops, name);

/** Ops that apply one function to each entry (with scalar broadcasting). */
export const elementwise: ReadonlySet<OpName> = new Set<OpName>(elementwiseOps);
export const isElementwise = (op: OpName): op is ElementwiseOp => elementwise.has(op);

/** The ops a .nnd file can call by name. */
export type BuiltinOp = { [K in OpName]: (typeof ops)[K] extends { readonly builtin: BuiltinSpec } ? K : never }[OpName];

export const builtinOps: readonly BuiltinOp[] = (Object.keys(ops) as OpName[]).filter((op): op is BuiltinOp => opDef(op).builtin !== undefined);

/** Every helper function an op's lowering may call, by name (an op may share another's, as gelu calls erf). */
export const helpers: ReadonlyMap<string, Helper> = new Map(
  Object.values(ops as Record<OpName, OpDef>).flatMap((d) => (d.lowering.kind === "scalar" ? (d.lowering.helpers ?? []) : [])).map((h) => [h.name, h]),
);

export * from "./names.js";
export type { Attrs, Builder, BuiltinSpec, Lowering, Node, Layout, OpDef, PrintForm, ShapeProblem, ShapeRule, SourceForm, VarRole, VjpRule } from "./op.js";
