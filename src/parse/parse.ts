// Text in, AST and syntax diagnostics out. Never throws on any input.

import { buildAst, grammar } from "./build-ast.js";
import { MAX_NESTING, scan, type Range } from "./scan.js";
import type { Comment, Expr, Program, TopDecl } from "./ast.js";
import { childExprs, declExprs } from "./walk.js";
import { error, type Diagnostic } from "../diagnostics/diagnostic.js";
import { SourceFile } from "../diagnostics/source.js";

/**
 * Deepest expression tree later stages will see. Brackets are bounded by the
 * scan; this bounds long operator chains (`a + a + ... + a`), which the
 * grammar reads as a list but which still make a deep tree.
 */
export const MAX_EXPR_DEPTH = 1000;

export interface ParseResult {
  readonly source: SourceFile;
  readonly program: Program;
  readonly diagnostics: readonly Diagnostic[];
}

export function parse(text: string, file = "<input>"): ParseResult {
  const source = new SourceFile(file, text);
  const diagnostics: Diagnostic[] = [];
  const scanned = scan(text);
  const decls: TopDecl[] = [];

  scanned.chunks.forEach((chunk, index) => {
    const deep = scanned.tooDeep.get(index);
    if (deep !== undefined) {
      diagnostics.push(error("NND1002", source.span(deep, deep + 1), MAX_NESTING));
      return;
    }
    const start = skipImport(text, chunk, source, diagnostics);
    const parsed = parseChunk(text.slice(start, chunk.end), source, start, diagnostics);
    if (parsed === "too deep") {
      diagnostics.push(error("NND1002", source.span(chunk.start, chunk.start + 1), MAX_NESTING));
      return;
    }
    for (const decl of parsed) {
      const tooDeep = declExprs(decl).find((e) => depthExceeds(e, MAX_EXPR_DEPTH));
      if (tooDeep === undefined) decls.push(decl);
      else diagnostics.push(tooDeepError(tooDeep));
    }
  });

  const comments: Comment[] = scanned.comments.map((c) => ({
    text: text.slice(c.start, c.end).trimEnd(),
    span: source.span(c.start, c.end),
  }));
  return { source, program: { file, decls, comments }, diagnostics };
}

/**
 * Ohm and the AST builder recurse once per bracket. The scan keeps nesting
 * within MAX_NESTING, which leaves room on the default stack; if a caller's
 * stack is already nearly full, the overflow still becomes a diagnostic.
 */
function parseChunk(text: string, source: SourceFile, offset: number, diagnostics: Diagnostic[]): TopDecl[] | "too deep" {
  try {
    const match = grammar.match(text);
    if (!match.failed()) return buildAst<TopDecl[]>(match, source, offset, diagnostics);
    const at = offset + match.getRightmostFailurePosition();
    const whole = source.text;
    diagnostics.push(
      error("NND1001", source.span(at, at + tokenLength(whole, at)), match.getExpectedText(), describeToken(whole, at)),
    );
    return [];
  } catch (e) {
    if (e instanceof RangeError) return "too deep";
    throw e;
  }
}

/**
 * `import "other.nnd"` at the start of a chunk (after blanks and comments):
 * NND1004 says imports are not supported, and parsing goes on after it.
 * Returns where the rest of the chunk starts.
 */
function skipImport(text: string, chunk: Range, source: SourceFile, diagnostics: Diagnostic[]): number {
  const m = IMPORT.exec(text.slice(chunk.start, chunk.end));
  if (m === null) return chunk.start;
  const start = chunk.start + m[1]!.length;
  const end = chunk.start + m[0].length;
  diagnostics.push(error("NND1004", source.span(start, end), m[3] ?? m[4] ?? ""));
  return end;
}

/** Blanks and comments, `import`, and a quoted path (closed or not, on one line). */
const IMPORT = /^((?:\s|#[^\n]*)*)(import\s*)(?:"([^"\n]*)"?|'([^'\n]*)'?)/;

/** Iterative, so it is safe on the very trees it guards against. */
/**
 * NND1002, or NND1005 where the depth is a long run of one non-associative
 * operator (`a - b - c - ...` is ((a - b) - c) - ..., nested as written,
 * and cannot be regrouped without changing what it means).
 */
function tooDeepError(e: Expr): Diagnostic {
  let run = 0;
  let op: string | undefined;
  for (let x = e; x.kind === "binary" && (x.op === "-" || x.op === "/") && (op === undefined || x.op === op); x = x.left) {
    op = x.op;
    run++;
  }
  return op !== undefined && run * 2 > MAX_EXPR_DEPTH ? error("NND1005", e.span, op, MAX_EXPR_DEPTH) : error("NND1002", e.span, MAX_EXPR_DEPTH);
}

function depthExceeds(root: Expr, limit: number): boolean {
  const stack: [Expr, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [e, depth] = stack.pop()!;
    if (depth > limit) return true;
    for (const child of childExprs(e)) stack.push([child, depth + 1]);
  }
  return false;
}

function tokenLength(text: string, at: number): number {
  const m = /^(?:[\p{L}_][\p{L}\p{N}_]*|[0-9.][0-9A-Za-z_.]*)/u.exec(text.slice(at, at + 200));
  return Math.max(1, m?.[0].length ?? 1);
}

function describeToken(text: string, at: number): string {
  if (at >= text.length) return "the end of the file";
  const c = text[at]!;
  if (c === "\n" || c === "\r") return "the end of the line";
  return `'${text.slice(at, at + tokenLength(text, at))}'`;
}
