// The TypeScript target: a module of typed arrays and plain loops that
// imports nothing (docs/module.md), laid out as prettier would (layout.ts),
// tuned for a JavaScript engine's scalar code.

import type ts from "typescript";
import { scalarTuning } from "../lower/tuning.js";
import { printModule } from "./layout.js";
import { moduleStatements } from "./module.js";
import type { Target } from "./target.js";
import { INTRINSICS } from "./ts-build.js";

/** Reserved words, names with a meaning to JavaScript, and the globals the module reads. */
const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield " +
    "let static implements interface package private protected public await async of get set arguments eval undefined NaN Infinity " +
    "constructor prototype __proto__ toString valueOf hasOwnProperty Object Math Number Array Float64Array Float32Array globalThis"
  ).split(" "),
);

export const typescript: Target<(args: readonly ts.Expression[]) => ts.Expression> = {
  name: "typescript",
  extension: ".ts",
  intrinsics: INTRINSICS,
  tuning: scalarTuning,
  reserved: RESERVED,
  render: (m) => printModule(moduleStatements({ ...m, arrays: m.precision === "f32" ? "Float32Array" : "Float64Array", reuseLocalsAbove: scalarTuning.reuseLocalsAbove })),
};
