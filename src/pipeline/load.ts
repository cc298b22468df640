// Runs generated code in this process: transpile the TypeScript with the
// compiler API (types erased, nothing else changed) and import it as a module.
// `nndc eval` and the tests run exactly the code `nndc compile` writes.

import ts from "typescript";

/** A generated module, as the runtime sees it (docs/module.md). */
export interface GeneratedModel {
  readonly shapes: Readonly<Record<string, readonly number[]>>;
  init(seed: number): Record<string, Float64Array | Float32Array>;
  zeros(): Record<string, Float64Array | Float32Array>;
  lossAndGrad(params: object, batch: object, n: number, grads: object): number;
  forward(params: object, batch: object, n: number): Record<string, Float64Array | Float32Array>;
}

export interface GeneratedFn {
  value(...args: (number | Float64Array | Float32Array)[]): number | Float64Array | Float32Array;
  grad(...args: (number | Float64Array | Float32Array)[]): Record<string, number | Float64Array | Float32Array>;
}

export async function loadGenerated(code: string): Promise<Record<string, unknown>> {
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  return (await import(`data:text/javascript;base64,${Buffer.from(js).toString("base64")}`)) as Record<string, unknown>;
}
