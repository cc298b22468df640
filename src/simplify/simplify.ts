// Runs the simplification rules to a fixed point (bounded) over several roots
// at once, so that nodes they share stay shared.
//
// Simplification must never make a graph bigger: rules that collect factors
// and terms can, on deep chains of shared subexpressions (the iterated
// logistic map), rebuild a little of each level again and again. When the
// full rule set grows the graph, only the rules that cannot grow it are used.

import { reachable, type Graph, type Node } from "../graph/node.js";
import { rewrite, type Rewritten } from "../graph/rewrite.js";
import { simplifyRules } from "./rules.js";

/** Rules whose result is a part of their input or a constant: they only shrink a graph. */
const SHRINKING = new Set([
  "constant-fold", "implicit-broadcast", "index-of-scatter", "add-zero", "zero-add", "sub-zero", "sub-self",
  "mul-one", "one-mul", "mul-zero", "zero-mul", "div-one", "zero-div", "neg-neg", "pow-one", "pow-zero",
  "log-exp", "transpose-transpose",
]);
const shrinkingRules = simplifyRules.filter((r) => SHRINKING.has(r.name));

export function simplify(g: Graph, roots: readonly Node[]): Rewritten {
  const full = rewrite(g, roots, simplifyRules);
  if (reachable(full.roots).length <= reachable(roots).length) return full;
  return rewrite(g, roots, shrinkingRules);
}
