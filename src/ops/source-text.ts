// Pieces of .nnd source for ops the language has no name for (graph/print-nnd.ts).

/** A number as source that parses back to the same value, NaN and infinities included. */
export function numberText(v: number): string {
  if (Number.isNaN(v)) return "(0 / 0)";
  if (!Number.isFinite(v)) return v > 0 ? "(1 / 0)" : "(-1 / 0)";
  return v < 0 || Object.is(v, -0) ? `(-${JSON.stringify(-v)})` : JSON.stringify(v);
}

/** A literal of this shape with 1 at `at` and 0 elsewhere (a vector, or a matrix). */
export function unit(shape: readonly number[], at: readonly number[]): string {
  if (shape.length === 1) return `[${Array.from({ length: shape[0]! }, (_, k) => (k === at[0] ? "1" : "0")).join(", ")}]`;
  return `[${Array.from({ length: shape[0]! }, (_, r) => (r === at[0] ? unit(shape.slice(1), at.slice(1)) : unit(shape.slice(1), []))).join(", ")}]`;
}

/** A literal of this shape with every entry `text`. */
export function filled(shape: readonly number[], text: string): string {
  if (shape.length === 0) return text;
  return `[${Array.from({ length: shape[0]! }, () => filled(shape.slice(1), text)).join(", ")}]`;
}
