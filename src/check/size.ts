// The size guard: a model or fn too large to run is a diagnostic at `check`,
// so every command refuses it at once instead of allocating until the
// machine runs out of memory. Two limits:
//
//   | what                                   | limit                      | why                                   |
//   |----------------------------------------|----------------------------|---------------------------------------|
//   | one value (a declared or computed one) | 2^31 - 1 entries            | typed arrays and loop indices are int32 |
//   | all values of one model or fn          | 2^28 entries (2 GiB of f64) | gradients, optimizer state and the     |
//   |                                        |                            | per-example values of the backward pass|
//   |                                        |                            | take a few times this again            |
//
// "All values" counts, once each, the params, inputs, targets and arguments,
// and the result of every computed expression (names refer to a value, they
// do not copy it), per example; for a fn also its Jacobian, which `grad`,
// `eval` and `gradcheck` compute. The count is an estimate of the memory
// (simplification shrinks it, the backward pass roughly doubles it), sound
// enough to stop the sizes that could never run.

import type * as A from "../parse/ast.js";
import type { Span } from "../diagnostics/source.js";
import { allExprs } from "../parse/walk.js";
import { error, type Diagnostic } from "../diagnostics/diagnostic.js";
import { MAX_SIZE } from "../diagnostics/messages.js";
import { sizeOf, type Shape } from "../tensor/shape.js";
import type { CheckedProgram, ValueSymbol } from "./checked.js";

/** The most entries all values of one model or fn may have together (8 bytes each). */
export const MAX_TOTAL_ENTRIES = 2 ** 28;

interface Sized {
  readonly what: string;
  readonly shape: Shape;
  readonly span: Span;
}

export function findOversized(checked: CheckedProgram): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const [name, fn] of checked.fns) {
    const args = fn.args.map((a) => ({ what: `argument '${a.decl.name.name}'`, shape: a.shape, span: a.decl.span }));
    const jacobians = fn.result === undefined ? [] : fn.args
      .filter((a) => a.shape.length + fn.result!.length <= 2)
      .map((a) => ({ what: `the derivative by '${a.decl.name.name}'`, shape: [...fn.result!, ...a.shape], span: fn.decl.name.span }));
    found.push(...guard(`fn '${name}'`, fn.decl.name.span, [...args, ...jacobians, ...computed([fn.decl.body], checked)]));
  }
  for (const [name, model] of checked.models) {
    const declared = [...model.params, ...model.inputs, ...model.targets].flatMap(declaredValue);
    const exprs = model.decl.items.flatMap((item) => (item.kind === "let" || item.kind === "loss" ? [item.expr] : []));
    found.push(...guard(`model '${name}'`, model.decl.name.span, [...declared, ...computed(exprs, checked)]));
  }
  return found;
}

function declaredValue(s: ValueSymbol): Sized[] {
  if (s.kind !== "param" && s.kind !== "input" && s.kind !== "target") return [];
  return [{ what: `${s.kind} '${s.decl.name.name}'`, shape: s.shape, span: s.decl.span }];
}

/** Every expression that computes a new value; a name only refers to one. */
function computed(roots: readonly A.Expr[], checked: CheckedProgram): Sized[] {
  const out: Sized[] = [];
  for (const e of allExprs(roots)) {
    if (e.kind === "name" || e.kind === "number") continue;
    const shape = checked.shapes.get(e);
    if (shape !== undefined) out.push({ what: "this expression", shape, span: e.span });
  }
  return out;
}

function guard(owner: string, at: Span, values: readonly Sized[]): Diagnostic[] {
  const found: Diagnostic[] = [];
  let total = 0;
  for (const v of values) {
    const entries = sizeOf(v.shape);
    total += entries;
    if (entries > MAX_SIZE) found.push(error("NND2025", v.span, v.what, v.shape, entries, MAX_SIZE));
  }
  // One value past the first limit already says it; the total would repeat it.
  if (found.length === 0 && total > MAX_TOTAL_ENTRIES) found.push(error("NND2026", at, owner, total, MAX_TOTAL_ENTRIES));
  return found;
}
