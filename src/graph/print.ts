// Formulas as a person writes them: W₁ x + b₁, δ₁ xᵀ, (w₂ δ₂) ⊙ (1 − h²),
// in Unicode ("math") or LaTeX. An op's catalog entry says how it prints: as
// a function, f(x), or in one of the layouts here. Named nodes (user intermediates, temporaries) print as
// their names and are not expanded.

import type { Node } from "./node.js";
import { opDef, type Layout } from "../ops/index.js";
import { asFraction, formatName, formatNumber, subscript, superscript, type Notation } from "./notation.js";

/** Binding strength of what a form prints, for deciding parentheses. */
const SUM = 1;
const PRODUCT = 2;
const NEG = 3;
const POWER = 4;
const ATOM = 5;

interface Printed {
  readonly text: string;
  readonly precedence: number;
  /** A product written by juxtaposition (a b), which ⊙ sets in parentheses. */
  readonly juxtaposed?: boolean;
  /** An entrywise product (u ⊙ v), kept in parentheses beside another factor. */
  readonly entrywise?: boolean;
  /** a / b on one line, kept in parentheses before another factor ((a / b) c, not a / b c). */
  readonly fraction?: boolean;
}

export interface PrintOptions {
  readonly notation: Notation;
  /** Nodes printed as a name instead of their definition. */
  readonly names: ReadonlyMap<Node, string>;
}

type Form = (n: Node, p: Printer) => Printed;

class Printer {
  constructor(readonly options: PrintOptions) {}

  get latex(): boolean {
    return this.options.notation === "latex";
  }

  node(n: Node): Printed {
    const name = this.options.names.get(n);
    if (name !== undefined) return { text: formatName(name, this.options.notation), precedence: ATOM };
    const form = opDef(n.op).print;
    return typeof form === "string" ? layouts[form](n, this) : this.call(form.fn, n.args, form.latex);
  }

  /** The argument's text, in parentheses if it binds less tightly than `min`. */
  arg(n: Node, min: number): string {
    const p = this.node(n);
    return p.precedence < min ? this.parens(p.text) : p.text;
  }

  parens(text: string): string {
    return this.latex ? `\\left(${text}\\right)` : `(${text})`;
  }

  call(name: string, args: readonly Node[], latexName = `\\operatorname{${name.replace(/_/g, "\\_")}}`): Printed {
    const inner = args.map((a) => this.node(a).text).join(", ");
    return { text: this.latex ? `${latexName}${this.parens(inner)}` : `${name}(${inner})`, precedence: ATOM };
  }

  symbol(math: string, latex: string): string {
    return this.latex ? latex : math;
  }
}

/**
 * A node that prints with a leading minus, as its magnitude: −x, −3, −2 x,
 * −(a / b). Sums and differences use it to write `a − 2 x`, not `a + −(2 x)`.
 */
function magnitude(n: Node, p: Printer): Printed | undefined {
  if (p.options.names.has(n)) return undefined;
  const c = n.op === "const" ? n.attrs.value! : undefined;
  if (c !== undefined) return c < 0 ? { text: formatNumber(-c, p.options.notation), precedence: ATOM } : undefined;
  if (n.op === "neg") return p.node(n.args[0]!);
  if (n.op === "mul" && n.args[0]!.shape.length === 0) {
    const [a, b] = n.args as [Node, Node];
    const inner = magnitude(a, p);
    if (inner === undefined) return undefined;
    // −1 · b is −b.
    if (a.op === "const" && a.attrs.value === -1) return p.node(b);
    return juxtaposeText(p, inner, b);
  }
  if (n.op === "div" && !p.latex) {
    const inner = magnitude(n.args[0]!, p);
    return inner === undefined ? undefined : { text: `${wrap(p, inner, PRODUCT)} / ${p.arg(n.args[1]!, PRODUCT + 1)}`, precedence: PRODUCT, fraction: true };
  }
  if (n.op === "div") {
    const inner = magnitude(n.args[0]!, p);
    return inner === undefined ? undefined : { text: `\\frac{${inner.text}}{${p.node(n.args[1]!).text}}`, precedence: ATOM };
  }
  if (n.op === "scatter") {
    const inner = magnitude(n.args[0]!, p);
    return inner === undefined ? undefined : { text: `${wrap(p, inner, PRODUCT)} ${unitVector(n, p)}`, precedence: PRODUCT, juxtaposed: true };
  }
  return undefined;
}

/** The value of an unnamed constant. */
const constantOf = (n: Node, p: Printer): number | undefined => (n.op === "const" && !p.options.names.has(n) ? n.attrs.value : undefined);

const wrap = (p: Printer, x: Printed, min: number) => (x.precedence < min ? p.parens(x.text) : x.text);

