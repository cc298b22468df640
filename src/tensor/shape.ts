// A static tensor shape: [] scalar, [n] vector, [m, n] matrix. Every stage
// speaks of shapes, so they sit below all of them.

export type Shape = readonly number[];

export const scalar: Shape = [];

export function formatShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

export function sizeOf(shape: Shape): number {
  return shape.reduce((n, d) => n * d, 1);
}
