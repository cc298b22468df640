// Runs the simplification rules to a fixed point (bounded) over several roots
// at once, so that nodes they share stay shared.

import type { Graph, Node } from "../graph/node.js";
import { rewrite, type Rewritten } from "../graph/rewrite.js";
import { simplifyRules } from "./rules.js";

export function simplify(g: Graph, roots: readonly Node[]): Rewritten {
  return rewrite(g, roots, simplifyRules);
}
