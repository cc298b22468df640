// Formulas as a person writes them: W₁ x + b₁, δ₁ xᵀ, (w₂ δ₂) ⊙ (1 − h²),
// in Unicode ("math") or LaTeX. One print form per op, in a table keyed like
// the op catalog. Named nodes (user intermediates, temporaries) print as
// their names and are not expanded.

import type { Node } from "./node.js";
import type { OpName } from "./ops.js";
import { formatName, formatNumber, subscript, superscript, type Notation } from "./notation.js";

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
    return (forms[n.op] as Form)(n, this);
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

const fn =
  (name: string, latexName?: string): Form =>
  (n, p) =>
    p.call(name, n.args, latexName);

const infix =
  (precedence: number, math: string, latex: string, rightMin = precedence + 1): Form =>
  (n, p) => ({
    text: `${p.arg(n.args[0]!, precedence)} ${p.symbol(math, latex)} ${p.arg(n.args[1]!, rightMin)}`,
    precedence,
  });

/** a b for scalar factors or matrix products; parentheses around sums and negations. */
function juxtapose(p: Printer, a: Node, b: Node, separator = " "): Printed {
  const left = p.arg(a, PRODUCT);
  const right = p.node(b);
  const rightText = right.precedence <= NEG ? p.parens(right.text) : right.text;
  // Two numbers side by side would read as one.
  const sep = /^[\d.−-]/.test(rightText) && /[\d.]$/.test(left) ? p.symbol(" · ", " \\cdot ") : p.symbol(separator, separator === " " ? " \\, " : separator);
  return { text: `${left}${sep}${rightText}`, precedence: PRODUCT, juxtaposed: true };
}

/** a^b, with an integer exponent as a superscript. */
const power: Form = (n, p) => {
  const [base, exponent] = n.args as [Node, Node];
  const b = p.arg(base, ATOM);
  const c = exponent.op === "const" ? exponent.attrs.value! : undefined;
  if (p.latex) return { text: `{${b}}^{${p.node(exponent).text}}`, precedence: POWER };
  const sup = c === undefined ? undefined : superscript(c);
  return { text: sup !== undefined ? `${b}${sup}` : `${b}^${p.arg(exponent, ATOM)}`, precedence: POWER };
};

