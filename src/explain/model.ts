// `nndc explain --model M --wrt W`: backpropagation one rule at a time. The
// reverse sweep from the loss to W, each step naming the rule that sends the
// gradient from a node to its argument, over the model's own intermediates.

import type { DerivedModel } from "../pipeline/derive.js";
import { gradients } from "../diff/reverse.js";
import { opDef } from "../ops/index.js";
import { sugar } from "../graph/sugar.js";
import { simplify } from "../simplify/simplify.js";
import type { Node } from "../graph/node.js";
import { formatName } from "../graph/notation.js";
import { printFormula } from "../graph/print.js";

export interface ExplainLine {
  readonly lhs: string;
  readonly rhs: string;
  readonly rule: string;
}

export function explainModel(d: DerivedModel, wrt: number): { forward: ExplainLine[]; backward: ExplainLine[] } {
  const g = d.graph;
  const w = d.wrt[wrt]!;
  const { steps } = gradients(g, d.loss, [w]);

  // Names: the user's, "L" for the loss, z₁, z₂, ... for other nodes the sweep passes.
  const names = new Map<Node, string>(d.names);
  names.set(d.loss, "L");
  const passed = [...new Set(steps.map((s) => s.node))].sort((a, b) => a.id - b.id);
  let k = 0;
  for (const n of passed) if (!names.has(n) && n.op !== "var") names.set(n, `z${++k}`);
  const label = (n: Node) => (n.op === "var" ? n.attrs.name! : names.get(n) ?? printFormula(n, { notation: "math", names }));
  const define = (n: Node) => printFormula(n, { notation: "math", names: new Map([...names].filter(([m]) => m !== n)) });
  const $ = sugar(g);

  const forward = passed.map((n) => ({ lhs: formatName(label(n), "math"), rhs: define(n), rule: "" }));
  const backward: ExplainLine[] = [{ lhs: "∂L/∂L", rhs: "= 1", rule: "start" }];
  for (const s of steps) {
    // The term again, from the rule, with the incoming gradient as a symbol:
    // nodes are shared, so the term itself cannot say which gradient it used.
    const incoming = g.variable(`∂L/∂${label(s.node)}`, "input", s.node.shape);
    const k = s.node.args.indexOf(s.arg);
    const raw = opDef(s.node.op).vjp.grads(incoming, s.node.args, s.node, $)[k];
    const term = raw === null || raw === undefined ? undefined : simplify(g, [raw]).roots[0]!;
    const text = term === undefined ? "0" : printFormula(term, { notation: "math", names });
    backward.push({ lhs: `∂L/∂${formatName(label(s.arg), "math")}`, rhs: `+= ${text}`, rule: `${s.rule} at ${formatName(label(s.node), "math")}` });
  }
  return { forward, backward };
}
