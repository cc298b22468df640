// Training data: CSV with a header, JSON, and IDX image/label files (gzipped
// or not), into one typed array per model input and target, example after
// example, ready to be copied into minibatches.
//
// CSV columns fill the inputs in order of declaration (each takes as many
// columns as its size), then the targets; a single integer column for a
// target of shape [k] is a class label, one-hot encoded. When every field is
// a scalar named in the header, columns are taken by name instead; and any
// field can be given its columns by header name (`--columns x=a,b;y=label`).

import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { parse } from "csv-parse/sync";
import prand from "pure-rand";

export interface Field {
  readonly name: string;
  readonly shape: readonly number[];
}

export interface Fields {
  readonly inputs: readonly Field[];
  readonly targets: readonly Field[];
}

export interface Dataset {
  readonly n: number;
  /** Per field, n × size values, one example after another. */
  readonly values: ReadonlyMap<string, Float64Array>;
}

/** A problem with the data, naming the file, and the row and column where it has them. */
export class DataError extends Error {}

const size = (f: Field) => f.shape.reduce((a, b) => a * b, 1);

/** Which CSV columns (by header name) fill each field, for `--columns x=a,b;y=label`. */
export type ColumnMap = ReadonlyMap<string, readonly string[]>;

export function parseColumnMap(text: string): ColumnMap {
  const map = new Map<string, string[]>();
  for (const part of text.split(";").map((p) => p.trim()).filter((p) => p !== "")) {
    const [field, columns] = part.split("=");
    if (field === undefined || columns === undefined || field.trim() === "") throw new DataError(`--columns: '${part}' is not of the form field=column,column,...`);
    map.set(field.trim(), columns.split(",").map((c) => c.trim()));
  }
  return map;
}

export function loadData(paths: readonly string[], fields: Fields, columns?: ColumnMap): Dataset {
  if (paths.length === 2) return loadIdx(paths[0]!, paths[1]!, fields);
  const path = paths[0]!;
  const text = read(path).toString("utf8");
  if (/\.json$/i.test(path)) return fromJson(text, path, fields);
  if (/\.csv$/i.test(path)) return fromCsv(text, path, fields, columns);
  throw new DataError(`${path}: unknown data format; give a .csv or .json file, or IDX images and labels as two paths`);
}

