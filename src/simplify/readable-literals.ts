// Rules for reading vectors and matrices: unit vectors (the seeds of
// Jacobians and Hessians) become literals, [c₀, c₁, …], short literals are
// computed entry by entry, and a one-hot matrix's rows and entries are read
// off. Only how a value is laid out changes, never its algebra.

import type { Node } from "../graph/node.js";
import { constantValue, type Rule } from "../graph/rewrite.js";
import { factorsOf, MAX_LITERAL, negated, sumOf, termsOf } from "./readable-terms.js";

/** c₀ e₀ + c₂ e₂ (a vector of unit vectors) → [c₀, 0, c₂]. */
export const vectorOfEntries: Rule = {
  name: "vector-of-entries",
  text: "Σ cᵢ eᵢ → [c₀, c₁, …]",
  apply(n, g, context) {
    if (n.shape.length !== 1 || n.shape[0]! > MAX_LITERAL) return undefined;
    // A lone c eᵢ reads best as it is, but for a row of a matrix.
    const sum = n.op === "add" || n.op === "sub" || n.op === "neg";
    if (!sum && !(n.op === "scatter" && context.soleUser(n) === "stack")) return undefined;
    const entries: (Node | undefined)[] = Array.from({ length: n.shape[0]! }, () => undefined);
    for (const t of termsOf(n)) {
      const zero = constantValue(t.node) === 0 || (t.node.op === "scatter" && constantValue(t.node.args[0]!) === 0);
      if (zero) continue;
      if (t.node.op !== "scatter" || t.node.args[0]!.shape.length !== 0) return undefined;
      const i = t.node.attrs.indices![0]!;
      const c = t.sign === 1 ? t.node.args[0]! : negated(g, t.node.args[0]!);
      const before = entries[i];
      entries[i] = before === undefined ? c : g.node("add", [before, c]);
    }
    return g.node("stack", entries.map((e) => e ?? g.constant(0)));
  },
};

/** x[i][j] → x[i, j], so that an entry of a one-hot matrix reads as 1 or 0 (index-of-scatter). */
export const indexOfIndex: Rule = {
  name: "index-of-index",
  text: "(index (index x i) j) → (index x i,j)",
  apply(n, g) {
    if (n.op !== "index" || n.args[0]!.op !== "index") return undefined;
    const inner = n.args[0]!;
    return g.node("index", [inner.args[0]!], { indices: [...inner.attrs.indices!, ...n.attrs.indices!] });
  },
};

/** (E_ij)ᵀ → E_ji: a one-hot matrix transposed is the one-hot matrix of the swapped position. */
export const transposeOfUnit: Rule = {
  name: "transpose-of-unit",
  text: "(transpose (scatter c [i, j])) → (scatter c [j, i])",
  apply(n, g) {
    const s = n.args[0];
    if (n.op !== "transpose" || s?.op !== "scatter" || s.shape.length !== 2 || s.attrs.indices!.length !== 2) return undefined;
    const [i, j] = s.attrs.indices! as [number, number];
    return g.node("scatter", [s.args[0]!], { indices: [j, i], shape: [s.shape[1]!, s.shape[0]!] });
  },
};

/** Row k of E_ij is c eⱼ when k = i, else zeros: the rows of a one-hot matrix. */
export const rowOfUnit: Rule = {
  name: "row-of-unit",
  text: "(index (scatter c [i, j]) k) → c eⱼ if k = i, else 0",
  apply(n, g) {
    const s = n.args[0];
    if (n.op !== "index" || n.attrs.indices!.length !== 1 || s?.op !== "scatter" || s.attrs.indices!.length !== 2) return undefined;
    const [i, j] = s.attrs.indices! as [number, number];
    if (n.attrs.indices![0] !== i) return g.node("broadcast", [g.constant(0)], { shape: n.shape });
    return g.node("scatter", [s.args[0]!], { indices: [j], shape: n.shape });
  },
};

/** 0 eᵢ is the zero vector. */
export const zeroScatter: Rule = {
  name: "zero-scatter",
  text: "(scatter 0 at) → 0",
  apply(n, g) {
    if (n.op !== "scatter" || constantValue(n.args[0]!) !== 0) return undefined;
    return g.node("broadcast", [g.constant(0)], { shape: n.shape });
  },
};

