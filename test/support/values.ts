// Seeded random values for tests: the same seed, the same numbers.

import type { Tensor } from "../../src/graph/evaluate.js";
import { seededRandom } from "../../src/verify/gradcheck.js";

/** The same generator gradcheck uses. */
export const rng = seededRandom;

export function randomTensor(random: () => number, shape: readonly number[], lo = -1, hi = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float64Array.from({ length: n }, () => lo + (hi - lo) * random()) };
}

/** |a − b| small relative to their size, with NaN equal to NaN and ±∞ to itself. */
export function close(a: number, b: number, rel: number, abs = 1e-12): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)) + abs;
}

/** The worst relative error between two arrays, for messages. */
export function worst(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i]! - b[i]!) / Math.max(1e-12, Math.abs(a[i]!), Math.abs(b[i]!)));
  return w;
}

/**
 * Every entry of got within rel of want's largest entry: how two sums of the
 * same terms in another order differ (an entry that cancels to near 0 keeps
 * the rounding of its terms, not of itself).
 */
export function withinScale(got: ArrayLike<number>, want: ArrayLike<number>, rel: number): { worst: number; scale: number; ok: boolean } {
  const scale = Math.max(0, ...Array.from(want, Math.abs));
  const worst = Math.max(0, ...Array.from(want, (w, i) => Math.abs(got[i]! - w)));
  return { worst, scale, ok: got.length === want.length && worst <= rel * scale };
}
