// A value of the graph: a shape and its entries in f64, row-major. The
// reference interpreter computes these; the generated code's results are
// compared with them.

import type { Shape } from "./shape.js";

export interface Tensor {
  readonly shape: Shape;
  /** Row-major. */
  readonly data: Float64Array;
}

export const tensor = (shape: Shape, data: ArrayLike<number>): Tensor => ({ shape, data: Float64Array.from(data) });
export const scalarTensor = (x: number): Tensor => tensor([], [x]);
