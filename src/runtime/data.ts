// Training data: CSV with a header (csv.ts), JSON, and IDX image/label files
// (gzipped or not), into one typed array per model input and target, example
// after example, ready to be copied into minibatches. For prediction the
// targets may be left out (`optionalTargets`).

import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import prand from "pure-rand";
import { fromCsv } from "./csv.js";
import { DataError, oneHot, presentFields, sizeOf as size, type ColumnMap, type Dataset, type Fields, type LoadOptions } from "./dataset.js";

export * from "./dataset.js";
export { fromCsv } from "./csv.js";

export function parseColumnMap(text: string): ColumnMap {
  const map = new Map<string, string[]>();
  for (const part of text.split(";").map((p) => p.trim()).filter((p) => p !== "")) {
    const [field, columns] = part.split("=");
    if (field === undefined || columns === undefined || field.trim() === "") throw new DataError(`--columns: '${part}' is not of the form field=column,column,...`);
    map.set(field.trim(), columns.split(",").map((c) => c.trim()));
  }
  return map;
}

export function loadData(paths: readonly string[], fields: Fields, columns?: ColumnMap, options: LoadOptions = {}): Dataset {
  if (paths.length === 2) return loadIdx(paths[0]!, paths[1]!, fields);
  if (paths.length !== 1) throw new DataError(`give one data file (.csv or .json), or IDX images and labels as two paths, not ${paths.length}`);
  const path = paths[0]!;
  const bytes = read(path);
  if (/\.json(\.gz)?$/i.test(path)) return fromJson(bytes.toString("utf8"), path, fields, options);
  if (/\.csv(\.gz)?$/i.test(path)) return fromCsv(bytes.toString("utf8"), path, fields, columns, options);
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x803) {
    if (options.optionalTargets !== true) throw new DataError(`${path}: IDX images without labels; give images and labels as two paths: images.gz,labels.gz`);
    return idxImages(bytes, path, fields);
  }
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

/** JSON: a list of examples, each an object with every input and target by name. */
export function fromJson(text: string, path: string, fields: Fields, options: LoadOptions = {}): Dataset {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new DataError(`${path}: not valid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(data) || data.length === 0) throw new DataError(`${path}: expected a non-empty list of examples`);
  const examples: unknown[] = data;
  const hasTargets = () => examples.some((e) => typeof e === "object" && e !== null && fields.targets.some((f) => f.name in e));
  const used = presentFields(fields, options, hasTargets);
  const all = [...used.inputs, ...used.targets];
  const values = new Map(all.map((f) => [f.name, new Float64Array(examples.length * size(f))]));
  examples.forEach((example, r) => {
    if (typeof example !== "object" || example === null) throw new DataError(`${path}: example ${r} is not an object`);
    for (const f of all) {
      const v = (example as Record<string, unknown>)[f.name];
      const flat = [v].flat(3);
      const out = values.get(f.name)!;
      if (used.targets.includes(f) && size(f) > 1 && typeof v === "number") oneHot(v, size(f), out, r, `${path}: example ${r}, '${f.name}'`);
      else if (flat.length !== size(f) || !flat.every((x) => typeof x === "number" && Number.isFinite(x))) {
        throw new DataError(`${path}: example ${r}, '${f.name}' must be ${size(f)} number${size(f) === 1 ? "" : "s"} (shape [${f.shape.join(", ")}])`);
      } else out.set(flat as number[], r * size(f));
    }
  });
  return { n: examples.length, values };
}

/** IDX images (0x00000803, pixels 0–255 scaled to [0, 1]) and labels (0x00000801). */
export function loadIdx(imagesPath: string, labelsPath: string, fields: Fields): Dataset {
  const images = read(imagesPath);
  const labels = read(labelsPath);
  const x = idxImages(images, imagesPath, fields);
  if (labels.length < 8 || labels.readUInt32BE(0) !== 0x801) throw new DataError(`${labelsPath}: not an IDX label file (${magic(labels)}, expected 0x801)`);
  if (labels.readUInt32BE(4) !== x.n) throw new DataError(`${labelsPath}: ${labels.readUInt32BE(4)} labels for ${x.n} images`);
  if (labels.length < 8 + x.n) throw new DataError(`${labelsPath}: the file ends after ${labels.length - 8} of its ${x.n} labels`);
  const [target] = fields.targets;
  if (target === undefined) throw new DataError(`${labelsPath}: the model has no target for the labels`);
  const y = new Float64Array(x.n * size(target));
  for (let i = 0; i < x.n; i++) {
    if (size(target) === 1) y[i] = labels[8 + i]!;
    else oneHot(labels[8 + i]!, size(target), y, i, `${labelsPath}: label ${i}`);
  }
  return { n: x.n, values: new Map([...x.values, [target.name, y]]) };
}

function idxImages(images: Buffer, path: string, fields: Fields): Dataset {
  if (images.length < 16 || images.readUInt32BE(0) !== 0x803) throw new DataError(`${path}: not an IDX image file (${magic(images)}, expected 0x803)`);
  const n = images.readUInt32BE(4);
  const pixels = images.readUInt32BE(8) * images.readUInt32BE(12);
  const [input] = fields.inputs;
  if (input === undefined || size(input) !== pixels) throw new DataError(`${path}: images of ${pixels} pixels, but the model's first input has ${input ? size(input) : 0} entries`);
  if (images.length < 16 + n * pixels) throw new DataError(`${path}: the file ends after ${Math.floor((images.length - 16) / pixels)} of its ${n} images`);
  const x = new Float64Array(n * pixels);
  for (let i = 0; i < n * pixels; i++) x[i] = images[16 + i]! / 255;
  return { n, values: new Map([[input.name, x]]) };
}

const magic = (bytes: Buffer) => (bytes.length < 4 ? `only ${bytes.length} bytes` : `magic 0x${bytes.readUInt32BE(0).toString(16)}`);

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