/** a ± b, the sign of b's leading minus folded into the operator. */
function sumForm(n: Node, p: Printer, minus: boolean): Printed {
  const [a, b] = n.args as [Node, Node];
  const m = magnitude(b, p);
  const flip = m !== undefined;
  const op = minus !== flip ? p.symbol("−", "-") : "+";
  const right = m ?? p.node(b);
  // After a minus, a sum on the right keeps its parentheses: a − (b + c).
  const text = minus !== flip || minus ? wrap(p, right, SUM + 1) : wrap(p, right, SUM);
  return { text: `${p.arg(a, SUM)} ${op} ${text}`, precedence: SUM };
}

const infix =
  (precedence: number, math: string, latex: string, rightMin = precedence + 1): Form =>
  (n, p) => ({
    text: `${p.arg(n.args[0]!, precedence)} ${p.symbol(math, latex)} ${p.arg(n.args[1]!, rightMin)}`,
    precedence,
  });

/** a b for scalar factors or matrix products; parentheses around sums and negations; 1 b is b. */
function juxtapose(p: Printer, a: Node, b: Node, separator = " "): Printed {
  if (a.op === "const" && a.attrs.value === 1 && !p.options.names.has(a)) return p.node(b);
  if (a.op === "const" && a.attrs.value === -1 && !p.options.names.has(a)) return { text: `${p.symbol("−", "-")}${p.arg(b, PRODUCT)}`, precedence: NEG };
  return juxtaposeText(p, p.node(a), b, separator);
}

function juxtaposeText(p: Printer, a: Printed, b: Node, separator = " "): Printed {
  // (a / b) c and (u ⊙ v) w keep their brackets: a / b c, u ⊙ v w would read otherwise.
  const left = a.fraction === true || a.entrywise === true ? p.parens(a.text) : wrap(p, a, PRODUCT);
  const right = p.node(b);
  // a (b c) is a b c and a (b / c) is a b / c; a sum, a minus or a ⊙ keeps its parentheses.
  const bare = right.precedence > NEG || (right.precedence === PRODUCT && right.entrywise !== true);
  const rightText = bare ? right.text : p.parens(right.text);
  // Two numbers side by side would read as one.
  const sep = /^[\d.−-]/.test(rightText) && /[\d.]$/.test(left) ? p.symbol(" · ", " \\cdot ") : p.symbol(separator, separator === " " ? " \\, " : separator);
  return { text: `${left}${sep}${rightText}`, precedence: PRODUCT, juxtaposed: true };
}

/** a^b, with an integer exponent as a superscript. */
const power: Form = (n, p) => {
  const [base, exponent] = n.args as [Node, Node];
  const b = p.arg(base, ATOM);
  const c = exponent.op === "const" ? exponent.attrs.value! : undefined;
  if (p.latex) {
    const f = c === undefined ? undefined : asFraction(c);
    return { text: `{${b}}^{${f === undefined ? p.node(exponent).text : `${f.p}/${f.q}`}}`, precedence: POWER };
  }
  const sup = c === undefined ? undefined : superscript(c) ?? fractionSuperscript(c);
  return { text: sup !== undefined ? `${b}${sup}` : `${b}^${p.arg(exponent, ATOM)}`, precedence: POWER };
};

/** u³ᐟ² for an exponent of 3/2 (a small fraction), else undefined. */
function fractionSuperscript(c: number): string | undefined {
  const f = asFraction(c);
  return f === undefined ? undefined : `${superscript(f.p)!}ᐟ${superscript(f.q)!}`;
}

/** eᵢ (e_{i} in LaTeX) for a scatter's position in a vector; E₀,₁ (E_{0,1}) for one entry of a matrix. */
function unitVector(n: Node, p: Printer): string {
  const at = n.attrs.indices!;
  if (n.shape.length === 2 && at.length === 2) return p.latex ? `E_{${at.join(",")}}` : `E${at.map((i) => subscript(String(i))).join(",")}`;
  return p.latex ? `e_{${at.join("")}}` : `e${subscript(at.join(""))}`;
}

/** x₀ for entry 0 of x (x_{0}; A₀,₁ for a matrix); x[0] where a subscript would be ambiguous (W₁[0], f(x)[0]). */
function entry(n: Node, p: Printer): Printed {
  const source = n.args[0]!;
  const indices = n.attrs.indices!;
  const name = source.op === "var" ? source.attrs.name! : p.options.names.get(source);
  if (name !== undefined && !/\d$/.test(name)) {
    const base = formatName(name, p.options.notation);
    const text = p.latex ? `${base}_{${indices.join(",")}}` : `${base}${indices.map((i) => subscript(String(i))).join(",")}`;
    return { text, precedence: ATOM };
  }
  return { text: `${p.arg(source, ATOM)}[${indices.join(", ")}]`, precedence: ATOM };
}

