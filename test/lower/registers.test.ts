// Local reuse in very long straight-line code: a number whose last reader has
// run gives its local to the next number declared; arrays, aliases, values
// read later (in a loop too) and short lists keep their own.

import { describe, expect, it } from "vitest";
import { compile } from "../../src/pipeline/compile.js";
import { bin, intrinsic, load, num, ref, type Expr, type Stmt } from "../../src/ir/ir.js";
import { reuseLocals } from "../../src/lower/registers.js";
import { loadGenerated } from "../../src/pipeline/load.js";
import { front } from "../support/front.js";

const decl = (name: string, init: Expr): Stmt => ({ k: "decl", mutable: false, type: "f64", name, init });

describe("reuseLocals", () => {
  it("gives a dead value's local to the next value, which may read it once more", () => {
    const body: Stmt[] = [
      decl("a", bin("*", num(2), ref("x"))),
      decl("b", intrinsic("sin", ref("a"))),
      decl("c", bin("+", ref("b"), num(1))),
      { k: "return", value: ref("c") },
    ];
    expect(reuseLocals(body, 0)).toEqual([
      { k: "decl", mutable: true, type: "f64", name: "a", init: bin("*", num(2), ref("x")) },
      { k: "set", name: "a", op: "=", value: intrinsic("sin", ref("a")) },
      { k: "set", name: "a", op: "=", value: bin("+", ref("a"), num(1)) },
      { k: "return", value: ref("a") },
    ]);
  });

  it("keeps values alive together apart, and a value a later loop reads alive until that loop", () => {
    const body: Stmt[] = [
      decl("a", num(1)),
      decl("b", num(2)),
      { k: "for", index: "i", from: num(0), to: num(3), body: [{ k: "store", array: "out", at: ref("i"), op: "+=", value: bin("*", ref("a"), ref("b")) }] },
      decl("c", bin("+", ref("a"), num(1))),
      decl("d", bin("+", ref("c"), ref("b"))),
      { k: "return", value: ref("d") },
    ];
    const out = reuseLocals(body, 0);
    // a and b overlap; c takes a's local (a dies where c is made) and d takes b's or c's.
    const names = out.flatMap((s) => (s.k === "decl" ? [s.name] : []));
    expect(names).toEqual(["a", "b"]);
    expect(out[3]).toEqual({ k: "set", name: "a", op: "=", value: bin("+", ref("a"), num(1)) });
    expect(out[5]).toMatchObject({ k: "return" });
  });

  it("leaves aliases and comparisons their own locals, and short lists alone", () => {
    const body: Stmt[] = [
      decl("v", load("w", num(0))),
      { k: "decl", mutable: false, type: "f64", name: "alias", init: ref("v") },
      { k: "decl", mutable: false, type: "bool", name: "ok", init: intrinsic("isFinite", ref("alias")) },
      { k: "return", value: { k: "cond", test: ref("ok"), then: ref("alias"), else: num(0) } },
    ];
    expect(reuseLocals(body, 0)).toEqual(body.map((s, i) => (i === 0 ? { ...s, mutable: true } : s)));
    expect(reuseLocals(body)).toEqual(body);
  });
});

// 3,000 distinct terms give each generated function more locals than
// REUSE_ABOVE; the module must still type-check (the strict test covers the
// flags) and give the closed-form values.
it("a fn long enough to share locals runs and gives the closed form", async () => {
  const N = 3_000;
  const ks = Array.from({ length: N }, (_, i) => i + 1);
  const parsed = front(`fn s(x) = ${ks.map((k) => `sin(${k} * x)`).join(" + ")}\n`, "long.nnd");
  const { code } = await compile(parsed.checked!, { precision: "f64", source: "long.nnd" });
  const locals = code.match(/\b(const|let) /g)!.length;
  expect(locals).toBeLessThan(100);
  const m = (await loadGenerated(code)) as { s: { value(x: number): number; grad(x: number): { x: number } } };
  const x = 0.3;
  const value = (Math.sin((N * x) / 2) * Math.sin(((N + 1) * x) / 2)) / Math.sin(x / 2);
  expect(m.s.value(x)).toBeCloseTo(value, 9);
  expect(m.s.grad(x).x).toBeCloseTo(ks.reduce((t, k) => t + k * Math.cos(k * x), 0), 6);
});
