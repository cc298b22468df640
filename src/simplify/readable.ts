// Rules for reading, not for running. The simplifier that feeds code
// generation keeps values exactly where they are defined and favours sharing
// and few flops; a person checking a derivative by eye wants it short and
// factored, as a textbook prints it: √u² is u, z (w / z) is w, and a
// Jacobian is a grid of entries, not a sum of unit vectors. These rules may
// change a value where the original is undefined (√u² at u < 0), so their
// results are printed, never compiled.

import { reachable, type Graph, type Node } from "../graph/node.js";
import { rewrite, type Rewritten, type Rule } from "../graph/rewrite.js";
import { angleSum, cancelFactors, clearFractions, collectLikeTerms, commonDenominator, factorCommon, powerOfProduct, powerOfRoot, sameProductRule, spreadConstant } from "./readable-algebra.js";
import { diagMinusOuter, entrywise, scaledIdentity, indexOfIndex, literalReads, rowOfUnit, transposeOfUnit, unitBesideLiteral, unitPicks, vectorOfEntries, zeroScatter } from "./readable-literals.js";
import { simplifyRules } from "./rules.js";

/** Formulas of more nodes than this are printed as they are (see readable). */
export const MAX_READABLE_NODES = 4000;

export const readableRules: readonly Rule[] = [
  vectorOfEntries, powerOfRoot, cancelFactors, indexOfIndex, transposeOfUnit, rowOfUnit, zeroScatter, collectLikeTerms,
  unitPicks, entrywise, unitBesideLiteral, literalReads, powerOfProduct, factorCommon, commonDenominator, angleSum, spreadConstant, diagMinusOuter, clearFractions, scaledIdentity,
];

/** The rules that only change how a value is laid out (literals, unit vectors, powers of roots), not its algebra: for a fn's own value, as the user wrote it. */
const LAYOUT = new Set(["vector-of-entries", "power-of-root", "index-of-index", "transpose-of-unit", "row-of-unit", "zero-scatter", "unit-picks-entry", "entrywise-literal", "unit-beside-broadcast", "literal-reads"]);

export const layoutRules: readonly Rule[] = readableRules.filter((r) => LAYOUT.has(r.name));

/**
 * sum(y) → 1 for a class target (one-hot in every example), so that the
 * softmax cross-entropy's error reads ŷ − y. For the reader only: the
 * compiled code keeps sum(y), and stays right for soft targets.
 */
function classTargetRule(oneHot: ReadonlySet<Node>): Rule {
  return {
    name: "class-target-sum",
    text: "sum(y) → 1 for a class target y",
    apply(n, g) {
      return n.op === "sum" && oneHot.has(n.args[0]!) ? g.constant(1) : undefined;
    },
  };
}

/**
 * The roots rewritten for a reader: these rules and the code simplifier's,
 * to a fixed point, then one product in one order (same-product keeps
 * state, so it is made per call). `oneHot` holds the class targets'
 * variables; `rules` may be layoutRules, for a value shown as written.
 */
export function readable(g: Graph, roots: readonly Node[], oneHot: ReadonlySet<Node> = new Set(), rules: readonly Rule[] = readableRules): Rewritten {
  // Nobody reads a formula this large by eye, and taking its sums and
  // products apart would cost time quadratic in them: it is printed as the
  // code simplifier left it.
  if (reachable(roots).length > MAX_READABLE_NODES) return { roots: [...roots], mapping: new Map(), steps: [] };
  const tidied = rewrite(g, roots, [...rules, classTargetRule(oneHot), ...simplifyRules]);
  // Last, on its own: among the other rules, a product it points back to an
  // earlier form of would be normalised again, and again.
  const unified = rewrite(g, tidied.roots, [sameProductRule()]);
  const mapping = new Map([...tidied.mapping].map(([from, to]) => [from, unified.mapping.get(to) ?? to]));
  return { roots: unified.roots, mapping, steps: [...tidied.steps, ...unified.steps] };
}

/** Names given to nodes before a rewrite, moved to the nodes that replaced them. */
export function carryNames(names: ReadonlyMap<Node, string>, r: Rewritten): Map<Node, string> {
  const out = new Map<Node, string>();
  for (const [n, name] of names) {
    const to = r.mapping.get(n) ?? n;
    if (!out.has(to)) out.set(to, name);
  }
  return out;
}