/** A stack of vectors is a matrix: rows of entries in LaTeX, one bracket per row in Unicode. */
function stackForm(n: Node, p: Printer): Printed {
  const rows = n.args.map((a) => (a.op === "stack" && !p.options.names.has(a) ? a.args.map((x) => p.node(x).text) : [p.node(a).text]));
  if (p.latex) return { text: `\\begin{bmatrix}${rows.map((r) => r.join(" & ")).join(" \\\\ ")}\\end{bmatrix}`, precedence: ATOM };
  // A row given by name (or as an expression) is written as it is, not as a one-entry row.
  const literalRow = (a: Node) => a.op === "stack" && !p.options.names.has(a);
  return { text: `[${rows.map((r, i) => (literalRow(n.args[i]!) ? `[${r.join(", ")}]` : r[0])).join(", ")}]`, precedence: ATOM };
}

const layouts = {
  number: (n, p) => {
    const v = n.attrs.value!;
    return { text: formatNumber(v, p.options.notation), precedence: v < 0 || Object.is(v, -0) ? NEG : ATOM };
  },
  name: (n, p) => ({ text: formatName(n.attrs.name!, p.options.notation), precedence: ATOM }),
  identity: (_, p) => ({ text: p.symbol("I", "I"), precedence: ATOM }),

  negation: (n, p) => {
    // −(−x) is x; −2 x needs no parentheses (a minus binds as loosely as a product).
    const inner = magnitude(n.args[0]!, p);
    if (inner !== undefined) return inner;
    return { text: `${p.symbol("−", "-")}${p.arg(n.args[0]!, PRODUCT)}`, precedence: NEG };
  },
  root: (n, p) => {
    if (p.latex) return { text: `\\sqrt{${p.node(n.args[0]!).text}}`, precedence: ATOM };
    // √x for a name or a number; √(1 + x²) for anything longer.
    const a = n.args[0]!;
    const bare = (a.args.length === 0 && !(a.op === "const" && a.attrs.value! < 0)) || (p.options.names.has(a) && a.op !== "const");
    return { text: `√${bare ? p.node(a).text : p.parens(p.node(a).text)}`, precedence: ATOM };
  },
  absolute: (n, p) => ({ text: p.latex ? `\\left|${p.node(n.args[0]!).text}\\right|` : `|${p.node(n.args[0]!).text}|`, precedence: ATOM }),

  sum: (n, p) => sumForm(n, p, false),
  difference: (n, p) => sumForm(n, p, true),
  product: (n, p) => {
    const [a, b] = n.args as [Node, Node];
    if (a.shape.length === 0 || b.shape.length === 0) return juxtapose(p, a, b);
    // Entrywise product of two tensors: ⊙, each side a single term.
    const side = (x: Node) => {
      const q = p.node(x);
      return q.precedence <= PRODUCT || q.juxtaposed ? p.parens(q.text) : q.text;
    };
    return { text: `${side(a)} ${p.symbol("⊙", "\\odot")} ${side(b)}`, precedence: PRODUCT, entrywise: true };
  },
  quotient: (n, p) => {
    // ½ / √x is 1 / (2 √x): a fraction above the bar moves its denominator below it.
    const c = constantOf(n.args[0]!, p);
    const f = c === undefined ? undefined : asFraction(c);
    const [top, bottom] = f === undefined ? [p.node(n.args[0]!), p.node(n.args[1]!)] : [{ text: formatNumber(f.p, p.options.notation), precedence: f.p < 0 ? NEG : ATOM }, juxtaposeText(p, { text: String(f.q), precedence: ATOM }, n.args[1]!)];
    if (p.latex) return { text: `\\frac{${top.text}}{${bottom.text}}`, precedence: ATOM };
    return { text: `${wrap(p, top, PRODUCT)} / ${wrap(p, bottom, PRODUCT + 1)}`, precedence: PRODUCT, fraction: true };
  },
  power: power,
  // Printed as the formulas they are; their value at the points they mask is in the op catalog.
  "masked-product": (n, p) => juxtapose(p, n.args[0]!, n.args[1]!),
  "power-log": (n, p) => {
    const base = n.args[0]!;
    const powerText = power(n, p).text;
    return { text: `${powerText}${p.symbol(" ", " \\, ")}${p.call("log", [base], "\\log").text}`, precedence: PRODUCT, juxtaposed: true };
  },
  "masked-quotient": (n, p) =>
    p.latex
      ? { text: `\\frac{${p.node(n.args[0]!).text}}{${p.node(n.args[1]!).text}}`, precedence: ATOM }
      : { text: `${p.arg(n.args[0]!, PRODUCT)} / ${p.arg(n.args[1]!, PRODUCT + 1)}`, precedence: PRODUCT },

  argument: (n, p) => p.node(n.args[0]!),
  entry: entry,
  unit: (n, p) => {
    // The unit vector eᵢ scaled by the argument (or a row placed at i).
    const e = unitVector(n, p);
    const g = n.args[0]!;
    if (g.op === "const" && g.attrs.value === 1) return { text: e, precedence: ATOM };
    return { text: `${p.arg(g, PRODUCT)} ${e}`, precedence: PRODUCT, juxtaposed: true };
  },
  matrix: stackForm,
  transpose: (n, p) => ({ text: `${p.arg(n.args[0]!, ATOM)}${p.symbol("ᵀ", "^{\\top}")}`, precedence: POWER }),

  matmul: (n, p) => {
    const [a, b] = n.args as [Node, Node];
    if (a.shape.length === 1 && b.shape.length === 1) {
      // xᵀ A y reads better than (Aᵀ x) · y.
      if (a.op === "matmul" && a.args[1]!.shape.length === 2 && !p.options.names.has(a)) {
        const [x, A] = a.args as [Node, Node];
        return { text: `${p.arg(x, ATOM)}${p.symbol("ᵀ", "^{\\top}")} ${p.arg(A, ATOM)} ${p.arg(b, ATOM)}`, precedence: PRODUCT, juxtaposed: true };
      }
      return infix(PRODUCT, "·", "\\cdot")(n, p);
    }
    // A vector times a matrix, vᵀ B, is the vector Bᵀ v.
    if (a.shape.length === 1) {
      return { text: `${p.arg(b, ATOM)}${p.symbol("ᵀ", "^{\\top}")} ${p.arg(a, PRODUCT + 1)}`, precedence: PRODUCT, juxtaposed: true };
    }
    return juxtapose(p, a, b);
  },
  outer: (n, p) => {
    // (u ⊙ v) xᵀ keeps its brackets: u ⊙ v xᵀ would read as u ⊙ (v xᵀ).
    const left = p.node(n.args[0]!);
    const bare = left.precedence > PRODUCT || (left.precedence === PRODUCT && left.entrywise !== true && left.fraction !== true);
    return { text: `${bare ? left.text : p.parens(left.text)} ${p.arg(n.args[1]!, ATOM)}${p.symbol("ᵀ", "^{\\top}")}`, precedence: PRODUCT, juxtaposed: true };
  },
  dot: infix(PRODUCT, "·", "\\cdot"),
  norm: (n, p) => ({ text: p.latex ? `\\left\\lVert ${p.node(n.args[0]!).text} \\right\\rVert` : `‖${p.node(n.args[0]!).text}‖`, precedence: ATOM }),

} satisfies Record<Layout, Form>;

