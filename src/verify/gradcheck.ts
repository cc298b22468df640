// Gradient checking: every derivative nndc derives, against central finite
// differences of the forward value, at seeded random points away from kinks
// (where one-sided differences disagree, the point is drawn again).

import { sizeOf, type Shape } from "../tensor/shape.js";
import type { Derived } from "../pipeline/derive.js";
import { evaluate, type Tensor } from "../graph/evaluate.js";
import type { Node } from "../graph/node.js";

export interface Check {
  readonly variable: string;
  readonly shape: Shape;
  /** How many entries were compared (all, or a seeded sample of a large variable). */
  readonly entries: number;
  readonly worst: number;
  /** Compared, and within the tolerance. False both for a failure and for a skipped variable. */
  readonly ok: boolean;
  /** Why nothing was compared, if nothing was: then it neither agrees nor fails. */
  readonly skipped?: string;
}

export interface Tally {
  readonly checked: number;
  readonly failed: number;
  readonly skipped: number;
}

/** Checked (compared), failed (compared and disagreeing) and skipped, counted apart. */
export function tally(checks: readonly Check[]): Tally {
  const skipped = checks.filter((c) => c.skipped !== undefined).length;
  const failed = checks.filter((c) => c.skipped === undefined && !c.ok).length;
  return { checked: checks.length - skipped, failed, skipped };
}

export interface GradcheckOptions {
  readonly seed: number;
  readonly points: number;
  /** Relative error above which a derivative fails. */
  readonly tolerance: number;
  /** At most this many entries of one variable are compared. */
  readonly maxEntries: number;
}

export const defaultGradcheck: GradcheckOptions = { seed: 1, points: 3, tolerance: 1e-5, maxEntries: 24 };

// Near eps^(1/3): balances truncation error (h²) against rounding error (eps / h).
const H = 1e-5;

/** A seeded generator (mulberry32): the same seed, the same points. */
export function seededRandom(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `leaves` are all variables the value depends on (for a model: inputs,
 * targets and params), `ranges` where to draw each from.
 */
export function gradcheck(
  derived: Derived,
  value: Node,
  leaves: readonly Node[],
  range: (v: Node) => readonly [number, number],
  options: GradcheckOptions = defaultGradcheck,
): Check[] {
  const next = seededRandom(options.seed);
  const draw = (): Map<string, Tensor> =>
    new Map(
      leaves.map((v) => {
        const [lo, hi] = range(v);
        return [v.attrs.name!, { shape: v.shape, data: Float64Array.from({ length: sizeOf(v.shape) }, () => lo + (hi - lo) * next()) }];
      }),
    );

  return derived.wrt.map((w, i) => {
    const grad = derived.grads[i];
    const name = w.attrs.name!;
    const n = sizeOf(w.shape);
    const entries = n <= options.maxEntries ? [...Array(n).keys()] : Array.from({ length: options.maxEntries }, () => Math.floor(next() * n));
    const base = { variable: name, shape: w.shape, entries: entries.length };
    if (grad === null || grad === undefined) return { ...base, entries: 0, worst: 0, ok: false, skipped: `its derivative has rank ${value.shape.length + w.shape.length}, and nndc derives ranks 0 to 2` };
    let worst = 0;
    let compared = 0;
    for (let p = 0, attempts = 0; p < options.points && attempts < options.points * 20; attempts++) {
      const values = draw();
      const at = (k: number, delta: number) => {
        const t = values.get(name)!;
        const data = t.data.slice();
        data[k]! += delta;
        return evaluate([value], new Map([...values, [name, { shape: t.shape, data }]]))[0]!.data;
      };
      const analytic = evaluate([grad], values)[0]!.data;
      const f0 = evaluate([value], values)[0]!.data;
      let usable = f0.every(Number.isFinite) && analytic.every(Number.isFinite);
      const errors: number[] = [];
      for (const k of entries) {
        if (!usable) break;
        const up = at(k, H);
        const down = at(k, -H);
        for (let j = 0; j < f0.length; j++) {
          const forward = (up[j]! - f0[j]!) / H;
          const backward = (f0[j]! - down[j]!) / H;
          // Near a kink the one-sided slopes differ: this point says nothing.
          if (!Number.isFinite(forward + backward) || Math.abs(forward - backward) > 1e-3 * Math.max(1, Math.abs(forward))) {
            usable = false;
            break;
          }
          const central = (up[j]! - down[j]!) / (2 * H);
          const a = analytic[j * n + k]!;
          errors.push(Math.abs(a - central) / Math.max(Math.abs(a), Math.abs(central), 1e-3));
        }
      }
      if (!usable) continue;
      worst = Math.max(worst, ...errors);
      compared++;
      p++;
    }
    if (compared === 0) return { ...base, entries: 0, worst: 0, ok: false, skipped: "no point away from kinks and overflow" };
    return { ...base, worst, ok: worst <= options.tolerance };
  });
}