function read(path: string): Buffer {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (e) {
    throw new DataError(`cannot read '${path}': ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  if (data[0] === 0x1f && data[1] === 0x8b) {
    try {
      return gunzipSync(data);
    } catch {
      throw new DataError(`${path}: not valid gzip data`);
    }
  }
  return data;
}

export function fromCsv(text: string, path: string, fields: Fields, columns?: ColumnMap): Dataset {
  let rows: string[][];
  try {
    rows = parse(text, { skip_empty_lines: true, trim: true }) as string[][];
  } catch (e) {
    throw new DataError(`${path}: ${(e as Error).message}`);
  }
  if (rows.length < 2) throw new DataError(`${path}: no data rows after the header`);
  const header = rows[0]!;
  const body = rows.slice(1);
  const all = [...fields.inputs, ...fields.targets];

  // Which columns feed each field: by header name for scalar fields, else in order.
  const byName = all.every((f) => size(f) === 1 && header.includes(f.name));
  const plan = new Map<string, { columns: number[]; label: boolean }>();
  if (columns !== undefined) {
    for (const f of all) {
      const names = columns.get(f.name);
      if (names === undefined) throw new DataError(`--columns names no columns for '${f.name}'`);
      const indices = names.map((c) => {
        const i = header.indexOf(c);
        if (i < 0) throw new DataError(`${path}: no column '${c}' (columns: ${header.join(", ")})`);
        return i;
      });
      const label = fields.targets.includes(f) && size(f) > 1 && indices.length === 1;
      if (!label && indices.length !== size(f)) throw new DataError(`--columns gives ${indices.length} columns for '${f.name}', which has ${size(f)} entries`);
      plan.set(f.name, { columns: indices, label });
    }
    for (const name of columns.keys()) if (!all.some((f) => f.name === name)) throw new DataError(`--columns: the model has no input or target '${name}'`);
  } else if (byName) {
    for (const f of all) {
      const c = header.indexOf(f.name);
      if (c < 0) throw new DataError(`${path}: no column '${f.name}' (columns: ${header.join(", ")})`);
      plan.set(f.name, { columns: [c], label: false });
    }
  } else {
    let next = 0;
    for (const f of fields.inputs) {
      plan.set(f.name, { columns: range(next, next + size(f)), label: false });
      next += size(f);
    }
    const remaining = header.length - next;
    const wanted = fields.targets.reduce((s, f) => s + size(f), 0);
    // One label column per vector target, when the columns left are exactly that.
    const labels = remaining === fields.targets.length && remaining < wanted;
    for (const f of fields.targets) {
      const width = labels ? 1 : size(f);
      plan.set(f.name, { columns: range(next, next + width), label: labels && size(f) > 1 });
      next += width;
    }
    if (next !== header.length) {
      throw new DataError(
        `${path}: the model needs ${next} columns (${all.map((f) => `${f.name}: ${plan.get(f.name)!.columns.length}`).join(", ")}), but the file has ${header.length}`,
      );
    }
  }

  const n = body.length;
  const values = new Map(all.map((f) => [f.name, new Float64Array(n * size(f))]));
  body.forEach((row, r) => {
    if (row.length !== header.length) throw new DataError(`${path}:${r + 2}: ${row.length} columns, but the header has ${header.length}`);
    for (const f of all) {
      const { columns, label } = plan.get(f.name)!;
      const out = values.get(f.name)!;
      const cell = (c: number): number => {
        const v = Number(row[c]);
        if (row[c] === "" || !Number.isFinite(v)) throw new DataError(`${path}:${r + 2}: column ${c + 1} ('${header[c]}') is '${row[c]}', not a number`);
        return v;
      };
      if (label) oneHot(cell(columns[0]!), size(f), out, r, `${path}:${r + 2}: column ${columns[0]! + 1} ('${header[columns[0]!]}')`);
      else columns.forEach((c, k) => (out[r * size(f) + k] = cell(c)));
    }
  });
  return { n, values };
}

function oneHot(label: number, classes: number, out: Float64Array, row: number, where: string): void {
  if (!Number.isInteger(label) || label < 0 || label >= classes) {
    throw new DataError(`${where}: class label ${label} is out of range for ${classes} classes (0 to ${classes - 1})`);
  }
  out[row * classes + label] = 1;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** JSON: a list of examples, each an object with every input and target by name. */
export function fromJson(text: string, path: string, fields: Fields): Dataset {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new DataError(`${path}: not valid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(data) || data.length === 0) throw new DataError(`${path}: expected a non-empty list of examples`);
  const all = [...fields.inputs, ...fields.targets];
  const values = new Map(all.map((f) => [f.name, new Float64Array(data.length * size(f))]));
  data.forEach((example: unknown, r) => {
    if (typeof example !== "object" || example === null) throw new DataError(`${path}: example ${r} is not an object`);
    for (const f of all) {
      const v = (example as Record<string, unknown>)[f.name];
      const flat = [v].flat(3);
      const out = values.get(f.name)!;
      if (fields.targets.includes(f) && size(f) > 1 && typeof v === "number") oneHot(v, size(f), out, r, `${path}: example ${r}, '${f.name}'`);
      else if (flat.length !== size(f) || !flat.every((x) => typeof x === "number" && Number.isFinite(x))) {
        throw new DataError(`${path}: example ${r}, '${f.name}' must be ${size(f)} number${size(f) === 1 ? "" : "s"} (shape [${f.shape.join(", ")}])`);
      } else out.set(flat as number[], r * size(f));
    }
  });
  return { n: data.length, values };
}

/** IDX images (0x00000803, pixels 0–255 scaled to [0, 1]) and labels (0x00000801). */
export function loadIdx(imagesPath: string, labelsPath: string, fields: Fields): Dataset {
  const images = read(imagesPath);
  const labels = read(labelsPath);
  if (images.readUInt32BE(0) !== 0x803) throw new DataError(`${imagesPath}: not an IDX image file (magic 0x${images.readUInt32BE(0).toString(16)}, expected 0x803)`);
  if (labels.readUInt32BE(0) !== 0x801) throw new DataError(`${labelsPath}: not an IDX label file (magic 0x${labels.readUInt32BE(0).toString(16)}, expected 0x801)`);
  const n = images.readUInt32BE(4);
  const pixels = images.readUInt32BE(8) * images.readUInt32BE(12);
  if (labels.readUInt32BE(4) !== n) throw new DataError(`${labelsPath}: ${labels.readUInt32BE(4)} labels for ${n} images`);
  const [input] = fields.inputs;
  const [target] = fields.targets;
  if (input === undefined || size(input) !== pixels) throw new DataError(`${imagesPath}: images of ${pixels} pixels, but the model's first input has ${input ? size(input) : 0} entries`);
  if (target === undefined) throw new DataError(`${labelsPath}: the model has no target for the labels`);
  const x = new Float64Array(n * pixels);
  for (let i = 0; i < n * pixels; i++) x[i] = images[16 + i]! / 255;
  const y = new Float64Array(n * size(target));
  for (let i = 0; i < n; i++) {
    if (size(target) === 1) y[i] = labels[8 + i]!;
    else oneHot(labels[8 + i]!, size(target), y, i, `${labelsPath}: label ${i}`);
  }
  return { n, values: new Map([[input.name, x], [target.name, y]]) };
}

/** A seeded permutation of 0..n-1 (Fisher–Yates with pure-rand's xoroshiro128+). */
export function shuffled(n: number, seed: number): Uint32Array {
  const rng = prand.xoroshiro128plus(seed);
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = prand.unsafeUniformIntDistribution(0, i, rng);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/** Examples at the given indices, as a new dataset. */
export function subset(data: Dataset, indices: ArrayLike<number>): Dataset {
  const values = new Map<string, Float64Array>();
  for (const [name, all] of data.values) {
    const width = all.length / data.n;
    const out = new Float64Array(indices.length * width);
    for (let i = 0; i < indices.length; i++) out.set(all.subarray(indices[i]! * width, (indices[i]! + 1) * width), i * width);
    values.set(name, out);
  }
  return { n: indices.length, values };
}

/** A seeded split: `fraction` of the examples held out for testing. */
export function split(data: Dataset, fraction: number, seed: number): { train: Dataset; test: Dataset } {
  const order = shuffled(data.n, seed);
  const testCount = Math.round(data.n * fraction);
  return { test: subset(data, order.subarray(0, testCount)), train: subset(data, order.subarray(testCount)) };
}

/** Standardises the named fields in place with the training part's mean and deviation; returns them. */
export function standardise(train: Dataset, others: readonly Dataset[], names: readonly string[]): Map<string, { mean: Float64Array; std: Float64Array }> {
  const stats = new Map<string, { mean: Float64Array; std: Float64Array }>();
  for (const name of names) {
    const all = train.values.get(name)!;
    const width = all.length / train.n;
    const mean = new Float64Array(width);
    const std = new Float64Array(width);
    for (let i = 0; i < train.n; i++) for (let k = 0; k < width; k++) mean[k]! += all[i * width + k]! / train.n;
    for (let i = 0; i < train.n; i++) for (let k = 0; k < width; k++) std[k]! += (all[i * width + k]! - mean[k]!) ** 2 / train.n;
    for (let k = 0; k < width; k++) std[k] = Math.sqrt(std[k]!) || 1;
    for (const d of [train, ...others]) {
      const v = d.values.get(name)!;
      for (let i = 0; i < d.n; i++) for (let k = 0; k < width; k++) v[i * width + k] = (v[i * width + k]! - mean[k]!) / std[k]!;
    }
    stats.set(name, { mean, std });
  }
  return stats;
}
