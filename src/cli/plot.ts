// The loss curve: an SVG for the browser (Vega-Lite, rendered headless) and a
// small chart for the terminal (asciichart).

import asciichart from "asciichart";
import * as vega from "vega";
import { compile as compileVegaLite } from "vega-lite";
import type { EpochReport } from "../runtime/train.js";

export async function lossCurveSvg(title: string, history: readonly EpochReport[]): Promise<string> {
  const values = history.flatMap((r) => [
    { epoch: r.epoch, loss: r.loss, set: "train" },
    ...(r.testLoss === undefined ? [] : [{ epoch: r.epoch, loss: r.testLoss, set: "test" }]),
  ]);
  const positive = values.every((v) => v.loss > 0);
  const spec = {
    width: 560,
    height: 320,
    title,
    data: { values },
    mark: { type: "line" as const, point: history.length <= 30 },
    encoding: {
      x: { field: "epoch", type: "quantitative" as const, title: "epoch" },
      y: { field: "loss", type: "quantitative" as const, title: "mean loss", scale: { type: positive ? ("log" as const) : ("linear" as const) } },
      color: { field: "set", type: "nominal" as const, title: null },
    },
  };
  const view = new vega.View(vega.parse(compileVegaLite(spec).spec), { renderer: "none" });
  return view.toSVG();
}

export function lossCurveText(history: readonly EpochReport[]): string {
  const losses = history.map((r) => r.loss).filter(Number.isFinite);
  if (losses.length < 2) return "";
  // A flat curve says nothing, and asciichart loops forever on a range of a
  // few ulps (Newton's method converged: the same loss twice, but for rounding).
  const [lo, hi] = [Math.min(...losses), Math.max(...losses)];
  if (hi - lo <= 1e-9 * Math.max(Math.abs(lo), Math.abs(hi))) return "";
  // At most 60 columns: sample the epochs evenly.
  const step = Math.max(1, Math.ceil(losses.length / 60));
  const sampled = losses.filter((_, i) => i % step === 0);
  return asciichart.plot(sampled, { height: 8, format: (x: number) => x.toPrecision(3).padStart(10) });
}
