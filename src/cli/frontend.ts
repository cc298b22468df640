// The front end as the commands use it: read a file once, parse it, and check
// it when it parsed. Diagnostics are collected, not thrown.

import { parse } from "../parse/parse.js";
import type { Program } from "../parse/ast.js";
import { check } from "../check/check.js";
import type { CheckedProgram } from "../check/checked.js";
import { hasErrors, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceFile } from "../diagnostics/source.js";
import { readText } from "./files.js";

export interface FrontEndResult {
  readonly source?: SourceFile;
  readonly program?: Program;
  /** Present when the file parsed; its diagnostics are in `diagnostics`. */
  readonly checked?: CheckedProgram;
  readonly diagnostics: readonly Diagnostic[];
}

export function parseFile(path: string): FrontEndResult {
  const read = readText(path);
  if ("diagnostic" in read) return { diagnostics: [read.diagnostic] };
  const { source, program, diagnostics } = parse(read.text, path);
  return { source, program, diagnostics };
}

export function checkFile(path: string): FrontEndResult {
  const parsed = parseFile(path);
  if (parsed.program === undefined || hasErrors(parsed.diagnostics)) return parsed;
  const { checked, diagnostics } = check(parsed.program);
  return { ...parsed, checked, diagnostics: [...parsed.diagnostics, ...diagnostics] };
}
