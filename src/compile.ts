// The code generator's pipeline: derive (build, stabilise, differentiate,
// simplify), lower to loops, emit a TypeScript syntax tree, print it, format
// it with prettier. The same input always gives the same bytes.

import prettier from "prettier";
import ts from "typescript";
import type { CheckedProgram } from "./check/checked.js";
import { Deriver } from "./derive.js";
import { moduleStatements } from "./emit/module.js";
import type { Node } from "./graph/node.js";
import { formatName } from "./graph/notation.js";
import { printFormula } from "./graph/print.js";
import { lowerFn, type FnCode } from "./lower/fn.js";
import { lowerModel, type ModelCode } from "./lower/model.js";
import { Renamer } from "./lower/names.js";
import { helpers } from "./lower/scalar-ops.js";

export type Precision = "f64" | "f32";

export interface CompileOptions {
  readonly precision: Precision;
  /** The .nnd file's name, for the header. */
  readonly source: string;
  /** Also emit each model's Hessian function (for Newton's method); off by default, as it costs compile time and code size. */
  readonly hessian?: boolean;
}

export interface Compiled {
  readonly code: string;
  readonly models: readonly ModelCode[];
  readonly fns: readonly FnCode[];
  /** Milliseconds per stage. */
  readonly timings: readonly { readonly stage: string; readonly ms: number }[];
  /** Bytes of the scratch arrays the module allocates once. */
  readonly bufferBytes: number;
  /** The export name of each model and fn. */
  readonly exports: ReadonlyMap<string, string>;
}

/** Names the generated code uses itself; a user's name never takes them. */
const MODULE_NAMES = ["params", "batch", "grads", "n", "out", "seed", "next", "k", "random", "gaussian", ...Object.keys(helpers)];

export async function compile(checked: CheckedProgram, options: CompileOptions): Promise<Compiled> {
  const timings: { stage: string; ms: number }[] = [];
  const time = <T>(stage: string, run: () => T): T => {
    const start = performance.now();
    const result = run();
    timings.push({ stage, ms: performance.now() - start });
    return result;
  };

  const renamer = new Renamer();
  renamer.reserve(...MODULE_NAMES);
  const exports = new Map<string, string>();
  for (const name of [...checked.models.keys(), ...checked.fns.keys()]) exports.set(name, renamer.fresh(name));

  const deriver = new Deriver(checked);
  const derivedModels = time("derive", () => [...checked.models.keys()].map((name) => ({ name, d: deriver.model(name) })));
  const hessians = options.hessian === true
    ? time("derive hessians", () => new Map(derivedModels.map(({ name }) => [name, deriver.hessian(name)])))
    : new Map<string, Node[][] | undefined>();
  const derivedFns = time("derive fns", () => [...checked.fns.keys()].map((name) => ({ name, d: deriver.fn(name) })));

  const helpersUsed = new Set<string>();
  const models = time("lower", () =>
    derivedModels.map(({ name, d }) => {
      // Comments tie stored values to the line of the .nnd file that defines them.
      const lines = new Map<string, number>();
      for (const b of checked.models.get(name)!.bindings) if (b.kind === "binding") lines.set(b.decl.name.name, b.decl.span.line);
      const describe = (n: Node) => {
        const user = d.names.get(n);
        if (user === undefined) return undefined;
        const formula = printFormula(n, { notation: "math", names: new Map([...d.names].filter(([m]) => m !== n)) });
        const line = lines.get(user);
        return `${formatName(user, "math")} = ${formula}${line === undefined ? "" : `  (${options.source}:${line})`}`;
      };
      return lowerModel(
        {
          name,
          loss: d.loss,
          outputs: d.outputs,
          params: d.model.params,
          inputs: d.model.inputs,
          targets: d.model.targets,
          grads: d.grads,
          inits: checked.models.get(name)!.params.map((p) => (p.kind === "param" ? p.init : { scheme: "zeros", args: [] })),
          names: d.names,
          describe,
          formula: (n: Node) => printFormula(n, { notation: "math", names: d.names }),
          ...(hessians.get(name) === undefined ? {} : { hessian: hessians.get(name)! }),
        },
        renamer,
        helpersUsed,
      );
    }),
  );
  const fns = time("lower fns", () =>
    derivedFns.map(({ name, d }) => lowerFn({ name, args: d.wrt, value: d.value, grads: d.grads, names: new Map(), describe: () => undefined }, renamer, helpersUsed)),
  );

  const arrays = options.precision === "f32" ? "Float32Array" : "Float64Array";
  const statements = time("emit", () =>
    moduleStatements({ source: options.source, arrays, models, fns, helpersUsed, exportName: (n) => exports.get(n)! }),
  );
  // Each top-level statement is printed and formatted on its own: prettier's
  // time grows faster than linearly with the size of one input, and a file of
  // many fns would otherwise take minutes. The .ts file path tells prettier the
  // code is not JSX: its guess is a regular expression quadratic in a line's length.
  const printed = time("print", () => {
    const file = ts.factory.createSourceFile(statements, ts.factory.createToken(ts.SyntaxKind.EndOfFileToken), ts.NodeFlags.None);
    const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
    return statements.map((s) => printer.printNode(ts.EmitHint.Unspecified, s, file));
  });
  const start = performance.now();
  const formatted = await Promise.all(printed.map((text) => prettier.format(text, { parser: "typescript", printWidth: 100, filepath: "module.ts" })));
  const code = formatted.join("");
  timings.push({ stage: "format", ms: performance.now() - start });
  const bytesPer = options.precision === "f32" ? 4 : 8;
  const bufferBytes = [...models, ...fns].reduce((sum, m) => sum + m.buffers.reduce((s, b) => s + b.size * bytesPer, 0), 0);
  return { code, models, fns, timings, bufferBytes, exports };
}