export function printFormula(n: Node, options: PrintOptions): string {
  return new Printer(options).node(n).text;
}

/** Columns a text takes in a terminal: combining marks (the hat of x̂) take none. */
const width = (text: string) => [...text.replace(/\p{M}/gu, "")].length;

/**
 * A formula as lines: a matrix of scalars (a stack of rows of entries) at the
 * top is a grid with aligned columns between ⎡ ⎤ brackets, as a textbook sets
 * it; anything else is one line, as printFormula gives it. LaTeX is one line
 * (a bmatrix).
 */
export function printBlock(n: Node, options: PrintOptions): string[] {
  const p = new Printer(options);
  const isRow = (a: Node) => a.op === "stack" && !options.names.has(a) && a.args.every((x) => x.shape.length === 0);
  if (options.notation === "latex" || n.op !== "stack" || options.names.has(n) || !n.args.every(isRow)) return [p.node(n).text];
  const cells = n.args.map((row) => row.args.map((x) => p.node(x).text));
  const widths = cells[0]!.map((_, j) => Math.max(...cells.map((row) => width(row[j]!))));
  const last = cells.length - 1;
  return cells.map((row, i) => {
    const [open, close] = last === 0 ? ["[", "]"] : i === 0 ? ["⎡", "⎤"] : i === last ? ["⎣", "⎦"] : ["⎢", "⎥"];
    return `${open}${row.map((c, j) => c + " ".repeat(widths[j]! - width(c))).join("  ")}${close}`;
  });
}

/** Operations in n written out as a formula (named nodes count one), counting no further than `cap`. */
export function writtenOutSize(n: Node, names: ReadonlyMap<Node, string>, cap: number, memo = new Map<Node, number>()): number {
  if (names.has(n) || n.args.length === 0) return 1;
  const known = memo.get(n);
  if (known !== undefined) return known;
  let total = 1;
  for (const a of n.args) {
    total += writtenOutSize(a, names, cap, memo);
    if (total > cap) break;
  }
  const size = Math.min(total, cap + 1);
  memo.set(n, size);
  return size;
}
