// How many epoch lines `nndc train` prints off a terminal: 10 to 20 for any
// run longer than 20 epochs (every epoch up to 20), the first and the last
// always among them, and the epoch where training stopped.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EpochLog, logInterval } from "../../src/cli/epoch-log.js";
import type { EpochReport } from "../../src/runtime/train.js";

const report = (epoch: number): EpochReport => ({ epoch, loss: 1, gradNorm: 0 });

/** The epochs printed for a run from `first` to `stop` (of `epochs` planned), every `every`. */
function printed(epochs: number, first: number, stop: number, every: number): number[] {
  const lines: string[] = [];
  const log = new EpochLog((l) => lines.push(l), epochs, first, every);
  for (let e = first; e <= stop; e++) log.epoch(report(e));
  log.finish();
  return lines.map((l) => Number(/^epoch +(\d+)/.exec(l)![1]));
}

describe("the cadence off a terminal", () => {
  it("10 to 20 lines for runs longer than 20 epochs, every epoch for shorter ones, the first and the last among them", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2_000_000 }), (epochs) => {
        const every = logInterval(epochs);
        // Count without running millions of epochs: the multiples of k, the first and the last.
        const count = Math.floor(epochs / every) + (every === 1 ? 0 : 1) + (epochs % every === 0 ? 0 : 1);
        if (epochs <= 20) expect(count).toBe(epochs);
        else expect(count).toBeGreaterThanOrEqual(10), expect(count).toBeLessThanOrEqual(20);
        if (epochs <= 5000) {
          const lines = printed(epochs, 1, epochs, every);
          expect(lines.length).toBe(count);
          expect(lines[0]).toBe(1);
          expect(lines.at(-1)).toBe(epochs);
        }
      }),
    );
  });

  it("round intervals: 300 epochs every 20, 1000 every 100, 50 every 4", () => {
    expect([300, 1000, 50, 20, 21].map(logInterval)).toEqual([20, 100, 4, 1, 2]);
  });

  it("the epoch where training stopped is printed once, after the others", () => {
    expect(printed(300, 1, 127, 20)).toEqual([1, 20, 40, 60, 80, 100, 120, 127]);
    expect(printed(300, 1, 120, 20)).toEqual([1, 20, 40, 60, 80, 100, 120]);
  });

  it("after a resume the run's first epoch is printed, and epoch 0 (the start of a full-batch run) always", () => {
    const lines: number[] = [];
    const log = new EpochLog((l) => lines.push(Number(/^epoch +(\d+)/.exec(l)![1])), 100, 37, 10);
    for (const e of [0, 37, 38, 39, 40, 41]) log.epoch(report(e));
    log.finish();
    expect(lines).toEqual([0, 37, 40, 41]);
  });
});
