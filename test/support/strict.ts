// The strictest type-checking flags a user's project may set: generated
// modules, and programs that use them with nndc/runtime, must pass them all.
// Plain booleans, so that they serve both a tsconfig.json and ts.CompilerOptions.

import ts from "typescript";
export const STRICTEST = {
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noPropertyAccessFromIndexSignature: true,
  verbatimModuleSyntax: true,
  noImplicitOverride: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noImplicitReturns: true,
  noFallthroughCasesInSwitch: true,
} as const;

const STRICT: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  lib: ["lib.es2022.d.ts"],
  types: [],
  ...STRICTEST,
  isolatedModules: true,
  noEmit: true,
};

/** tsc's complaints about one module on its own (no DOM, no Node types), as `line: message`. */
export function strictErrors(code: string): string[] {
  const name = "/module.ts";
  const host = ts.createCompilerHost(STRICT);
  const readFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language) => (file === name ? ts.createSourceFile(file, code, language) : readFile(file, language));
  const program = ts.createProgram([name], STRICT, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const line = d.file === undefined ? 0 : d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1;
    return `${line}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
}
