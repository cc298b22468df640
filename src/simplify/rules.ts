// Algebraic simplification: named rewrite rules, one per identity. Every rule
// keeps the value of the expression wherever the original is defined; rules
// that would change the domain (exp(log x) → x, (x²)^½ → x) are not here.
// Common subexpressions need no rule: the graph is hash-consed.

import { sameShape, sizeOf } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { constantValue, rule, type Rule } from "../graph/rewrite.js";
import { elementwise, opDef } from "../ops/index.js";
import type { Graph, Node } from "../graph/node.js";
import { productNormalForm, sumNormalForm } from "./normal-forms.js";
import { unitVectorRules } from "./unit-vectors.js";

const isInteger = (b: { values: ReadonlyMap<string, number> }, name: string) => Number.isInteger(b.values.get(name));

/** Constant folding: an elementwise op or reduction of constants is a constant. */
const fold: Rule = {
  name: "constant-fold",
  text: "op(constants) → constant",
  apply(n: Node, g: Graph) {
    if (n.args.length === 0 || n.op === "broadcast") return undefined;
    const values = n.args.map(constantValue);
    if (values.some((v) => v === undefined)) return undefined;
    if (!elementwise.has(n.op) && n.shape.length > 0) return undefined;
    const args: Tensor[] = n.args.map((a, i) => ({ shape: a.shape, data: new Float64Array(sizeOf(a.shape)).fill(values[i]!) }));
    const out = opDef(n.op).evaluate(args, n.attrs, n.shape);
    const value = out.data[0]!;
    if (!out.data.every((x) => Object.is(x, value))) return undefined;
    const c = g.constant(value);
    return n.shape.length === 0 ? c : g.node("broadcast", [c], { shape: n.shape });
  },
};

/** (op (broadcast s) t) → (op s t): scalars broadcast implicitly in elementwise ops. */
const implicitBroadcast: Rule = {
  name: "implicit-broadcast",
  text: "(op (broadcast ?s) ?t) → (op ?s ?t)",
  apply(n: Node, g: Graph) {
    if (!elementwise.has(n.op) || n.args.length !== 2) return undefined;
    const [a, b] = n.args as [Node, Node];
    if (a.op === "broadcast" && sameShape(b.shape, n.shape)) return g.node(n.op, [a.args[0]!, b], n.attrs);
    if (b.op === "broadcast" && sameShape(a.shape, n.shape)) return g.node(n.op, [a, b.args[0]!], n.attrs);
    return undefined;
  },
};

/** Reading an entry of a one-hot tensor: the entry itself, or zero. */
const indexScatter: Rule = {
  name: "index-of-scatter",
  text: "(index (scatter ?g at) at') → ?g or 0",
  apply(n: Node, g: Graph) {
    if (n.op !== "index" || n.args[0]!.op !== "scatter") return undefined;
    const scattered = n.args[0]!;
    const at = scattered.attrs.indices!;
    const read = n.attrs.indices!;
    const common = Math.min(at.length, read.length);
    for (let i = 0; i < common; i++) if (at[i] !== read[i]) return g.constant(0);
    if (at.length === read.length) return scattered.args[0]!;
    return undefined;
  },
};

const sumOfBroadcast: Rule = {
  name: "sum-of-broadcast",
  text: "(sum (broadcast ?s)) → n ?s",
  apply(n: Node, g: Graph) {
    if (n.op !== "sum" || n.args[0]!.op !== "broadcast") return undefined;
    return g.node("mul", [g.constant(sizeOf(n.args[0]!.shape)), n.args[0]!.args[0]!]);
  },
};

