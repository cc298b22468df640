// CSV data: a header row, then one row per example. Columns fill the inputs
// in order of declaration (each takes as many columns as its size), then the
// targets; a single integer column for a target of shape [k] is a class
// label, one-hot encoded. When every field is a scalar named in the header,
// columns are taken by name instead; and any field can be given its columns
// by header name (`--columns x=a,b;y=label`). Every problem names the file
// and the line, in words rather than the parser's.

import { parse, CsvError } from "csv-parse/sync";
import { DataError, oneHot, presentFields, sizeOf, type ColumnMap, type Dataset, type Field, type Fields, type LoadOptions } from "./dataset.js";

interface Row {
  readonly cells: readonly string[];
  /** The line of the file the row ends on, counting from 1. */
  readonly line: number;
}

/** Per field, the columns that fill it, and whether one column is a class label. */
type Plan = Map<string, { columns: number[]; label: boolean }>;

export function fromCsv(text: string, path: string, fields: Fields, columns?: ColumnMap, options: LoadOptions = {}): Dataset {
  const [first, ...rows] = parseRows(text, path);
  if (first === undefined) throw new DataError(`${path}: the file is empty: expected a header row of column names, then one row per example (no data rows)`);
  if (rows.length === 0) throw new DataError(`${path}: no data rows after the header`);
  const header = first.cells;
  const used = presentFields(fields, options, () => hasTargets(header, fields, columns));
  const plan = columns !== undefined ? planByMap(header, path, used, columns) : byName(header, used) ? planByName(header, path, used) : planInOrder(header, path, used, options.optionalTargets === true && fields.targets.length > 0 ? width(fields.inputs) : undefined);
  return fill(rows, header, path, used, plan);
}

/**
 * The rows of the file, empty lines skipped, fields trimmed. Most data files
 * have no quotes, and splitting them directly is four times faster than the
 * CSV parser (MNIST's 18 MB test set loads in a quarter of the time); the
 * parser takes the rest. A line of blanks alone is an empty line either way.
 */
export function parseRows(text: string, path: string): Row[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (!body.includes('"') && !/\r(?!\n)/.test(body)) return splitRows(body);
  try {
    const records = parse(text, { skip_empty_lines: true, trim: true, info: true, relax_column_count: true, bom: true }) as unknown as { record: string[]; info: { lines: number } }[];
    return records.filter((r) => !(r.record.length === 1 && r.record[0] === "")).map((r) => ({ cells: r.record, line: r.info.lines }));
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    throw new DataError(csvProblem(e, path, body));
  }
}

function splitRows(text: string): Row[] {
  const rows: Row[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() !== "") rows.push({ cells: line.split(",").map((cell) => cell.trim()), line: i + 1 });
  });
  return rows;
}

/** The parser's complaint, in words. */
function csvProblem(e: CsvError, path: string, text: string): string {
  const at = `${path}:${e.lines}`;
  const column = typeof e.column === "number" ? `column ${e.column + 1}` : "a field";
  switch (e.code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return `${path}:${openingQuoteLine(text)}: a quote ('"') opens a field that is never closed`;
    case "INVALID_OPENING_QUOTE":
      return `${at}: ${column} has a quote ('"') inside it; quote the whole field ("...") and double each quote inside ("")`;
    case "CSV_INVALID_CLOSING_QUOTE":
      return `${at}: ${column} has text after its closing quote ('"'); a quoted field ends at the quote`;
    default:
      return `${at}: not valid CSV (${e.message})`;
  }
}

/** The line of the last quote that opens a field (quotes alternate: opening, closing). */
function openingQuoteLine(text: string): number {
  let inside = false;
  let opened = 0;
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) {
    inside = !inside;
    if (inside) opened = i;
  }
  return text.slice(0, opened).split("\n").length;
}

/** Whether the file has columns for the targets, when the model's inputs alone could fill it. */
function hasTargets(header: readonly string[], fields: Fields, columns: ColumnMap | undefined): boolean {
  if (columns !== undefined) return fields.targets.some((f) => columns.has(f.name));
  if (fields.targets.some((f) => header.includes(f.name))) return true;
  const inputsByName = fields.inputs.every((f) => sizeOf(f) === 1 && header.includes(f.name));
  return !inputsByName && header.length !== width(fields.inputs);
}

