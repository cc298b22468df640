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
  if (!Number.isInteger(n) || Math.abs(n) > 99) return undefined;
  return [...String(n)].map((c) => SUPERSCRIPTS[c]!).join("");
}

/** A user's identifier in the notation: trailing digits as a subscript, `hat` as a hat. */
export function formatName(name: string, notation: Notation): string {
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

/** The shortest form that reads back as the same double (as JSON.stringify), never rounded. */
export function formatNumber(x: number, notation: Notation): string {
  const text = Number.isFinite(x) ? JSON.stringify(x) : x > 0 ? "∞" : x < 0 ? "-∞" : "NaN";
  if (notation === "latex") {
    const m = /^(-?[\d.]+)e([+-]\d+)$/.exec(text);
    if (m) return `${m[1]} \\times 10^{${Number(m[2])}}`;
    return text.replace("∞", "\\infty");
  }
  return text.replace(/^-/, "−");
}
