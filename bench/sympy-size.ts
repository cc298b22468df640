// How long nndc's printed derivatives are beside SymPy's best effort: over
// random expressions of one variable, the tokens of what `nndc grad` prints
// for the derivative (its gradient line and the definitions it uses) against
// those of str(sympy.simplify(sympy.diff(e, x))). One tokenizer counts the
// lexemes of both (see tokens()).
//
// Run by `npm run bench -- --only=sympy`; needs a python3 with sympy (on
// Debian, python3-sympy) and prints a note without one.

import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gradText } from "../src/cli/commands/grad.js";

export interface SympyRow {
  readonly expression: string;
  readonly nndc: number;
  readonly sympy: number | null;
  readonly ratio: number | null;
}

export interface SympySize {
  readonly sympyVersion: string;
  readonly rows: readonly SympyRow[];
  readonly median: number;
  readonly max: number;
  readonly above2: number;
}

/** A small seeded generator (mulberry32), so that every run measures the same expressions. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random expression of x in the syntax .nnd and SymPy share (`^` is `**` for SymPy), inside its domain. */
function expression(next: () => number, depth: number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
  if (depth === 0 || next() < 0.2) return pick(["x", "x", "x", "2", "3"]);
  const a = () => expression(next, depth - 1);
  // Two different sides, so that the sum is not x − x or 2 + 3 in disguise.
  const pair = (): [string, string] => {
    for (;;) {
      const [l, r] = [a(), a()];
      if (l !== r && (l.includes("x") || r.includes("x"))) return [l, r];
    }
  };
  switch (pick(["+", "-", "*", "/", "^", "f", "f", "safe"])) {
    case "+":
      return `(${pair().join(" + ")})`;
    case "-":
      return `(${pair().join(" - ")})`;
    case "*":
      return `(${a()} * ${a()})`;
    case "/":
      return `(${a()} / (1 + (${a()})^2))`;
    case "^":
      return `(${a()})^${pick(["2", "3"])}`;
    case "f":
      return `${pick(["exp", "sin", "cos", "tanh"])}(${a()})`;
    default:
      return pick(["log", "sqrt"]) + `(1 + (${a()})^2)`;
  }
}

export function expressions(count: number, seed = 7): string[] {
  const next = random(seed);
  const out = new Set<string>();
  // Expressions of x only, not constants, each once.
  while (out.size < count) {
    const e = expression(next, 3);
    if (e.includes("x") && e.length > 3) out.add(e);
  }
  return [...out];
}

/**
 * Tokens of a formula as printed, by nndc (Unicode) or SymPy (Python
 * syntax): the lexemes a reader reads. A name, a number, an operator (`**`
 * is one), a bracket, a comma, a run of superscripts (an exponent) each count
 * one; spaces count nothing, so a product written as `2 x` is two tokens where
 * `2*x` is three: that is the notation's doing, and what is measured.
 */
export function tokens(text: string): number {
  const pattern = /[\p{L}_][\p{L}\p{M}\p{Nd}_\u2080-\u2089]*|\d+(?:\.\d+)?(?:e[+-]?\d+)?|[½⅓⅔¼¾⅛⅜⅝⅞⅙⅚⅐⅑⅒]|[⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᐟ]+|\*\*|[-+*/^−⊙·=,√()[\]⎡⎤⎣⎦⎢⎥|‖]/gu;
  return [...text.matchAll(pattern)].length;
}

/** The tokens of nndc's printed derivative: the gradient's right side and each definition it uses (name, =, formula). */
export function nndcTokens(printed: string): number {
  const lines = printed.split("\n");
  const from = lines.findIndex((l) => l === "forward" || l === "backward" || l === "gradient");
  let total = 0;
  for (const line of lines.slice(from)) {
    const m = /^\s+(\S+) = (.*)$/.exec(line);
    if (m === null) continue;
    total += m[1]!.startsWith("∂") ? tokens(m[2]!) : tokens(`${m[1]} = ${m[2]}`);
  }
  return total;
}

/** A python3 with sympy: the one on PATH, else Debian's. */
function findSympy(): string | undefined {
  for (const candidate of ["python3", "/usr/bin/python3"]) {
    if (spawnSync(candidate, ["-c", "import sympy"], { stdio: "ignore" }).status === 0) return candidate;
  }
  return undefined;
}

/**
 * The comparison over `count` random expressions of x that are not affine
 * (an affine one has a constant derivative, one number for both). Each is
 * generated, differentiated by both, and kept if SymPy's derivative depends
 * on x; more are generated until `count` are kept.
 */
export function measureSympySize(count = 48): SympySize | string {
  const python = findSympy();
  if (python === undefined) return "skipped: no python3 with sympy (on Debian: apt-get install python3-sympy)";
  const list = expressions(count * 2);
  const dir = mkdtempSync(join(tmpdir(), "nndc-sympy-"));
  const file = join(dir, "random.nnd");
  writeFileSync(file, list.map((e, i) => `fn e${i}(x) = ${e}\n`).join(""));
  const r = spawnSync(python, ["bench/sympy_size.py"], { input: JSON.stringify(list.map((e) => e.replace(/\^/g, "**"))), encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) return `skipped: sympy failed (${r.stderr.trim().split("\n").at(-1)})`;
  const theirs = JSON.parse(r.stdout) as { version: string; derivatives: (string | null)[] };
  const all = list.map((expression, i): SympyRow => {
    const printed = gradText(file, { fn: `e${i}` });
    if (typeof printed === "number") throw new Error(`nndc grad failed on ${expression}`);
    const nndc = nndcTokens(printed);
    const d = theirs.derivatives[i];
    const sympy = d === null || d === undefined ? null : tokens(d);
    return { expression, nndc, sympy, ratio: sympy === null || sympy === 0 ? null : Math.round((nndc / sympy) * 100) / 100 };
  });
  const rows = all.filter((_, i) => theirs.derivatives[i] === null || /\bx\b/.test(theirs.derivatives[i]!)).slice(0, count);
  const ratios = rows.flatMap((row) => (row.ratio === null ? [] : [row.ratio])).sort((a, b) => a - b);
  const median = ratios.length === 0 ? NaN : ratios.length % 2 === 1 ? ratios[ratios.length >> 1]! : (ratios[ratios.length / 2 - 1]! + ratios[ratios.length / 2]!) / 2;
  return { sympyVersion: theirs.version, rows, median: Math.round(median * 100) / 100, max: ratios.at(-1) ?? NaN, above2: ratios.filter((x) => x > 2).length };
}

if (process.argv[1]?.endsWith("sympy-size.ts")) {
  const result = measureSympySize(Number(process.argv[2] ?? 48));
  console.log(JSON.stringify(result));
}
