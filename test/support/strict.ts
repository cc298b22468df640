// The strictest type-checking flags a user's project may set: generated
// modules, and programs that use them with nndc/runtime, must pass them all.
// Plain booleans, so that they serve both a tsconfig.json and ts.CompilerOptions.
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
