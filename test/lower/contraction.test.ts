// The one product generator (src/lower/contraction.ts) computes every
// entry of L Rᵀ for every block, split, loop order and remainder, with sizes
// known when compiling or only at run time: its IR, rendered and run,
// against the sums written out.

import fc from "fast-check";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { add, mul, num, ref, type Expr, type Stmt } from "../../src/ir/ir.js";
import { contraction } from "../../src/lower/contraction.js";
import { stmt } from "../../src/emit/ts-build.js";

function run(body: Stmt[], L: Float64Array, R: Float64Array, out: Float64Array, m: number, depth: number): void {
  const file = ts.factory.createSourceFile(body.map((s) => stmt(s, "Float64Array")), ts.factory.createToken(ts.SyntaxKind.EndOfFileToken), ts.NodeFlags.None);
  const js = ts.transpile(ts.createPrinter().printFile(file));
  new Function("L", "R", "out", "m", "depth", js)(L, R, out, m, depth);
}

const shapes = fc.record({
  rows: fc.integer({ min: 1, max: 7 }),
  cols: fc.integer({ min: 1, max: 7 }),
  depth: fc.integer({ min: 1, max: 21 }),
  colsAtRunTime: fc.boolean(),
  depthAtRunTime: fc.boolean(),
  block: fc.record({ rows: fc.integer({ min: 1, max: 4 }), cols: fc.integer({ min: 1, max: 4 }), split: fc.constantFrom(1, 2, 4) }),
  colsOuter: fc.boolean(),
  accumulate: fc.boolean(),
});

describe("contraction", () => {
  it("gives L Rᵀ whatever the block, split, order and sizes", () => {
    fc.assert(
      fc.property(shapes, (s) => {
        const { rows, cols, depth } = s;
        const L = Float64Array.from({ length: rows * depth }, (_, k) => Math.sin(k + 1));
        const R = Float64Array.from({ length: cols * depth }, (_, k) => Math.cos(3 * k + 1));
        const initial = Float64Array.from({ length: rows * cols }, (_, k) => (s.accumulate ? k : 0));
        let index = 0;
        let local = 0;
        const at = (array: string, row: Expr, k: Expr): Expr => ({ k: "load", array, at: add(mul(row, s.depthAtRunTime ? ref("depth") : num(depth)), k) });
        const body = contraction({
          left: (i, k) => at("L", i, k),
          right: (j, k) => at("R", j, k),
          rows,
          cols: s.colsAtRunTime && !s.colsOuter ? ref("m") : cols,
          depth: s.depthAtRunTime ? ref("depth") : depth,
          block: s.block,
          store: (i, j, sum) => ({ k: "store", array: "out", at: add(mul(i, num(cols)), j), op: s.accumulate ? "+=" : "=", value: sum }),
          outer: s.colsOuter ? "cols" : "rows",
          bases: ["s", "l", "r"],
          names: { index: () => `i${index++}`, local: (base) => `${base}${local++}` },
        });
        const out = Float64Array.from(initial);
        run(body, L, R, out, cols, depth);
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < cols; j++) {
            let want = initial[i * cols + j]!;
            for (let k = 0; k < depth; k++) want += L[i * depth + k]! * R[j * depth + k]!;
            expect(Math.abs(out[i * cols + j]! - want), `(${i}, ${j}) of ${JSON.stringify(s)}`).toBeLessThanOrEqual(1e-13 * (1 + Math.abs(want)));
          }
        }
      }),
      { numRuns: 300, seed: 15 },
    );
  });
});
