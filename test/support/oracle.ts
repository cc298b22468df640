// Runs the dual-number oracle on a model's loss or a fn's value.

import type { CheckedProgram, ValueSymbol } from "../../src/check/checked.js";
import type { Tensor } from "../../src/graph/evaluate.js";
import { DualEvaluator, dualGradient, type DualTensor } from "./dual.js";

const nameOf = (s: ValueSymbol) => (s.kind === "constant" ? s.name : s.decl.name.name);

/** Loss of the model at `values` (every input, target and param by name) and its gradient by param. */
export function oracleModel(checked: CheckedProgram, model: string, values: ReadonlyMap<string, Tensor>) {
  const m = checked.models.get(model)!;
  const dual = new DualEvaluator(checked);
  const leaves = [...m.inputs, ...m.targets, ...m.params];
  const variables = new Map(leaves.map((s) => [nameOf(s), { shape: values.get(nameOf(s))!.shape, values: values.get(nameOf(s))!.data }]));
  return dualGradient(variables, m.params.map(nameOf), (vals) => {
    const env = new Map<ValueSymbol, DualTensor>(leaves.map((s) => [s, vals.get(nameOf(s))!]));
    for (const b of m.bindings) {
      if (b.kind === "binding") env.set(b, dual.evaluate(b.decl.expr, env));
    }
    return dual.evaluate(m.loss!.expr, env);
  });
}

/** A fn's value at `values` and its derivative with respect to each argument (shape(f) ++ shape(x)). */
export function oracleFn(checked: CheckedProgram, fn: string, values: ReadonlyMap<string, Tensor>, body = checked.fns.get(fn)!.decl.body) {
  const f = checked.fns.get(fn)!;
  const dual = new DualEvaluator(checked);
  const variables = new Map(f.args.map((a) => [a.decl.name.name, { shape: a.shape, values: values.get(a.decl.name.name)!.data }]));
  return dualGradient(variables, [...variables.keys()], (vals) => {
    const env = new Map<ValueSymbol, DualTensor>(f.args.map((a) => [a, vals.get(a.decl.name.name)!]));
    return dual.evaluate(body, env);
  });
}
