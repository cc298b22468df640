// How each elementwise op computes one entry, as an IR expression over the
// entries of its arguments: its catalog entry's scalar semantics (an
// intrinsic, or an expansion that may call a helper the module defines once).

import { elementwise, helpers as opHelpers, opDef, type ElementwiseOp, type OpName } from "../ops/index.js";
import { bin, ref, type Expr, type Helper } from "../ir/ir.js";

/** Helpers, by name: the ops' and the kernel's own. Each is emitted only when used. */
export const helpers: ReadonlyMap<string, Helper> = new Map([...opHelpers, ["square", { name: "square", params: ["x"], body: bin("*", ref("x"), ref("x")) }]]);

export const isElementwiseOp = (op: OpName): op is ElementwiseOp => elementwise.has(op);

/** One entry of an elementwise op; the names of the helpers it calls go to `used`. */
export function scalarOp(op: ElementwiseOp, args: readonly Expr[], used: Set<string>): Expr {
  const lowering = opDef(op).lowering;
  if (lowering.kind !== "scalar") throw new Error(`internal: ${op} has no scalar lowering`);
  for (const h of lowering.helpers ?? []) used.add(h.name);
  return lowering.scalar(args);
}