export const simplifyRules: readonly Rule[] = [
  fold,
  productNormalForm,
  sumNormalForm,
  ...unitVectorRules,
  implicitBroadcast,
  indexScatter,
  sumOfBroadcast,

  rule("add-zero", "(add ?a 0)", "?a"),
  rule("zero-add", "(add 0 ?a)", "?a"),
  rule("sub-zero", "(sub ?a 0)", "?a"),
  rule("zero-sub", "(sub 0 ?a)", "(neg ?a)"),
  rule("sub-self", "(sub ?a ?a)", "0"),
  rule("mul-one", "(mul ?a 1)", "?a"),
  rule("one-mul", "(mul 1 ?a)", "?a"),
  rule("mul-zero", "(mul ?a 0)", "0"),
  rule("zero-mul", "(mul 0 ?a)", "0"),
  rule("mul-minus-one", "(mul -1 ?a)", "(neg ?a)"),
  rule("div-one", "(div ?a 1)", "?a"),
  rule("zero-div", "(div 0 ?a)", "0"),
  rule("neg-neg", "(neg (neg ?a))", "?a"),
  rule("add-neg", "(add ?a (neg ?b))", "(sub ?a ?b)"),
  rule("neg-add", "(add (neg ?a) ?b)", "(sub ?b ?a)"),
  rule("sub-neg", "(sub ?a (neg ?b))", "(add ?a ?b)"),
  rule("neg-sub", "(neg (sub ?a ?b))", "(sub ?b ?a)"),
  rule("mul-neg-left", "(mul (neg ?a) ?b)", "(neg (mul ?a ?b))"),
  rule("mul-neg-right", "(mul ?a (neg ?b))", "(neg (mul ?a ?b))"),
  rule("div-neg", "(div (neg ?a) ?b)", "(neg (div ?a ?b))"),
  rule("matmul-neg", "(matmul ?a (neg ?b))", "(neg (matmul ?a ?b))"),
  rule("outer-neg", "(outer (neg ?a) ?b)", "(neg (outer ?a ?b))"),

  rule("pow-one", "(pow ?a 1)", "?a"),
  rule("pow-zero", "(pow ?a 0)", "1"),
  rule("pow-pow", "(pow (pow ?x #a) #b)", (b, g) => g.node("pow", [b.nodes.get("x")!, g.constant(b.values.get("a")! * b.values.get("b")!)]), (b) =>
    isInteger(b, "b")),
  rule("mul-self", "(mul ?x ?x)", "(pow ?x 2)"),
  rule("mul-pow", "(mul (pow ?x #a) (pow ?x #b))", (b, g) =>
    g.node("pow", [b.nodes.get("x")!, g.constant(b.values.get("a")! + b.values.get("b")!)]),
  ),
  rule("mul-pow-self", "(mul ?x (pow ?x #b))", (b, g) => g.node("pow", [b.nodes.get("x")!, g.constant(b.values.get("b")! + 1)])),
  rule("pow-mul-self", "(mul (pow ?x #b) ?x)", (b, g) => g.node("pow", [b.nodes.get("x")!, g.constant(b.values.get("b")! + 1)])),
  rule("log-exp", "(log (exp ?x))", "?x"),
  rule("transpose-transpose", "(transpose (transpose ?a))", "?a"),

  // Collecting constant factors: constants move to the front and multiply.
  rule("constant-first", "(mul ?x #c)", "(mul #c ?x)", (b) => constantValue(b.nodes.get("x")!) === undefined),
  rule("mul-constants", "(mul #a (mul #b ?x))", (b, g) =>
    g.node("mul", [g.constant(b.values.get("a")! * b.values.get("b")!), b.nodes.get("x")!]),
  ),
  rule("mul-into-div", "(mul #a (div ?x #b))", (b, g) =>
    g.node("mul", [g.constant(b.values.get("a")! / b.values.get("b")!), b.nodes.get("x")!]),
  ),
  rule("div-constant", "(div (mul #a ?x) #b)", (b, g) =>
    g.node("mul", [g.constant(b.values.get("a")! / b.values.get("b")!), b.nodes.get("x")!]),
  ),
  rule("constant-inside-mul", "(mul ?x (mul #c ?y))", "(mul #c (mul ?x ?y))", (b) => constantValue(b.nodes.get("x")!) === undefined),
  rule("add-same", "(add ?a ?a)", "(mul 2 ?a)"),
];
