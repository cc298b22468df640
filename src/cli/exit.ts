// Exit statuses (docs/commands.md), like tsc's:
//   0  success;
//   1  a problem in the user's input files (the .nnd, the data, a params or
//      example JSON, weights of another model) or in what they compute, and
//      every file-system failure (a file that cannot be read or written);
//   2  a bad command line: an unknown or missing option, an option value that
//      does not parse (`--tolerance abc`, a malformed `--columns`), or a name
//      given on the command line that the file does not have (`--model nosuch`,
//      `--fn nosuch`, `--wrt nosuch`, no `--model` in a file with several).
// The rule lives here once: the diagnostics about the command line are the
// codes below, `report` notes when it prints one, and `main` turns the
// command's failure into status 2 then (commands just return `userError`).

import type { Code } from "../diagnostics/messages.js";

export const EXIT = { ok: 0, userError: 1, commandLine: 2 } as const;

/** The diagnostics that are about what was typed, not about the files. */
export const COMMAND_LINE_CODES: ReadonlySet<Code> = new Set<Code>([
  "NND3005", // --model / --fn names nothing in the file
  "NND3006", // --wrt names no variable
  "NND3007", // the file has several models (or none) and no --model / --fn says which
  "NND3010", // an option's value does not parse
]);

/** A failed command's status: 2 when a command-line diagnostic was among what it reported. */
export function failureStatus(status: number, reportedCommandLine: boolean): number {
  return status === EXIT.userError && reportedCommandLine ? EXIT.commandLine : status;
}
