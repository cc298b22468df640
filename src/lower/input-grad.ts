// inputGrad(params, batch, n, out), generated only when asked for (the
// compile option `inputGrad`): for each of the n examples, the gradient of
// that example's loss with respect to its inputs, written into out (one
// example after another, as in a batch). Saliency maps and adversarial
// examples start from it. Targets are read (the loss needs them), not
// differentiated.

import type { Node } from "../graph/node.js";
import { reachable } from "../graph/node.js";
import { add, loop, mul, num, ref, type Func, type Stmt } from "../ir/ir.js";
import { Kernel, flat, type Buffer, type Place } from "./kernel.js";
import { group, type Variable } from "./model.js";
import type { Renamer } from "./names.js";
import { arraysOf } from "./liveness.js";
import { straighten } from "./unroll.js";
import type { Tuning } from "./tuning.js";

export interface InputGradInput {
  readonly params: readonly Node[];
  /** The model's inputs then its targets, as in the batch. */
  readonly data: readonly Node[];
  /** The gradient of one example's loss with respect to each input (the first inputs.length of data). */
  readonly grads: readonly Node[];
  readonly names: ReadonlyMap<Node, string>;
}

export interface InputGradCode {
  readonly func: Func;
  readonly buffers: readonly Buffer[];
}

/** The statements of inputGrad; `code` is the model as lowered (its identifiers for params and data are reused). */
export function lowerInputGrad(m: InputGradInput, code: { params: readonly Variable[]; data: readonly Variable[] }, renamer: Renamer, helpersUsed: Set<string>, tuning: Tuning): InputGradCode {
  const buffers: Buffer[] = [];
  const example = renamer.fresh("i");
  const offsets = code.data.map((d) => renamer.fresh(`${d.ident}_at`));
  const outs = m.grads.map((_, k) => renamer.fresh(`d_${code.data[k]!.name}`));
  const places = new Map<Node, Place>();
  m.params.forEach((p, i) => places.set(p, { kind: "array", array: code.params[i]!.ident, offset: num(0) }));
  m.data.forEach((d, i) => places.set(d, { kind: "array", array: code.data[i]!.ident, offset: ref(offsets[i]!) }));
  const nodes = reachable(m.grads);
  const perExample = new Set<Node>(m.data);
  for (const n of nodes) if (n.args.some((a) => perExample.has(a))) perExample.add(n);
  const rootUses = new Map<Node, number>();
  for (const g of m.grads) rootUses.set(g, (rootUses.get(g) ?? 0) + 1);
  const kernel = new Kernel({ nodes, places, perExample, rootUses, names: m.names, renamer, buffers, helpersUsed, describe: () => undefined, tuning });

  const stores: Stmt[] = m.grads.flatMap((g, k) => {
    kernel.ensure(g);
    const size = g.shape.reduce((a, b) => a * b, 1);
    return kernel.forEach(g.shape, (idx) => [{ k: "store", array: outs[k]!, at: add(mul(ref(example), num(size)), flat(g.shape, idx)), op: "=", value: kernel.elem(g, idx) }], `∂loss/∂${code.data[k]!.name}`);
  });
  const used = new Set(nodes);
  const body: Stmt[] = [
    ...kernel.hoisted,
    loop(example, ref("n"), [
      ...code.data.flatMap((d, i): Stmt[] => (used.has(m.data[i]!) ? [{ k: "decl", mutable: false, type: "i32", name: offsets[i]!, init: mul(ref(example), num(d.shape.reduce((a, b) => a * b, 1))) }] : [])),
      ...kernel.perExampleStmts,
      ...stores,
    ]),
  ];
  const straight = straighten(body, { scratch: new Set(buffers.map((b) => b.name)), outside: new Set(code.params.map((p) => p.ident)), fresh: (base) => renamer.fresh(base), baseOf: (array) => renamer.baseOf(array), limits: tuning.unroll });
  // Scratch that became locals needs no storage.
  const stillUsed = new Set<string>();
  for (const st of straight) arraysOf(st, stillUsed);
  const inputs = code.data.slice(0, m.grads.length);
  const func: Func = {
    name: "inputGrad",
    params: [group("params", "params", code.params), group("batch", "batch", code.data), { k: "scalar", name: "n", type: "i32" }, group("out", "inputGradients", inputs.map((v, k) => ({ ...v, ident: outs[k]! })))],
    result: { k: "none" },
    body: straight,
    doc: `For each of the n examples, the gradient of its loss with respect to ${inputs.map((v) => v.name).join(", ")}, written into out, one example after another.`,
  };
  return { func, buffers: buffers.filter((b) => stillUsed.has(b.name)) };
}