/** c eᵢ ⊙ v → (c vᵢ) eᵢ, and sum or dot of c eᵢ → its entry: a unit vector picks one entry. */
export const unitPicks: Rule = {
  name: "unit-picks-entry",
  text: "(c eᵢ) ⊙ v → (c vᵢ) eᵢ; sum(c eᵢ) → c; (c eᵢ) · v → c vᵢ",
  apply(n, g) {
    const unit = (m: Node) => (m.op === "scatter" && m.shape.length === 1 && m.args[0]!.shape.length === 0 ? m : undefined);
    if (n.op === "sum") return unit(n.args[0]!)?.args[0];
    if ((n.op !== "mul" && n.op !== "dot") || n.args.some((a) => a.shape.length !== 1)) return undefined;
    const [a, b] = n.args as [Node, Node];
    const e = unit(a) ?? unit(b);
    if (e === undefined) return undefined;
    const other = e === a ? b : a;
    const i = e.attrs.indices![0]!;
    const picked = g.node("mul", [e.args[0]!, g.node("index", [other], { indices: [i] })]);
    return n.op === "dot" ? picked : g.node("scatter", [picked], { indices: [i], shape: n.shape });
  },
};

/** An elementwise op on a short vector literal is the literal of the op on each entry: [a, b] − c → [a − c, b − c]. */
export const entrywise: Rule = {
  name: "entrywise-literal",
  text: "op([a₀, a₁, …], v) → [op(a₀, v₀), op(a₁, v₁), …]",
  apply(n, g) {
    if (!ELEMENTWISE.has(n.op) || n.shape.length !== 1 || n.shape[0]! > MAX_LITERAL) return undefined;
    if (!n.args.some((a) => a.op === "stack")) return undefined;
    const entry = (a: Node, i: number): Node => {
      if (a.shape.length === 0) return a;
      if (a.op === "stack") return a.args[i]!;
      if (a.op === "broadcast") return a.args[0]!;
      return g.node("index", [a], { indices: [i] });
    };
    return g.node("stack", Array.from({ length: n.shape[0]! }, (_, i) => g.node(n.op, n.args.map((a) => entry(a, i)), n.attrs)));
  },
};

/** Unit vectors beside a literal become literals too, so that e₀ − v₀ is [1 − v₀, −v₀, −v₀]. */
export const unitBesideLiteral: Rule = {
  name: "unit-beside-broadcast",
  text: "eᵢ − c → [−c, …, 1 − c, …]",
  apply(n, g) {
    if ((n.op !== "add" && n.op !== "sub") || n.shape.length !== 1 || n.shape[0]! > MAX_LITERAL) return undefined;
    const [a, b] = n.args as [Node, Node];
    const scalarSide = (m: Node) => m.shape.length === 0 || m.op === "broadcast";
    const asLiteral = (m: Node) => (m.op === "scatter" && m.args[0]!.shape.length === 0 ? g.node("stack", Array.from({ length: n.shape[0]! }, (_, i) => (i === m.attrs.indices![0] ? m.args[0]! : g.constant(0)))) : undefined);
    if (scalarSide(b) && asLiteral(a) !== undefined) return g.node(n.op, [asLiteral(a)!, b]);
    if (scalarSide(a) && asLiteral(b) !== undefined) return g.node(n.op, [a, asLiteral(b)!]);
    return undefined;
  },
};

/** [a, b, c][1] → b; sum([a, b]) → a + b; [a, b] · v → a v₀ + b v₁: literals read entry by entry. */
export const literalReads: Rule = {
  name: "literal-reads",
  text: "[a₀, a₁, …][i] → aᵢ; sum([a₀, …]) → a₀ + …; [a₀, …] · v → a₀ v₀ + …",
  apply(n, g) {
    const a = n.args[0];
    if (n.op === "index" && a?.op === "stack") {
      const [i, ...rest] = n.attrs.indices! as [number, ...number[]];
      const row = a.args[i]!;
      return rest.length === 0 ? row : g.node("index", [row], { indices: rest });
    }
    if (n.op === "sum" && a?.op === "stack" && a.args.every((x) => x.shape.length === 0)) return sumOf(g, a.args);
    if (n.op === "dot" && n.args.some((x) => x.op === "stack" && x.shape.length === 1)) {
      const [lit, other] = a!.op === "stack" ? [a!, n.args[1]!] : [n.args[1]!, a!];
      const entry = (i: number) => (other.op === "stack" ? other.args[i]! : g.node("index", [other], { indices: [i] }));
      return sumOf(g, lit.args.map((x, i) => g.node("mul", [x, entry(i)])));
    }
    return undefined;
  },
};

