// Predictions as text, one row per example. CSV: a header naming each entry
// of each output (`yhat`, or `yhat[0],yhat[1],…`, `W[0][1]` for a matrix),
// numbers in their shortest round-trip form. JSON: `{"yhat": [...]}`, one
// element per row (a number, or nested arrays for a vector or matrix
// output), with NaN and ±Infinity as the strings "NaN", "Infinity" and
// "-Infinity", as `nndc eval` writes them.

import { toNested } from "../runtime/files.js";

export interface Column {
  readonly name: string;
  readonly shape: readonly number[];
  /** n × size values, row after row. */
  readonly values: Float64Array;
}

export function formatPredictions(columns: readonly Column[], n: number, format: "csv" | "json"): string {
  return format === "csv" ? csv(columns, n) : json(columns, n);
}

function csv(columns: readonly Column[], n: number): string {
  const header = columns.flatMap((c) => entryNames(c.shape).map((suffix) => `${c.name}${suffix}`));
  const lines = [header.join(",")];
  for (let i = 0; i < n; i++) {
    const cells: string[] = [];
    for (const c of columns) {
      const width = c.values.length / n;
      for (let k = 0; k < width; k++) cells.push(String(c.values[i * width + k]));
    }
    lines.push(cells.join(","));
  }
  return `${lines.join("\n")}\n`;
}

/** `[0]`, `[1]`, ... for each entry of a shape, row-major; nothing for a scalar. */
function entryNames(shape: readonly number[]): string[] {
  return shape.reduce<string[]>((names, size) => names.flatMap((prefix) => Array.from({ length: size }, (_, i) => `${prefix}[${i}]`)), [""]);
}

function json(columns: readonly Column[], n: number): string {
  const finite = (_: string, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v);
  const fields = columns.map((c) => {
    const width = c.values.length / n;
    const rows = Array.from({ length: n }, (_, i) => `    ${JSON.stringify(toNested(c.values.subarray(i * width, (i + 1) * width), c.shape), finite)}`);
    return `  ${JSON.stringify(c.name)}: [${n === 0 ? "" : `\n${rows.join(",\n")}\n  `}]`;
  });
  return `{\n${fields.join(",\n")}\n}\n`;
}
