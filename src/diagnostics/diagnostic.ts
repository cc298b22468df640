// A diagnostic is data: a code from the catalog, its rendered message, and the
// span it is about. Stages collect them and go on; nothing throws on user input.

import { messages, type Code } from "./messages.js";
import type { Span } from "./source.js";

export type Severity = "error" | "warning";

export interface Diagnostic {
  readonly code: Code;
  readonly severity: Severity;
  readonly message: string;
  /** Absent for problems that belong to no place in a file (e.g. the command line). */
  readonly span?: Span;
}

type Args<C extends Code> = Parameters<(typeof messages)[C]>;

export function error<C extends Code>(code: C, span: Span | undefined, ...args: Args<C>): Diagnostic {
  return make("error", code, span, args);
}

export function warning<C extends Code>(code: C, span: Span | undefined, ...args: Args<C>): Diagnostic {
  return make("warning", code, span, args);
}

function make<C extends Code>(severity: Severity, code: C, span: Span | undefined, args: Args<C>): Diagnostic {
  const render = messages[code] as (...a: Args<C>) => string;
  const message = render(...args);
  return span === undefined ? { code, severity, message } : { code, severity, message, span };
}

export const hasErrors = (diagnostics: readonly Diagnostic[]): boolean =>
  diagnostics.some((d) => d.severity === "error");

/** 'line:column', for messages that point at another place in the same file. */
export const where = (span: Span): string => `${span.line}:${span.column}`;

/** Stable order for reporting: by file position, then code. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      (a.span?.start ?? -1) - (b.span?.start ?? -1) ||
      (a.span?.end ?? -1) - (b.span?.end ?? -1) ||
      a.code.localeCompare(b.code),
  );
}
