// The epoch lines of `nndc train`. On a terminal every epoch gets its line
// (a progress bar shows the steps in between); off one (a log, a pipe, CI) a
// long run would bury everything else, so only every k-th epoch is printed,
// k a round number chosen for 10 to 20 lines a run, and always the
// first epoch and the last one, whether training ran out of epochs or
// stopped. `--log-every N` sets k.

import type { EpochReport } from "../runtime/train.js";

/** At most this many multiples of the interval in a run: with the first and the last epoch, 10 to 20 lines. */
const MOST_MULTIPLES = 18;

/**
 * Every epoch for runs of up to 20; else the smallest of 2, 4, 5, 10, 20, 25,
 * 50, 100, 200, 250, … with at most 18 multiples in the run. Neighbours differ
 * by at most a factor of 2, so there are more than 9 of them.
 */
export function logInterval(epochs: number): number {
  if (epochs <= 20) return 1;
  for (const k of [2, 4, 5]) if (epochs / k <= MOST_MULTIPLES) return k;
  for (let scale = 10; ; scale *= 10) for (const m of [1, 2, 2.5, 5]) if (epochs / (m * scale) <= MOST_MULTIPLES) return m * scale;
}

export function formatEpoch(r: EpochReport, epochs: number): string {
  const parts = [`epoch ${String(r.epoch).padStart(String(epochs).length)}/${epochs}`, `loss ${r.loss.toPrecision(6)}`];
  if (r.testLoss !== undefined) parts.push(`test loss ${r.testLoss.toPrecision(6)}`);
  if (r.trainAccuracy !== undefined) parts.push(`train acc ${(100 * r.trainAccuracy).toFixed(1)} %`);
  if (r.testAccuracy !== undefined) parts.push(`test acc ${(100 * r.testAccuracy).toFixed(1)} %`);
  return parts.join("  ");
}

/** Prints the epochs due a line as they come, holds back the rest, and prints the final one at `finish`. */
export class EpochLog {
  private held: EpochReport | undefined;

  /** `first`: the first epoch of this run (after a resume, the one after the file's); `epochs`: the last. */
  constructor(
    private readonly write: (line: string) => void,
    private readonly epochs: number,
    private readonly first: number,
    private readonly every: number,
  ) {}

  epoch(r: EpochReport): void {
    const due = r.epoch === 0 || r.epoch === this.first || r.epoch === this.epochs || r.epoch % this.every === 0;
    this.held = due ? undefined : r;
    if (due) this.write(formatEpoch(r, this.epochs));
  }

  /** The last epoch, if it was held back: where training stopped. */
  finish(): void {
    if (this.held !== undefined) this.write(formatEpoch(this.held, this.epochs));
    this.held = undefined;
  }
}
