// The reference interpreter: evaluates a graph in f64, one op at a time, each
// by its catalog entry's reference evaluation (plain and stable on purpose).
// `gradcheck` and the tests measure generated code against it.

import { opDef } from "../ops/index.js";
import type { Tensor } from "../tensor/tensor.js";
import { reachable, type Node } from "./node.js";

export { scalarTensor, tensor, type Tensor } from "../tensor/tensor.js";

/** Values of the roots, given a value for every variable they use (by name). */
export function evaluate(roots: readonly Node[], env: ReadonlyMap<string, Tensor>): Tensor[] {
  const values = new Map<Node, Tensor>();
  for (const n of reachable(roots)) {
    if (n.op === "var") {
      const v = env.get(n.attrs.name!);
      if (v === undefined) throw new Error(`internal: no value for variable '${n.attrs.name}'`);
      values.set(n, v);
    } else {
      values.set(n, opDef(n.op).evaluate(n.args.map((a) => values.get(a)!), n.attrs, n.shape));
    }
  }
  return roots.map((r) => values.get(r)!);
}
