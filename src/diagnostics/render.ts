// Prints diagnostics the way tsc --pretty does: the position and message, then
// the source line with a caret under the span.
//
//   examples/bad.nnd:3:15: error NND2001: cannot add [4] and [3]
//      3 |   h = W1 @ x + b
//        |       ^^^^^^^^^^

import type { Diagnostic } from "./diagnostic.js";
import type { SourceFile } from "./source.js";

export interface RenderOptions {
  /** ANSI colours, for a terminal. */
  readonly color?: boolean;
}

/** ANSI colour codes: written here rather than taken from node:util, so the library runs in a browser. */
const COLORS = { red: 31, yellow: 33, cyan: 36, gray: 90 } as const;
export type Color = keyof typeof COLORS;

export function renderDiagnostic(d: Diagnostic, source: SourceFile | undefined, options: RenderOptions = {}): string {
  const paint = (style: Color, text: string) => (options.color ? `\x1b[${COLORS[style]}m${text}\x1b[39m` : text);
  const severity = paint(d.severity === "error" ? "red" : "yellow", d.severity);
  const head = `${severity} ${paint("gray", d.code)}: ${d.message}`;
  if (d.span === undefined) return head;
  const location = paint("cyan", `${d.span.file}:${d.span.line}:${d.span.column}`);
  if (source === undefined) return `${location}: ${head}`;
  return `${location}: ${head}\n${codeFrame(source, d, paint)}`;
}

function codeFrame(
  source: SourceFile,
  d: Diagnostic,
  paint: (style: Color, text: string) => string,
): string {
  const span = d.span!;
  const raw = source.lineText(span.line);
  const text = expandTabs(raw);
  const startCol = visualColumn(raw, span.column - 1);
  // A span that runs past its first line is underlined to the end of that line.
  const lastOffsetOnLine = span.column - 1 + (span.end - span.start);
  const endCol = Math.max(startCol + 1, visualColumn(raw, Math.min(raw.length, lastOffsetOnLine)));
  const gutter = String(span.line);
  const pad = " ".repeat(gutter.length);
  const caret = " ".repeat(startCol) + "^".repeat(endCol - startCol);
  return [
    `${paint("gray", `${gutter} |`)} ${text}`,
    `${paint("gray", `${pad} |`)} ${paint(d.severity === "error" ? "red" : "yellow", caret)}`,
  ].join("\n");
}

const expandTabs = (line: string) => line.replace(/\t/g, "  ");

function visualColumn(line: string, offset: number): number {
  let col = 0;
  for (let i = 0; i < offset && i < line.length; i++) col += line[i] === "\t" ? 2 : 1;
  return col + Math.max(0, offset - line.length);
}

export function renderSummary(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const parts: string[] = [];
  if (errors > 0) parts.push(`${errors} error${errors === 1 ? "" : "s"}`);
  if (warnings > 0) parts.push(`${warnings} warning${warnings === 1 ? "" : "s"}`);
  return parts.length === 0 ? "" : `Found ${parts.join(" and ")}.`;
}
