// The loop IR as text, for tests and for a person reading what lowering
// made: one statement a line, blocks indented by two spaces, expressions
// infix with only the parentheses precedence needs. Types are written where
// a name is declared (`const x_at: i32 = i * 2`); every intrinsic and helper
// is a call (`exp(z)`, `random()`), a cast is named after its type (`f64(n)`).

import type { BinOp, Expr, Field, Func, Helper, Param, Product, Result, Stmt, Strided } from "./ir.js";

const PRECEDENCE: Record<BinOp, number> = { "==": 1, "!=": 1, "<": 2, ">": 2, ">=": 2, "+": 3, "-": 3, "*": 4, "/": 4, "%": 4 };
const TOP = 0;
const UNARY = 5;

export function printExpr(e: Expr, outer = TOP): string {
  switch (e.k) {
    case "num":
      return Number.isNaN(e.value) ? "NaN" : String(e.value);
    case "ref":
      return e.name;
    case "load":
      return `${e.array}[${printExpr(e.at)}]`;
    case "neg": {
      const a = printExpr(e.a, UNARY);
      return a.startsWith("-") ? `-(${a})` : `-${a}`;
    }
    case "bin": {
      const p = PRECEDENCE[e.op];
      // Left-associative: a right operand of the same precedence keeps its parentheses.
      const text = `${printExpr(e.a, p)} ${e.op} ${printExpr(e.b, p + 1)}`;
      return p < outer ? `(${text})` : text;
    }
    case "intrinsic":
    case "call":
      return `${e.fn}(${e.args.map((a) => printExpr(a)).join(", ")})`;
    case "cond": {
      const text = `${printExpr(e.test, 1)} ? ${printExpr(e.then, 1)} : ${printExpr(e.else, 1)}`;
      return outer > TOP ? `(${text})` : text;
    }
    case "cast":
      return `${e.to}${e.unsigned === true ? "u" : ""}(${printExpr(e.a)})`;
  }
}

export function printStmts(stmts: readonly Stmt[], indent = ""): string[] {
  return stmts.flatMap((s) => printStmt(s, indent));
}

function printStmt(s: Stmt, indent: string): string[] {
  const line = (text: string, comment?: string) => [...(comment === undefined ? [] : [`${indent}// ${comment}`]), `${indent}${text}`];
  switch (s.k) {
    case "decl":
      return line(`${s.mutable ? "let" : "const"} ${s.name}: ${s.type} = ${printExpr(s.init)}`, s.comment);
    case "set":
      return line(`${s.name} ${s.op} ${printExpr(s.value)}`);
    case "store":
      return line(`${s.array}[${printExpr(s.at)}] ${s.op} ${printExpr(s.value)}`, s.comment);
    case "for": {
      const step = s.step === undefined || s.step === 1 ? "" : ` by ${s.step}`;
      return [...line(`for ${s.index} in ${printExpr(s.from)} .. ${printExpr(s.to)}${step} {`, s.comment), ...printStmts(s.body, `${indent}  `), `${indent}}`];
    }
    case "if":
      return [`${indent}if ${printExpr(s.test)} {`, ...printStmts(s.body, `${indent}  `), `${indent}}`];
    case "comment":
      return [`${indent}// ${s.text}`];
    case "product":
      return [`${indent}product ${printProduct(s.product)} {`, ...printStmts(s.body, `${indent}  `), `${indent}}`];
    case "alloc":
      return line(`${s.name} = buffer(${printExpr(s.size)})`);
    case "return":
      return line(`return ${printExpr(s.value)}`);
  }
}

/** A group's fields: the key, `as` the local when it is another name, and `: f64` for a number (the rest are buffers). */
const fields = (fs: readonly Field[]) => `{${fs.map((x) => (x.key === x.local ? x.key : `${x.key} as ${x.local}`) + (x.kind === "f64" ? ": f64" : "")).join(", ")}}`;

function printParam(p: Param): string {
  if (p.k === "scalar") return `${p.name}: ${p.type}`;
  return p.k === "buffer" ? `${p.name}: buffer` : `${p.name}: ${p.role} ${fields(p.fields)}`;
}

function printResult(r: Result): string {
  switch (r.k) {
    case "none":
      return "none";
    case "scalar":
      return r.type;
    case "buffer":
      return "buffer";
    case "group":
      return `${r.role} ${fields(r.fields)}`;
  }
}

/** A function: its signature, then its body. */
export function printFunc(fn: Func): string {
  return [`${fn.name}(${fn.params.map(printParam).join(", ")}) -> ${printResult(fn.result)} {`, ...printStmts(fn.body, "  "), "}"].join("\n");
}

export function printHelper(h: Helper): string {
  const body = "k" in h.body ? [`  return ${printExpr(h.body)}`] : printStmts(h.body, "  ");
  return [`${h.name}(${h.params.map((p) => `${p}: f64`).join(", ")}) -> f64 {`, ...body, "}"].join("\n");
}

/** out[o + a·i + b·j] += Σ_k left[…] · right[…], for i < rows, j < cols, k < depth. */
function printProduct(p: Product): string {
  const term = (stride: number, index: string) => (stride === 1 ? index : `${stride}${index}`);
  const entry = (m: Strided, a: string, b: string) => {
    const terms = [...(m.offset.k === "num" && m.offset.value === 0 ? [] : [printExpr(m.offset)]), term(m.strides[0], a), term(m.strides[1], b)];
    return `${m.array}[${terms.join(" + ")}]`;
  };
  return `${entry(p.out, "i", "j")} ${p.op} Σ_k ${entry(p.left, "i", "k")} · ${entry(p.right, "j", "k")}, i < ${p.rows}, j < ${printExpr(p.cols)}, k < ${printExpr(p.depth)}`;
}
