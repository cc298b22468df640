// A model's hash: what its weights depend on (the dims, the fns and this
// model, in canonical layout without comments), so that weights saved for one
// model are refused by another, and a renamed or edited model is another model.
// SHA-256 from @noble/hashes, so the library needs no Node built-in.

import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import type { Program } from "../parse/ast.js";
import type { SourceFile } from "../diagnostics/source.js";
import { format } from "./format.js";

export function modelHash(program: Program, source: SourceFile, model: string): string {
  const own = program.decls.filter((d) => d.kind !== "model" || d.name.name === model);
  const text = format({ ...program, decls: own, comments: [] }, source);
  return bytesToHex(sha256(utf8ToBytes(text))).slice(0, 16);
}
