// Tensors in JSON, as `nndc eval` reads and writes them: a number for a
// scalar, nested arrays (row-major) for vectors and matrices. Every mistake
// names its culprit: the file, the name, and the position inside the array.

import { error, type Diagnostic } from "../diagnostics/diagnostic.js";
import { formatShape, sizeOf, type Shape } from "../tensor/shape.js";

export { toNested } from "../runtime/files.js";

export type Values = Map<string, Float64Array>;

/**
 * JSON has no number for these (RFC 8259 §6), so they are written, and read
 * back, as strings: valid JSON for every parser, and never mistaken for a
 * finite number (jq would turn a bare Infinity into 1.79e308).
 */
const NON_FINITE: Readonly<Record<string, number>> = { Infinity: Infinity, "-Infinity": -Infinity, NaN: NaN };

export function parseJson(text: string, what: string): { value: unknown } | { diagnostic: Diagnostic } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (e) {
    return { diagnostic: error("NND3008", undefined, what, e instanceof Error ? e.message : String(e)) };
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A weights file, or undefined for a plain map of params: a weights file has
 * a string `format`, which a param's value (a number, a list, or one of the
 * strings of NON_FINITE) cannot be.
 */
export function asWeightsFile(v: unknown): { readonly params: unknown } | undefined {
  const format = isObject(v) ? v["format"] : undefined;
  return typeof format === "string" && !Object.hasOwn(NON_FINITE, format) ? { params: (v as Record<string, unknown>)["params"] } : undefined;
}

/**
 * Reads exactly the expected names, each of its shape. Unknown names, missing
 * names, wrong shapes and non-numbers are all reported, not just the first.
 */
export function readValues(v: unknown, expected: readonly { name: string; shape: Shape }[], what: string): { values: Values } | { diagnostics: Diagnostic[] } {
  const problems: Diagnostic[] = [];
  const problem = (detail: string) => problems.push(error("NND3009", undefined, what, detail));
  if (!isObject(v)) {
    problem(`expected an object mapping names to numbers or arrays, got ${describe(v)}`);
    return { diagnostics: problems };
  }
  const known = new Set(expected.map((e) => e.name));
  for (const key of Object.keys(v)) if (!known.has(key)) problem(`unexpected name '${key}' (expected: ${[...known].join(", ")})`);
  const values: Values = new Map();
  for (const { name, shape } of expected) {
    if (!Object.hasOwn(v, name)) {
      problem(`missing '${name}', of shape ${formatShape(shape)}`);
      continue;
    }
    const data = new Float64Array(sizeOf(shape));
    const issue = fill(v[name], shape, name, data, 0);
    if (issue !== undefined) problem(issue);
    else values.set(name, data);
  }
  return problems.length > 0 ? { diagnostics: problems } : { values };
}

function fill(v: unknown, shape: Shape, path: string, out: Float64Array, at: number): string | undefined {
  if (shape.length === 0) {
    const x = typeof v === "string" && Object.hasOwn(NON_FINITE, v) ? NON_FINITE[v]! : v;
    if (typeof x === "number") {
      out[at] = x;
      return undefined;
    }
    const hint = typeof v === "string" ? ` (a number that is not finite is written as one of the strings ${Object.keys(NON_FINITE).map((k) => `"${k}"`).join(", ")})` : "";
    return `${path} must be a number, but it is ${describe(v)}${hint}`;
  }
  if (!Array.isArray(v) || v.length !== shape[0]) {
    return `${path} must be ${shape.length === 1 ? "a list" : "a list of lists"} of shape ${formatShape(shape)}, but it is ${describe(v)}`;
  }
  const inner = shape.slice(1);
  const step = sizeOf(inner);
  for (let i = 0; i < v.length; i++) {
    const issue = fill(v[i], inner, `${path}[${i}]`, out, at + i * step);
    if (issue !== undefined) return issue;
  }
  return undefined;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (v === null) return "null";
  if (typeof v === "string") return `the string ${JSON.stringify(v).slice(0, 40)}`;
  return typeof v === "object" ? "an object" : `${typeof v} ${String(v)}`;
}


/** Valid JSON (RFC 8259), every finite number in its shortest round-trip form, the others as the strings of NON_FINITE. */
export function stringify(v: unknown): string {
  if (typeof v === "number") return Number.isFinite(v) ? JSON.stringify(v) : JSON.stringify(Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
  if (Array.isArray(v)) return `[${v.map(stringify).join(", ")}]`;
  if (isObject(v)) return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${stringify(x)}`).join(", ")}}`;
  return JSON.stringify(v) ?? "null";
}