const forms = {
  const: (n, p) => {
    const v = n.attrs.value!;
    return { text: formatNumber(v, p.options.notation), precedence: v < 0 || Object.is(v, -0) ? NEG : ATOM };
  },
  var: (n, p) => ({ text: formatName(n.attrs.name!, p.options.notation), precedence: ATOM }),
  eye: (_, p) => ({ text: p.symbol("I", "I"), precedence: ATOM }),

  neg: (n, p) => ({ text: `${p.symbol("−", "-")}${p.arg(n.args[0]!, POWER)}`, precedence: NEG }),
  exp: fn("exp", "\\exp"),
  log: fn("log", "\\log"),
  sqrt: (n, p) => (p.latex ? { text: `\\sqrt{${p.node(n.args[0]!).text}}`, precedence: ATOM } : { text: `√${p.parens(p.node(n.args[0]!).text)}`, precedence: ATOM }),
  abs: (n, p) => ({ text: p.latex ? `\\left|${p.node(n.args[0]!).text}\\right|` : `|${p.node(n.args[0]!).text}|`, precedence: ATOM }),
  sin: fn("sin", "\\sin"),
  cos: fn("cos", "\\cos"),
  tan: fn("tan", "\\tan"),
  tanh: fn("tanh", "\\tanh"),
  sigmoid: fn("σ", "\\sigma"),
  relu: fn("relu"),
  softplus: fn("softplus"),
  sign: fn("sign", "\\operatorname{sign}"),
  step: fn("step"),

  add: infix(SUM, "+", "+", SUM),
  sub: infix(SUM, "−", "-"),
  mul: (n, p) => {
    const [a, b] = n.args as [Node, Node];
    if (a.shape.length === 0 || b.shape.length === 0) return juxtapose(p, a, b);
    // Entrywise product of two tensors: ⊙, each side a single term.
    const side = (x: Node) => {
      const q = p.node(x);
      return q.precedence <= PRODUCT || q.juxtaposed ? p.parens(q.text) : q.text;
    };
    return { text: `${side(a)} ${p.symbol("⊙", "\\odot")} ${side(b)}`, precedence: PRODUCT };
  },
  div: (n, p) =>
    p.latex
      ? { text: `\\frac{${p.node(n.args[0]!).text}}{${p.node(n.args[1]!).text}}`, precedence: ATOM }
      : { text: `${p.arg(n.args[0]!, PRODUCT)} / ${p.arg(n.args[1]!, PRODUCT + 1)}`, precedence: PRODUCT },
  pow: power,
  leaky_relu: fn("leaky_relu"),
  leaky_step: fn("leaky_step"),
  // Printed as the formulas they are; their value at the points they mask is in the op catalog.
  safe_mul: (n, p) => juxtapose(p, n.args[0]!, n.args[1]!),
  pow_log: (n, p) => {
    const base = n.args[0]!;
    const powerText = power(n, p).text;
    return { text: `${powerText}${p.symbol(" ", " \\, ")}${p.call("log", [base], "\\log").text}`, precedence: PRODUCT, juxtaposed: true };
  },
  safe_div: (n, p) =>
    p.latex
      ? { text: `\\frac{${p.node(n.args[0]!).text}}{${p.node(n.args[1]!).text}}`, precedence: ATOM }
      : { text: `${p.arg(n.args[0]!, PRODUCT)} / ${p.arg(n.args[1]!, PRODUCT + 1)}`, precedence: PRODUCT },

  broadcast: (n, p) => p.node(n.args[0]!),
  index: (n, p) => ({ text: `${p.arg(n.args[0]!, ATOM)}[${n.attrs.indices!.join(", ")}]`, precedence: ATOM }),
  scatter: (n, p) => {
    // The unit vector eᵢ scaled by the argument (or a row placed at i).
    const at = n.attrs.indices!.join("");
    const e = p.latex ? `e_{${at}}` : `e${subscript(at)}`;
    const g = n.args[0]!;
    if (g.op === "const" && g.attrs.value === 1) return { text: e, precedence: ATOM };
    return { text: `${p.arg(g, PRODUCT)} ${e}`, precedence: PRODUCT, juxtaposed: true };
  },
  stack: (n, p) => ({ text: p.latex ? `\\begin{bmatrix}${n.args.map((a) => p.node(a).text).join(" \\\\ ")}\\end{bmatrix}` : `[${n.args.map((a) => p.node(a).text).join(", ")}]`, precedence: ATOM }),
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
  outer: (n, p) => ({
    text: `${p.arg(n.args[0]!, PRODUCT)} ${p.arg(n.args[1]!, ATOM)}${p.symbol("ᵀ", "^{\\top}")}`,
    precedence: PRODUCT,
    juxtaposed: true,
  }),
  trace: fn("tr", "\\operatorname{tr}"),
  dot: infix(PRODUCT, "·", "\\cdot"),
  sum: fn("sum"),
  mean: fn("mean"),
  norm2: (n, p) => ({ text: p.latex ? `\\left\\lVert ${p.node(n.args[0]!).text} \\right\\rVert` : `‖${p.node(n.args[0]!).text}‖`, precedence: ATOM }),
  logsumexp: fn("logsumexp"),
  softmax: fn("softmax"),
  log_softmax: fn("log_softmax"),
  mse: fn("mse"),
  bce: fn("bce"),
  bce_logits: fn("bce_logits"),
  cross_entropy: fn("cross_entropy"),
  softmax_cross_entropy: fn("softmax_cross_entropy"),
  huber: fn("huber"),
} satisfies Record<OpName, Form>;

export function printFormula(n: Node, options: PrintOptions): string {
  return new Printer(options).node(n).text;
}
