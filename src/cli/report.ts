// Printing diagnostics for a person: sorted, capped, with a summary line.

import { sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import { renderDiagnostic, renderSummary } from "../diagnostics/render.js";
import type { SourceFile } from "../diagnostics/source.js";
import { COMMAND_LINE_CODES } from "./exit.js";

/** More than this many diagnostics from one file is noise; the first ones matter. */
export const MAX_REPORTED = 50;

export function useColor(stream: NodeJS.WriteStream): boolean {
  if (process.env["NO_COLOR"] !== undefined && process.env["NO_COLOR"] !== "") return false;
  if (process.env["FORCE_COLOR"] !== undefined) return process.env["FORCE_COLOR"] !== "0";
  return stream.isTTY === true;
}

export function formatDiagnostics(diagnostics: readonly Diagnostic[], source: SourceFile | undefined, color: boolean): string {
  const sorted = sortDiagnostics(diagnostics);
  const shown = sorted.slice(0, MAX_REPORTED).map((d) => renderDiagnostic(d, source, { color }));
  if (sorted.length > MAX_REPORTED) shown.push(`... and ${sorted.length - MAX_REPORTED} more`);
  return shown.join("\n\n");
}

let commandLineReported = false;

/** Whether a diagnostic about the command line was reported (the exit status is then 2). */
export const reportedCommandLine = (): boolean => commandLineReported;

export function report(diagnostics: readonly Diagnostic[], source?: SourceFile): void {
  if (diagnostics.length === 0) return;
  if (diagnostics.some((d) => d.severity === "error" && COMMAND_LINE_CODES.has(d.code))) commandLineReported = true;
  const color = useColor(process.stderr);
  process.stderr.write(`${formatDiagnostics(diagnostics, source, color)}\n\n`);
}

export { renderSummary };
