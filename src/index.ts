// The compiler as a library (docs/library.md). On strings, with no file
// system and no Node built-in: check, format, derive and compile take a .nnd
// text and return what the matching command prints, with diagnostics as data
// and as rendered code frames. Below them, the stages themselves, for a
// program in hand.

export { check, compile, derive, format } from "./library/library.js";
export type { Checked, CompileOptions, CompileResult, DeriveOptions, Formulas, Reported, SourceOptions } from "./library/library.js";

export { parse, type ParseResult } from "./parse/parse.js";
export type * from "./parse/ast.js";
export { check as checkProgram, type CheckResult } from "./check/check.js";
export type { CheckedProgram, CheckedFn, CheckedModel, ValueSymbol } from "./check/checked.js";
export { builtins } from "./check/builtins.js";
export { format as formatProgram } from "./format/format.js";
export type { Diagnostic, Severity } from "./diagnostics/diagnostic.js";
export { renderDiagnostic } from "./diagnostics/render.js";
export { messages, type Code } from "./diagnostics/messages.js";
export { SourceFile, type Span } from "./diagnostics/source.js";
export type { Shape } from "./tensor/shape.js";
// Code generation from a checked program: compileProgram(checked, options)
// returns the module's text. { inputGrad: true } adds each model's inputGrad
// (the gradient of each example's loss with respect to its inputs),
// { hessian: true } the Hessians, { jacobians: true } a fn's derivatives of
// rank above 2.
export { compile as compileProgram, type CompileOptions as ProgramCompileOptions, type Compiled, type Precision } from "./pipeline/compile.js";
// Derivatives as expression graphs: Deriver#model, #fn, #dataGradients (by
// a model's inputs and targets), #hessian, #fnHessian, #fnJacobians.
export { Deriver, type Derived, type DerivedFn, type DerivedModel } from "./pipeline/derive.js";
export { loadGenerated, type GeneratedFn, type GeneratedModel } from "./pipeline/load.js";
// Targets: compileProgram(checked, { target }) renders for one; TypeScript is the first and the default.
export { typescript } from "./emit/typescript.js";
export type { LoweredModule, Target } from "./emit/target.js";
export type { Tuning } from "./lower/tuning.js";
// The loop IR of each generated function (Compiled.models[i].functions), its printer and type checker.
export { printFunc } from "./ir/print.js";
export { typeProblems, type ModuleScope } from "./ir/check.js";
export type { Func } from "./ir/ir.js";
