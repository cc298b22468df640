// Helpers that run the front end on a string, as the CLI does on a file.

import { check } from "../../src/check/check.js";
import type { CheckedProgram } from "../../src/check/checked.js";
import { hasErrors, sortDiagnostics, type Diagnostic } from "../../src/diagnostics/diagnostic.js";
import { parse, type ParseResult } from "../../src/parse/parse.js";

export interface Front extends ParseResult {
  readonly checked?: CheckedProgram;
  readonly all: readonly Diagnostic[];
}

export function front(text: string, file = "test.nnd"): Front {
  const parsed = parse(text, file);
  if (hasErrors(parsed.diagnostics)) return { ...parsed, all: sortDiagnostics(parsed.diagnostics) };
  const { checked, diagnostics } = check(parsed.program);
  return { ...parsed, checked, all: sortDiagnostics([...parsed.diagnostics, ...diagnostics]) };
}

/** `NND2001@3:15` for each diagnostic, in order: compact for assertions. */
export function codes(text: string): string[] {
  return front(text).all.map((d) => `${d.code}@${d.span ? `${d.span.line}:${d.span.column}` : "-"}`);
}

/** The AST without positions: what must survive formatting. */
export function withoutSpans(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, v) => (key === "span" || key === "bodySpan" || key === "comments" ? undefined : v)));
}

/** Fully parenthesised form of an expression, to see how it was grouped. */
export function sexpr(text: string): string {
  const r = parse(`fn t() = ${text}`);
  if (r.diagnostics.length > 0) return r.diagnostics.map((d) => d.message).join("; ");
  const decl = r.program.decls[0];
  if (decl?.kind !== "fn") throw new Error("expected a fn");
  return show(decl.body);
}

function show(e: import("../../src/parse/ast.js").Expr): string {
  switch (e.kind) {
    case "number":
      return e.text;
    case "name":
      return e.name;
    case "neg":
      return `(neg ${show(e.operand)})`;
    case "binary":
      return `(${e.op} ${show(e.left)} ${show(e.right)})`;
    case "call":
      return `(${e.callee.name}${e.args.map((a) => ` ${show(a)}`).join("")})`;
    case "index":
      return `(index ${show(e.target)} ${e.indices.map((i) => i.text).join(" ")})`;
    case "array":
      return `[${e.elements.map(show).join(" ")}]`;
  }
}
