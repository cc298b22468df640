// Buffer reuse by liveness: arrays whose lives do not overlap share storage,
// arrays whose lives do, or that are used outside the loop, do not.

import { expect, it } from "vitest";
import { load, num, ref, type Stmt } from "../../src/ir/ir.js";
import { shareBuffers } from "../../src/lower/liveness.js";

const write = (array: string, from?: string): Stmt => ({ k: "store", array, at: num(0), op: "=", value: from === undefined ? num(1) : load(from, num(0)) });

it("shares storage between arrays of one size that are never live together", () => {
  const body: Stmt[] = [write("a"), write("b", "a"), write("c", "b"), write("d", "c")];
  const buffers = ["a", "b", "c", "d"].map((name) => ({ name, size: 4 }));
  const rename = shareBuffers(body, new Set(), buffers);
  // a dies when b is written (statement 1); c can take a's storage, d can take b's.
  expect(Object.fromEntries(rename)).toEqual({ c: "a", d: "b" });
});

it("keeps arrays of other sizes, arrays used outside the loop, and overlapping lives apart", () => {
  // a: 0–2, b: 1–3, c: 2 (size 8), d: 3–3 (after a died), h: used outside the loop.
  const body: Stmt[] = [write("a"), write("b"), write("c", "a"), write("d", "b"), { k: "set", name: "s", op: "+=", value: load("h", ref("i")) }];
  const buffers = [
    { name: "a", size: 4 },
    { name: "b", size: 4 },
    { name: "c", size: 8 },
    { name: "d", size: 4 },
    { name: "h", size: 4 },
  ];
  const rename = shareBuffers(body, new Set(["h"]), buffers);
  expect(Object.fromEntries(rename)).toEqual({ d: "a" });
});
