// How names and numbers look in printed formulas. In the textbook notation
// W1 is W₁, yhat is ŷ, delta is δ; in LaTeX, W_{1}, \hat{y}, \delta.

export type Notation = "math" | "latex";

const SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉";
const SUPERSCRIPTS: Record<string, string> = { "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻" };

const GREEK: Record<string, [string, string]> = {
  alpha: ["α", "\\alpha"],
  beta: ["β", "\\beta"],
  gamma: ["γ", "\\gamma"],
  delta: ["δ", "\\delta"],
  epsilon: ["ε", "\\epsilon"],
  eta: ["η", "\\eta"],
  theta: ["θ", "\\theta"],
  lambda: ["λ", "\\lambda"],
  mu: ["μ", "\\mu"],
  sigma: ["σ", "\\sigma"],
  tau: ["τ", "\\tau"],
  phi: ["φ", "\\phi"],
  omega: ["ω", "\\omega"],
};

export const subscript = (digits: string) => [...digits].map((d) => SUBSCRIPTS[Number(d)] ?? d).join("");

/** An integer exponent as superscript characters, or undefined if it has none. */
export function superscript(n: number): string | undefined {
  if (!Number.isInteger(n) || Math.abs(n) > 999_999) return undefined;
  return [...String(n)].map((c) => SUPERSCRIPTS[c]!).join("");
}

/** A user's identifier in the notation: trailing digits as a subscript, `hat` as a hat; delta_h is δ_h, the error flowing into h. */
export function formatName(name: string, notation: Notation): string {
  const into = /^delta_(.+)$/.exec(name)?.[1];
  if (into !== undefined) return notation === "math" ? `δ_${formatName(into, notation)}` : `\\delta_{${formatName(into, notation)}}`;
  const m = /^(.*?)(hat)?(\d+)?$/.exec(name)!;
  let base = m[1] ?? name;
  const hat = m[2] !== undefined && base.length > 0;
  if (!hat && m[2] !== undefined) base += "hat";
  const digits = m[3];
  const greek = GREEK[base];
  if (notation === "math") {
    let out = greek ? greek[0] : base;
    // A combining circumflex, composed where Unicode has the letter (ŷ, x̂ stays two code points).
    if (hat) out = `${out}\u0302`.normalize("NFC");
    return digits ? out + subscript(digits) : out;
  }
  let out = greek ? greek[1] : base.length === 1 ? base : `\\mathrm{${base.replace(/_/g, "\\_")}}`;
  if (hat) out = `\\hat{${out}}`;
  return digits ? `${out}_{${digits}}` : out;
}

/** Unicode's own vulgar fractions, by "p/q". */
const VULGAR: Record<string, string> = {
  "1/2": "½", "1/3": "⅓", "2/3": "⅔", "1/4": "¼", "3/4": "¾", "1/5": "⅕", "2/5": "⅖", "3/5": "⅗", "4/5": "⅘",
  "1/6": "⅙", "5/6": "⅚", "1/7": "⅐", "1/8": "⅛", "3/8": "⅜", "5/8": "⅝", "7/8": "⅞", "1/9": "⅑", "1/10": "⅒",
};

/** Fractions are recognised up to this denominator: ⅓, not 0.3333333333333333. */
const MAX_DENOMINATOR = 12;

/**
 * p / q in lowest terms when x is exactly the double nearest to it, for a
 * small q (> 1); undefined for integers and for every other number. Tenths
 * and fifths stay decimals (0.1, 0.2 are how people write them); halves,
 * quarters and eighths become fractions, as do thirds, sevenths, ninths...
 * whose decimals never end.
 */
export function asFraction(x: number): { readonly p: number; readonly q: number } | undefined {
  if (!Number.isFinite(x) || Number.isInteger(x)) return undefined;
  for (let q = 2; q <= MAX_DENOMINATOR; q++) {
    const p = Math.round(x * q);
    if (p / q !== x || Math.abs(p) > 999) continue;
    return q % 5 === 0 ? undefined : { p, q };
  }
  return undefined;
}

/**
 * A number as a person writes it: a simple fraction as one (⅔, ⁵⁄₁₁,
 * \frac{2}{3}), anything else in the shortest form that reads back as the
 * same double (as JSON.stringify), never rounded.
 */
export function formatNumber(x: number, notation: Notation): string {
  const fraction = asFraction(x);
  if (fraction !== undefined) {
    const { p, q } = fraction;
    const minus = p < 0 ? (notation === "latex" ? "-" : "−") : "";
    const key = `${Math.abs(p)}/${q}`;
    if (notation === "latex") return `${minus}\\frac{${Math.abs(p)}}{${q}}`;
    return minus + (VULGAR[key] ?? `${superscript(Math.abs(p))}⁄${subscript(String(q))}`);
  }
  const text = Number.isFinite(x) ? JSON.stringify(x) : x > 0 ? "∞" : x < 0 ? "-∞" : "NaN";
  if (notation === "latex") {
    const m = /^(-?[\d.]+)e([+-]\d+)$/.exec(text);
    if (m) return `${m[1]} \\times 10^{${Number(m[2])}}`;
    return text.replace("∞", "\\infty");
  }
  return text.replace(/^-/, "−");
}
