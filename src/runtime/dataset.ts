// What the data loaders share: the fields a model reads, the loaded dataset,
// the error every loader throws, and one-hot class labels.

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

/** Options of `loadData`. */
export interface LoadOptions {
  /** Data with the inputs alone loads too, without the targets (for prediction). */
  readonly optionalTargets?: boolean;
}

/** A problem with the data, naming the file, and the row and column where it has them. */
export class DataError extends Error {}

/** Which CSV columns (by header name) fill each field, for `--columns x=a,b;y=label`. */
export type ColumnMap = ReadonlyMap<string, readonly string[]>;

export const sizeOf = (f: Field): number => f.shape.reduce((a, b) => a * b, 1);

/** The fields the data has: all of them, or the inputs alone where targets may be left out and are. */
export function presentFields(fields: Fields, options: LoadOptions, hasTargets: () => boolean): Fields {
  return options.optionalTargets === true && fields.targets.length > 0 && !hasTargets() ? { inputs: fields.inputs, targets: [] } : fields;
}

export function oneHot(label: number, classes: number, out: Float64Array, row: number, where: string): void {
  if (!Number.isInteger(label) || label < 0 || label >= classes) {
    throw new DataError(`${where}: class label ${label} is out of range for ${classes} classes (0 to ${classes - 1})`);
  }
  out[row * classes + label] = 1;
}
