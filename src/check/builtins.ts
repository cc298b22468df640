// The catalog of built-in functions (docs/language.md): the ops a .nnd file
// can call by name, each with the signature its catalog entry gives, and
// `diff`, which is not an op (the graph builder expands it).

import type { Shape } from "../tensor/shape.js";
import { builtinOps, opDef, type BuiltinOp, type BuiltinSpec, type ShapeProblem, type ShapeRule } from "../ops/index.js";

export type { ShapeProblem, ShapeRule };

export type BuiltinName = BuiltinOp | "diff";

export interface Builtin extends Pick<BuiltinSpec, "params" | "doc"> {
  readonly name: BuiltinName;
  readonly shape: ShapeRule;
}

const diff: Builtin = {
  name: "diff",
  params: ["e", "x"],
  doc: "derivative of e with respect to the variable x",
  // shape(e) ++ shape(x). The checker also requires x to be a variable.
  shape: ([e, x]: readonly Shape[]) => [...e!, ...x!],
};

export const builtins: ReadonlyMap<string, Builtin> = new Map([
  ...builtinOps.map((name): [string, Builtin] => {
    const spec = opDef(name).builtin!;
    return [name, { name, params: spec.params, doc: spec.doc, shape: spec.check }];
  }),
  ["diff", diff],
]);

/** Named values every file can use. */
export const builtinConstants: ReadonlyMap<string, number> = new Map([["pi", Math.PI]]);
