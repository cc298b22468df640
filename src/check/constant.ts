// Constant expressions, for initialiser arguments: `normal(0, 1 / sqrt(H))`.
// Numbers, pi, dims, arithmetic and a few scalar functions; nothing that
// depends on data or parameters.

import type * as A from "../parse/ast.js";

export type ConstantResult =
  | { readonly value: number }
  /** The first part that is not constant, and whether it is a name nobody defined. */
  | { readonly notConstant: A.Expr };

const functions: ReadonlyMap<string, (x: number) => number> = new Map([
  ["sqrt", Math.sqrt],
  ["exp", Math.exp],
  ["log", Math.log],
  ["abs", Math.abs],
]);

const arithmetic = {
  "+": (a: number, b: number) => a + b,
  "-": (a: number, b: number) => a - b,
  "*": (a: number, b: number) => a * b,
  "/": (a: number, b: number) => a / b,
  "^": (a: number, b: number) => a ** b,
} as const;

export function evaluateConstant(e: A.Expr, valueOf: (name: string) => number | undefined): ConstantResult {
  switch (e.kind) {
    case "number":
      return { value: e.value };
    case "name": {
      const value = valueOf(e.name);
      return value === undefined ? { notConstant: e } : { value };
    }
    case "neg": {
      const r = evaluateConstant(e.operand, valueOf);
      return "value" in r ? { value: -r.value } : r;
    }
    case "binary": {
      if (e.op === "@") return { notConstant: e };
      const a = evaluateConstant(e.left, valueOf);
      if (!("value" in a)) return a;
      const b = evaluateConstant(e.right, valueOf);
      if (!("value" in b)) return b;
      return { value: arithmetic[e.op](a.value, b.value) };
    }
    case "call": {
      const f = functions.get(e.callee.name);
      if (f === undefined || e.args.length !== 1) return { notConstant: e };
      const x = evaluateConstant(e.args[0]!, valueOf);
      return "value" in x ? { value: f(x.value) } : x;
    }
    case "index":
    case "array":
      return { notConstant: e };
  }
}
