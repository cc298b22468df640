// Every message nndc can report, one entry per stable code, like tsc's
// diagnostic catalog. NND1xxx syntax, NND2xxx names and shapes, NND3xxx the
// command line and files, NND4xxx warnings. Codes are never reused.

import { formatShape, type Shape } from "../tensor/shape.js";

/** The largest size of one axis (and of a dim): sizes index typed arrays. */
export const MAX_SIZE = 2 ** 31 - 1;

const verbs = { "+": "add", "-": "subtract", "*": "multiply", "/": "divide" } as const;

const hint = (suggestion: string | undefined) =>
  suggestion === undefined ? "" : `; did you mean '${suggestion}'?`;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** 1000000000 → 1,000,000,000: sizes a reader can count. */
const grouped = (n: number) => String(n).replace(/\B(?=(\d{3})+$)/g, ",");
const gib = (entries: number) => `${Number(((entries * 8) / 2 ** 30).toPrecision(3))} GiB`;

export const messages = {
  // Syntax
  NND1001: (expected: string, found: string) => `expected ${expected}; found ${found}`,
  NND1002: (limit: number) =>
    `expression nested too deeply (more than ${limit} levels); split it into named steps`,
  NND1005: (op: string, limit: number) =>
    `a chain of more than ${limit} '${op}' in a row is nested as written ((a ${op} b) ${op} c ...) and goes past ${limit} levels; write it as a ${op} (b ${op === "-" ? "+" : "*"} c ${op === "-" ? "+" : "*"} ...), which has no limit`,
  NND1003: (text: string) => `number '${text}' is too large for a 64-bit float`,
  NND1004: (path: string) =>
    `imports are not supported ('import "${path}"'); put the dims, fns and models in one file`,

  // Names
  NND2001: (op: "+" | "-" | "*" | "/" | "^", a: Shape, b: Shape) =>
    op === "^"
      ? `cannot raise ${formatShape(a)} to the power ${formatShape(b)}; shapes must match or one side be a scalar`
      : `cannot ${verbs[op]} ${formatShape(a)} and ${formatShape(b)}; shapes must match or one side be a scalar`,
  NND2002: (name: string, suggestion?: string) => `unknown name '${name}'${hint(suggestion)}`,
  NND2003: (name: string, where: string) => `'${name}' is already defined at ${where}`,
  NND2004: (name: string, where: string) => `'${name}' is used before its definition at ${where}`,
  NND2005: (fn: string, expected: string, got: number) =>
    `'${fn}' takes ${expected}, but ${plural(got, "argument")} ${got === 1 ? "was" : "were"} given`,
  NND2006: (a: Shape, b: Shape, why: string) =>
    `cannot matrix-multiply ${formatShape(a)} and ${formatShape(b)}: ${why}`,
  NND2007: (model: string) => `model '${model}' has no loss; add a line 'loss = ...'`,
  NND2008: (where: string) => `a model has exactly one loss; the first is at ${where}`,
  NND2009: (shape: Shape) =>
    `the loss must be a scalar, but it has shape ${formatShape(shape)}; reduce it with sum(...) or mean(...)`,
  NND2010: (name: string, kind: string) =>
    `'output' takes a named intermediate ('name = ...'), but '${name}' is ${kind}`,
  NND2011: (cycle: readonly string[]) =>
    `recursion is not allowed: ${cycle.map((n) => `'${n}'`).join(" calls ")}`,
  NND2012: (index: number, size: number, axis: number, shape: Shape) =>
    `index ${index} is out of range for axis ${axis} of size ${size} (shape ${formatShape(shape)})`,
  NND2013: (shape: Shape, count: number) =>
    `cannot index ${formatShape(shape)} with ${count} ${count === 1 ? "index" : "indices"}`,
  NND2014: (fn: string, detail: string) => `'${fn}' ${detail}`,
  NND2015: (name: string | undefined, kind: string) =>
    `diff takes the derivative with respect to a variable (an argument, param, input or target), but ${name === undefined ? "this" : `'${name}'`} is ${kind}`,
  NND2016: (shape: Shape) =>
    `shape ${formatShape(shape)} has rank ${shape.length}; nndc supports scalars, vectors and matrices (rank 0 to 2)`,
  NND2017: (what: string, value: string) => `${what} must be an integer from 1 to ${MAX_SIZE}, not ${value}`,
  NND2018: (detail: string) => detail,
  NND2019: (what: string) =>
    `${what} must be a constant: numbers, pi, dims and arithmetic on them`,
  NND2020: (name: string, isFunction: boolean) =>
    isFunction
      ? `'${name}' is a function; call it as ${name}(...)`
      : `'${name}' is not a function`,
  NND2021: (name: string, kind: string) => `'${name}' is ${kind} and cannot be redefined`,
  NND2022: (fn: string, index: number, expected: Shape, got: Shape) =>
    `argument ${index} of '${fn}' must have shape ${formatShape(expected)}, but it has shape ${formatShape(got)}`,
  NND2023: (detail: string) => `array literal ${detail}`,
  NND2024: (name: string, where: string) => `'${name}' is already an output at ${where}`,
  NND2025: (what: string, shape: Shape, entries: number, limit: number) =>
    `${what} has shape ${formatShape(shape)}, ${grouped(entries)} entries: more than one array can hold (${grouped(limit)}); make its dims smaller`,
  NND2026: (owner: string, entries: number, limit: number) =>
    `${owner} holds about ${grouped(entries)} numbers at once (its values for one example, ${gib(entries)}), more than the limit of ${grouped(limit)} (${gib(limit)}); make its dims smaller`,

  // Command line and files
  NND3001: (detail: string) => detail,
  NND3002: (file: string, reason: string) => `cannot read '${file}': ${reason}`,
  NND3003: (file: string) => `'${file}' is not formatted; run 'nndc fmt --write ${file}'`,
  NND3004: (file: string, reason: string) => `cannot write '${file}': ${reason}`,
  NND3005: (kind: "model" | "fn", name: string, file: string, known: readonly string[], hint?: string) =>
    `${file} has no ${kind} '${name}'${hint ? `; did you mean '${hint}'?` : ""}` +
    (known.length > 0 ? ` (it has: ${known.join(", ")})` : ` (it has no ${kind}s)`),
  NND3006: (name: string, owner: string, known: readonly string[], hint?: string) =>
    `--wrt ${name}: ${owner} has no variable '${name}'${hint ? `; did you mean '${hint}'?` : ""} (it has: ${known.join(", ")})`,
  NND3007: (file: string, detail: string) => `${file}: ${detail}`,
  NND3008: (what: string, detail: string) => `${what} is not valid JSON: ${detail}`,
  NND3009: (what: string, detail: string) => `${what}: ${detail}`,
  NND3010: (flag: string, expected: string, value: string) => `${flag} must be ${expected}, not '${value}'`,
  NND3011: (dir: string, reason: string) => `cannot create the directory '${dir}': ${reason}`,
  // eval (NND3020–NND3029)
  NND3020: (detail: string) => detail,
  NND3021: (kind: "model" | "fn", name: string, entries: number, limit: number) =>
    `eval --hessian: nndc generates no Hessian for ${kind} '${name}': it has ${entries} ${kind === "model" ? "parameter" : "argument"} entries, and a Hessian is made for at most ${limit}`,
  NND3022: (fn: string, shape: Shape) =>
    `eval --hessian: fn '${fn}' has a value of shape ${formatShape(shape)}, but a Hessian is of a scalar; eval --hessian a fn of one entry instead (e.g. fn F0(x) = F(x)[0])`,
  NND3040: (flag: string, value: string, expected: string) => `${flag} must be ${expected}, not '${value}'`,
  NND3041: (flag: string, kind: "optimizers" | "schedules", takers: readonly string[], chosen: string) =>
    `${flag} applies to the ${kind} ${takers.length === 1 ? takers[0] : `${takers.slice(0, -1).join(", ")} and ${takers.at(-1)}`}, not to ${chosen}`,
  NND3042: (schedule: string, flag: string) => `--schedule ${schedule} needs ${flag}`,
  NND3060: (model: string, entries: number, limit: number) =>
    `model '${model}' has ${entries} parameter entries, too many for its Hessian (--hessian, Newton's method): nndc generates it for at most ${limit} (it holds ${entries}² numbers and each Newton step solves a system of that size); compile without --hessian, or train with another optimizer`,

  // Data, its split and preprocessing (train, predict)
  NND3030: (detail: string) => detail,
  NND3031: (fraction: string, rows: number, train: number, test: number) =>
    `--test-split ${fraction} of ${plural(rows, "row")} leaves ${train} for training and ${test} for testing; each part needs at least one row`,
  NND3032: (part: string, problem: string) => `--scale '${part}': ${problem}`,
  NND3033: (name: string, model: string, inputs: readonly string[]) =>
    `--scale ${name}: model '${model}' has no input '${name}' (its inputs: ${inputs.join(", ") || "none"})`,
  NND3034: (name: string) => `--scale ${name} and --standardize both set how input '${name}' is scaled; give one of them`,
  NND3035: (file: string, saved: string, asked: string) =>
    `--resume ${file} was trained with ${saved}, but this run asks for ${asked}; repeat the first run's --standardize or --scale, or leave them out to use the saved preprocessing`,
  NND3036: (file: string) => `--out ${file}: predictions are written as .csv or .json; give a file name ending in one of them`,
  NND3037: (file: string, detail: string) => `${file}: ${detail}`,

  // Warnings
  NND4001: (arg: string, fn: string) =>
    `argument '${arg}' of '${fn}' is not used; its derivative is 0`,
  NND4002: () => `log of a value that can be 0 or negative: the loss or its gradient can become infinite or NaN`,
  NND4003: () => `division by a value that can be 0`,
  NND4004: (fn: string) =>
    fn === "sqrt"
      ? `sqrt of a value that can be 0, where its derivative is infinite`
      : `${fn} of a value that can be 0, where it has no derivative (nndc uses 0 there, as PyTorch does)`,
  NND4005: (loss: string, stable: string) =>
    `${loss} of probabilities that can round to 0 or 1 loses precision and can give an infinite loss; compute the logits and use ${stable}`,
} as const;

export type Code = keyof typeof messages;
