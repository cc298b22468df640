// The compiler as a library: the same stages the `nndc` command runs.

export { parse, type ParseResult } from "./parse/parse.js";
export type * from "./parse/ast.js";
export { check, type CheckResult } from "./check/check.js";
export type { CheckedProgram, CheckedFn, CheckedModel, ValueSymbol } from "./check/checked.js";
export { builtins } from "./check/builtins.js";
export { format } from "./format/format.js";
export type { Diagnostic, Severity } from "./diagnostics/diagnostic.js";
export { renderDiagnostic } from "./diagnostics/render.js";
export { messages, type Code } from "./diagnostics/messages.js";
export { SourceFile, type Span } from "./diagnostics/source.js";
export type { Shape } from "./diagnostics/shape.js";
