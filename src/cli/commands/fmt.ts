// nndc fmt FILE... [--check | --write]: canonical layout, comments kept.

import { error, hasErrors } from "../../diagnostics/diagnostic.js";
import { format } from "../../format/format.js";
import { parseFile } from "../frontend.js";
import { report } from "../report.js";
import { writeAtomically } from "../files.js";
import { EXIT } from "../exit.js";

export interface FmtOptions {
  readonly check?: boolean;
  readonly write?: boolean;
}

export function fmtCommand(files: readonly string[], options: FmtOptions): number {
  let status: number = EXIT.ok;
  for (const file of files) {
    const parsed = parseFile(file);
    if (parsed.program === undefined || parsed.source === undefined || hasErrors(parsed.diagnostics)) {
      report(parsed.diagnostics, parsed.source);
      status = EXIT.userError;
      continue;
    }
    const formatted = format(parsed.program, parsed.source);
    const changed = formatted !== parsed.source.text;
    if (options.check) {
      if (changed) {
        report([error("NND3003", undefined, file)]);
        status = EXIT.userError;
      }
    } else if (options.write) {
      if (changed) {
        const failed = writeAtomically(file, formatted);
        if (failed !== undefined) {
          report([failed]);
          status = EXIT.userError;
        } else process.stdout.write(`formatted ${file}\n`);
      }
    } else {
      process.stdout.write(formatted);
    }
  }
  return status;
}
