// When nndc reports accuracy: only when the model's first output predicts a
// class, which the model and the data decide together:
//
//   target              data                       output                        accuracy
//   [k], k > 1          every row one-hot (a       k entries (scores,            argmax(output) = argmax(target)
//                       class label column is      probabilities or logits)
//                       loaded as one)
//   [] (a scalar)       every value 0 or 1         a probability: sigmoid(…),    output ≥ 0.5 exactly where target = 1
//                                                  or the p of bce(p, target)
//   anything else       —                          —                             none: it is regression
//
// So an autoencoder with real-valued targets, or a linear regression, prints
// only losses, and a scalar 0/1 target with an unbounded output (a linear
// model fitted by squared error, or the logit z of bce_logits(z, y), whose
// threshold would be 0, not 0.5) is not taken for a classifier.

import type { CheckedModel, CheckedProgram, ValueSymbol } from "../check/checked.js";
import type * as A from "../parse/ast.js";
import { childExprs } from "../parse/walk.js";
import type { Dataset } from "../runtime/data.js";

/** The output and target to compare for accuracy, or undefined when the model does not predict classes. */
export function classTargets(checked: CheckedProgram, model: CheckedModel, data: Dataset): { output: string; target: string } | undefined {
  const [output] = model.outputs;
  const [target] = model.targets;
  if (output === undefined || target === undefined || target.kind !== "target") return undefined;
  const values = data.values.get(target.decl.name.name);
  if (values === undefined || data.n === 0) return undefined;
  const width = values.length / data.n;
  const names = { output: (output as Extract<ValueSymbol, { kind: "binding" }>).decl.name.name, target: target.decl.name.name };
  const outputSize = size(output);
  if (width > 1) return outputSize === width && oneHot(values, width) ? names : undefined;
  if (width === 1 && outputSize === 1 && values.every((v) => v === 0 || v === 1) && isProbability(checked, model, output, target)) return names;
  return undefined;
}

const size = (s: ValueSymbol) => ("shape" in s && s.shape !== undefined ? s.shape.reduce((a, b) => a * b, 1) : 1);

/** Every row has one 1 and zeros elsewhere. */
function oneHot(values: Float64Array, width: number): boolean {
  for (let row = 0; row < values.length; row += width) {
    let ones = 0;
    for (let i = row; i < row + width; i++) {
      if (values[i] === 1) ones++;
      else if (values[i] !== 0) return false;
    }
    if (ones !== 1) return false;
  }
  return true;
}

/** The output is sigmoid(…) (through plain renamings), or the loss takes it as the probability of bce(p, target). */
function isProbability(checked: CheckedProgram, model: CheckedModel, output: ValueSymbol, target: ValueSymbol): boolean {
  const definition = resolve(checked, output);
  if (definition !== undefined && definition.kind === "call" && definition.callee.name === "sigmoid" && checked.calls.get(definition)?.kind === "builtin") return true;
  if (model.loss === undefined) return false;
  return calls(checked, model.loss.expr).some(
    (c) => c.callee.name === "bce" && checked.calls.get(c)?.kind === "builtin" && refersTo(checked, c.args[0], output) && refersTo(checked, c.args[1], target),
  );
}

/** The expression a binding stands for, through `a = b` renamings. */
function resolve(checked: CheckedProgram, symbol: ValueSymbol): A.Expr | undefined {
  let expr: A.Expr | undefined = symbol.kind === "binding" ? symbol.decl.expr : undefined;
  for (let hops = 0; expr?.kind === "name" && hops < 1000; hops++) {
    const named = checked.names.get(expr);
    expr = named?.kind === "binding" ? named.decl.expr : undefined;
  }
  return expr;
}

function refersTo(checked: CheckedProgram, expr: A.Expr | undefined, symbol: ValueSymbol): boolean {
  for (let hops = 0; expr?.kind === "name" && hops < 1000; hops++) {
    const named = checked.names.get(expr);
    if (named === symbol) return true;
    expr = named?.kind === "binding" ? named.decl.expr : undefined;
  }
  return false;
}

/** Every call in an expression and in the bindings it uses. */
function calls(checked: CheckedProgram, root: A.Expr): A.Call[] {
  const found: A.Call[] = [];
  const seen = new Set<A.Expr>();
  const stack: A.Expr[] = [root];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (seen.has(e)) continue;
    seen.add(e);
    if (e.kind === "call") found.push(e);
    if (e.kind === "name") {
      const named = checked.names.get(e);
      if (named?.kind === "binding") stack.push(named.decl.expr);
    }
    stack.push(...childExprs(e));
  }
  return found;
}