const ELEMENTWISE = new Set<string>(["neg", "add", "sub", "mul", "div"]);

/** The vector whose entry i a node is (s for s[i]), or undefined. */
function entryOf(n: Node, i: number): Node | undefined {
  return n.op === "index" && n.attrs.indices!.length === 1 && n.attrs.indices![0] === i ? n.args[0] : undefined;
}

/** Whether a node is s_i s_j (in any order) times c. */
function isPairProduct(n: Node, s: Node, i: number, j: number, c: number): boolean {
  const p = factorsOf(n);
  if (p === undefined || p.coefficient !== c || p.factors.length !== 2 || p.factors.some((f) => f.exponent !== 1)) return false;
  const [a, b] = p.factors.map((f) => f.base) as [Node, Node];
  return (entryOf(a, i) === s && entryOf(b, j) === s) || (entryOf(a, j) === s && entryOf(b, i) === s);
}

/** Whether a node is s_i (1 − s_i), as a product or as s_i − s_i². */
function isDiagonalEntry(n: Node, s: Node, i: number): boolean {
  const p = factorsOf(n);
  if (p !== undefined && p.coefficient === 1 && p.factors.length === 2 && p.factors.every((f) => f.exponent === 1)) {
    const other = p.factors.find((f) => entryOf(f.base, i) !== s);
    if (other !== undefined && p.factors.some((f) => entryOf(f.base, i) === s)) {
      const t = termsOf(other.base);
      return t.length === 2 && t[0]!.sign === 1 && constantValue(t[0]!.node) === 1 && t[1]!.sign === -1 && entryOf(t[1]!.node, i) === s;
    }
  }
  return false;
}

/** [[s₀ (1 − s₀), −s₀ s₁, …], …] → diag(s) − s sᵀ: the softmax Jacobian (and logsumexp Hessian) by its structure. */
export const diagMinusOuter: Rule = {
  name: "diag-minus-outer",
  text: "[[s₀ (1 − s₀), −s₀ s₁, …], …] → diag(s) − s sᵀ",
  apply(n, g) {
    const size = n.shape[0]!;
    if (n.op !== "stack" || n.shape.length !== 2 || n.shape[1] !== size || size < 2 || !n.args.every((r) => r.op === "stack")) return undefined;
    const corner = factorsOf(n.args[0]!.args[1]!);
    const s = corner?.factors.map((f) => entryOf(f.base, 0) ?? entryOf(f.base, 1)).find((x) => x !== undefined);
    if (s === undefined || s.shape[0] !== size) return undefined;
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        const entry = n.args[i]!.args[j]!;
        if (i === j ? !isDiagonalEntry(entry, s, i) : !isPairProduct(entry, s, i, j, -1)) return undefined;
      }
    }
    return g.node("sub", [g.node("diag", [s]), g.node("outer", [s, s])]);
  },
};

/** [c e₀, c e₁, …] (each row i a multiple c of eᵢ) → c I. */
export const scaledIdentity: Rule = {
  name: "scaled-identity",
  text: "[c e₀, c e₁, …] → c I",
  apply(n, g) {
    const size = n.shape[0]!;
    if (n.op !== "stack" || n.shape.length !== 2 || n.shape[1] !== size) return undefined;
    const scale = (row: Node, i: number): number | undefined => {
      if (row.op === "scatter" && row.attrs.indices![0] === i) return constantValue(row.args[0]!);
      if (row.op === "mul" && row.args[1]!.op === "scatter" && constantValue(row.args[1]!.args[0]!) === 1 && row.args[1]!.attrs.indices![0] === i) return constantValue(row.args[0]!);
      if (row.op === "stack") return row.args.every((x, j) => j === i || constantValue(x) === 0) ? constantValue(row.args[i]!) : undefined;
      return undefined;
    };
    const c = scale(n.args[0]!, 0);
    if (c === undefined || c === 0 || !n.args.every((row, i) => scale(row, i) === c)) return undefined;
    const eye = g.node("eye", [], { shape: [size, size] });
    return c === 1 ? eye : g.node("mul", [g.constant(c), eye]);
  },
};
