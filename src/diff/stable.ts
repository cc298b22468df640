// Stable forms, applied before differentiating (docs/language.md): expressions
// that overflow or lose all precision at large arguments are rewritten into
// built-ins that are evaluated stably, and whose derivatives are stable too.
//
// Smooth forms, applied at the same time: a function that is smooth but is
// written with a kink inside it is rewritten so the kink is gone. ‖x‖² is
// smooth everywhere, but its derivative through ‖x‖ passes x/‖x‖, which
// nndc (as PyTorch) takes as 0 at x = 0; the second derivative of ‖x‖² at 0
// would then be 0 instead of 2I. As Σ x² its derivatives are exact.

import { rule, rewrite, type Bindings, type Rule } from "../graph/rewrite.js";
import type { Graph, Node } from "../graph/node.js";

/** Σ x², the smooth form of ‖x‖² and x · x. */
const sumOfSquares = (g: Graph, x: Node) => g.node("sum", [g.node("pow", [x, g.constant(2)])]);

/** ‖x‖ᵏ for an even k > 0: (Σ x²)^(k/2). */
function evenPowerOfNorm(b: Bindings, g: Graph): Node | undefined {
  const k = b.values.get("k")!;
  const squares = sumOfSquares(g, b.nodes.get("x")!);
  return k === 2 ? squares : g.node("pow", [squares, g.constant(k / 2)]);
}
const isEvenPositive = (b: Bindings) => {
  const k = b.values.get("k")!;
  return Number.isInteger(k / 2) && k > 0;
};
const isVector = (b: Bindings) => b.nodes.get("x")!.shape.length === 1;

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

  rule("norm-even-power", "(pow (norm2 ?x) #k)", evenPowerOfNorm, isEvenPositive),
  rule("norm-times-norm", "(mul (norm2 ?x) (norm2 ?x))", (b, g) => sumOfSquares(g, b.nodes.get("x")!)),
  rule("dot-self", "(dot ?x ?x)", (b, g) => sumOfSquares(g, b.nodes.get("x")!)),
  rule("matmul-self", "(matmul ?x ?x)", (b, g) => sumOfSquares(g, b.nodes.get("x")!), isVector),
];

export function stabilise(g: Graph, roots: readonly Node[]) {
  return rewrite(g, roots, stableForms);
}
