// A target: what the compiler needs to know of an output language. Lowering
// asks it for its tuning (how far to unroll, how large a chunk and a register
// block are); its renderer turns the lowered module into the text of a file,
// spelling each intrinsic of the IR as its own table says. Nothing above the
// renderer names an output language: TypeScript (typescript.ts) is the first
// target, WebAssembly the next.

import type { Intrinsic, Precision } from "../ir/ir.js";
import type { FnCode } from "../lower/fn.js";
import type { ModelCode } from "../lower/model.js";
import type { Tuning } from "../lower/tuning.js";

/** Everything lowering made of one .nnd file, for a renderer. */
export interface LoweredModule {
  /** The .nnd file's name, for the header. */
  readonly source: string;
  readonly precision: Precision;
  readonly models: readonly ModelCode[];
  readonly fns: readonly FnCode[];
  /** The helpers the code calls (the op helpers and the seeded generator's). */
  readonly helpersUsed: ReadonlySet<string>;
  /** Export name of each model and fn (safe identifiers). */
  readonly exportName: (name: string) => string;
  /** The names of each model's inputs, which forward takes (its batch has no targets). */
  readonly inputNames: (model: string) => readonly string[];
  /** Each model's hash, as its weights files hold it; a module compiled without the source text has none. */
  readonly hash: (model: string) => string | undefined;
}

export interface Target<Spelling = unknown> {
  readonly name: string;
  /** Of the files it writes: `.ts`. */
  readonly extension: string;
  /** How it spells each intrinsic: `tsc` fails when one is missing. */
  readonly intrinsics: Readonly<Record<Intrinsic, Spelling>>;
  readonly tuning: Tuning;
  /** Names no binding of the generated code may take: the language's reserved words and the globals the code uses. */
  readonly reserved: ReadonlySet<string>;
  render(module: LoweredModule): string;
}