const byName = (header: readonly string[], used: Fields) => [...used.inputs, ...used.targets].every((f) => sizeOf(f) === 1 && header.includes(f.name));
const width = (fs: readonly Field[]) => fs.reduce((s, f) => s + sizeOf(f), 0);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

function planByMap(header: readonly string[], path: string, used: Fields, columns: ColumnMap): Plan {
  const plan: Plan = new Map();
  const all = [...used.inputs, ...used.targets];
  for (const f of all) {
    const names = columns.get(f.name);
    if (names === undefined) throw new DataError(`--columns names no columns for '${f.name}'`);
    const indices = names.map((c) => {
      const i = header.indexOf(c);
      if (i < 0) throw new DataError(`${path}: no column '${c}' (columns: ${header.join(", ")})`);
      return i;
    });
    const label = used.targets.includes(f) && sizeOf(f) > 1 && indices.length === 1;
    if (!label && indices.length !== sizeOf(f)) throw new DataError(`--columns gives ${indices.length} columns for '${f.name}', which has ${sizeOf(f)} entries`);
    plan.set(f.name, { columns: indices, label });
  }
  for (const name of columns.keys()) if (!all.some((f) => f.name === name)) throw new DataError(`--columns: the model has no input or target '${name}'`);
  return plan;
}

function planByName(header: readonly string[], path: string, used: Fields): Plan {
  const plan: Plan = new Map();
  for (const f of [...used.inputs, ...used.targets]) {
    const c = header.indexOf(f.name);
    if (c < 0) throw new DataError(`${path}: no column '${f.name}' (columns: ${header.join(", ")})`);
    plan.set(f.name, { columns: [c], label: false });
  }
  return plan;
}

/** `inputsAlone`: the columns of the inputs alone, when the file may leave the targets out. */
function planInOrder(header: readonly string[], path: string, used: Fields, inputsAlone: number | undefined): Plan {
  const plan: Plan = new Map();
  let next = 0;
  for (const f of used.inputs) {
    plan.set(f.name, { columns: range(next, next + sizeOf(f)), label: false });
    next += sizeOf(f);
  }
  const remaining = header.length - next;
  // One label column per vector target, when the columns left are exactly that.
  const labels = remaining === used.targets.length && remaining < width(used.targets);
  for (const f of used.targets) {
    const columns = labels ? 1 : sizeOf(f);
    plan.set(f.name, { columns: range(next, next + columns), label: labels && sizeOf(f) > 1 });
    next += columns;
  }
  if (next !== header.length) {
    const counts = [...used.inputs, ...used.targets].map((f) => `${f.name}: ${plan.get(f.name)!.columns.length}`).join(", ");
    const alone = inputsAlone === undefined ? "" : ` (or ${inputsAlone} for the inputs alone)`;
    throw new DataError(`${path}: the model needs ${next} columns (${counts}), but the file has ${header.length}${alone}`);
  }
  return plan;
}

function fill(rows: readonly Row[], header: readonly string[], path: string, used: Fields, plan: Plan): Dataset {
  const n = rows.length;
  const all = [...used.inputs, ...used.targets];
  const values = new Map(all.map((f) => [f.name, new Float64Array(n * sizeOf(f))]));
  rows.forEach(({ cells, line }, r) => {
    if (cells.length !== header.length) throw new DataError(`${path}:${line}: this row has ${cells.length} column${cells.length === 1 ? "" : "s"}, but the header (line 1) has ${header.length}`);
    const cell = (c: number): number => {
      const v = Number(cells[c]);
      if (cells[c] === "" || !Number.isFinite(v)) throw new DataError(`${path}:${line}: column ${c + 1} ('${header[c]}') is ${cells[c] === "" ? "empty" : `'${cells[c]}'`}, not a number`);
      return v;
    };
    for (const f of all) {
      const { columns, label } = plan.get(f.name)!;
      const out = values.get(f.name)!;
      if (label) oneHot(cell(columns[0]!), sizeOf(f), out, r, `${path}:${line}: column ${columns[0]! + 1} ('${header[columns[0]!]}')`);
      else columns.forEach((c, k) => (out[r * sizeOf(f) + k] = cell(c)));
    }
  });
  return { n, values };
}
