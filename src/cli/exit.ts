// Exit statuses (docs/commands.md, Exit status): like tsc, 1 means the user's input has a problem.
export const EXIT = { ok: 0, userError: 1, commandLine: 2 } as const;
