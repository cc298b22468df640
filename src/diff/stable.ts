// Stable forms, applied before differentiating (docs/language.md): expressions
// that overflow or lose all precision at large arguments are rewritten into
// built-ins that are evaluated stably, and whose derivatives are stable too.

import { rule, rewrite, type Rule } from "../graph/rewrite.js";
import type { Graph, Node } from "../graph/node.js";

export const stableForms: readonly Rule[] = [
  rule("log-sigmoid", "(log (sigmoid ?z))", "(neg (softplus (neg ?z)))"),
  rule("log-one-minus-sigmoid", "(log (sub 1 (sigmoid ?z)))", "(neg (softplus ?z))"),
  rule("log-one-plus-exp", "(log (add 1 (exp ?z)))", "(softplus ?z)"),
  rule("log-exp-plus-one", "(log (add (exp ?z) 1))", "(softplus ?z)"),
  rule("sigmoid-written-out", "(div 1 (add 1 (exp (neg ?z))))", "(sigmoid ?z)"),
  rule("log-softmax", "(log (softmax ?v))", "(log_softmax ?v)"),
  rule("log-sum-exp", "(log (sum (exp ?v)))", "(logsumexp ?v)", (b) => b.nodes.get("v")!.shape.length === 1),
  rule("bce-of-sigmoid", "(bce (sigmoid ?z) ?y)", "(bce_logits ?z ?y)"),
  rule("cross-entropy-of-softmax", "(cross_entropy (softmax ?z) ?y)", "(softmax_cross_entropy ?z ?y)"),
];

export function stabilise(g: Graph, roots: readonly Node[]) {
  return rewrite(g, roots, stableForms);
}
