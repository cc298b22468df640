// Reading and writing the user's files. Failures become diagnostics; a write
// goes to a temporary file first and is renamed over the target, so a crash
// never leaves a half-written file behind.

import { readFileSync } from "node:fs";
import { writeFileAtomically } from "../runtime/files.js";
import { error, type Diagnostic } from "../diagnostics/diagnostic.js";

export function readText(path: string): { text: string } | { diagnostic: Diagnostic } {
  try {
    return { text: readFileSync(path, "utf8") };
  } catch (e) {
    return { diagnostic: error("NND3002", undefined, path, reason(e)) };
  }
}

export function writeAtomically(path: string, text: string): Diagnostic | undefined {
  try {
    writeFileAtomically(path, text);
    return undefined;
  } catch (e) {
    return error("NND3004", undefined, path, reason(e));
  }
}

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "EISDIR":
      return "it is a directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    default:
      return e instanceof Error ? e.message : String(e);
  }
}
