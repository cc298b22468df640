// Leaving out what the generated code never reads: only constants with no
// effect go, chains of them go together, and a parameter's `_` name never
// takes a name the body reads.

import { describe, expect, it } from "vitest";
import { bin, call, load, loop, num, ref, type Expr, type Stmt } from "../../src/ir/ir.js";
import { namesRead, parameterName, withoutUnusedConstants } from "../../src/emit/unused.js";

const decl = (name: string, init: Expr, mutable = false): Stmt => ({ k: "decl", mutable, type: "f64", name, init });
const names = (stmts: readonly Stmt[]): string[] => stmts.flatMap((s) => (s.k === "decl" || s.k === "alloc" ? [s.name] : s.k === "for" ? names(s.body) : []));

describe("withoutUnusedConstants", () => {
  it("drops a chain of unread constants, innermost first, and keeps what the result needs", () => {
    const body: Stmt[] = [
      decl("a", load("x", num(0))),
      decl("b", bin("*", ref("a"), num(2))),
      decl("c", load("x", num(1))),
      { k: "return", value: ref("c") },
    ];
    expect(names(withoutUnusedConstants(body))).toEqual(["c"]);
  });

  it("keeps a constant whose value draws a random number, and every let", () => {
    const body: Stmt[] = [decl("r", call("random")), decl("g", call("gaussian")), decl("s", num(0), true), { k: "return", value: num(1) }];
    expect(names(withoutUnusedConstants(body))).toEqual(["r", "g", "s"]);
  });

  it("looks inside loops, and counts a store as a use of its array", () => {
    const body: Stmt[] = [
      { k: "alloc", name: "out", size: num(4) },
      { k: "alloc", name: "scratch", size: num(4) },
      loop("i", 4, [decl("at", bin("*", ref("i"), num(2))), decl("v", load("x", ref("i"))), { k: "store", array: "out", at: ref("i"), op: "=", value: ref("v") }]),
      { k: "return", value: ref("out") },
    ];
    expect(names(withoutUnusedConstants(body))).toEqual(["out", "v"]);
  });
});

describe("names", () => {
  it("a compound assignment reads its target; a plain one does not", () => {
    const read = namesRead([
      { k: "set", name: "sum", op: "+=", value: num(1) },
      { k: "set", name: "last", op: "=", value: ref("z") },
    ]);
    expect([...read].sort()).toEqual(["sum", "z"]);
  });

  it("an unread parameter is _-named, past any name the body reads", () => {
    expect(parameterName("x", new Set(["x"]))).toBe("x");
    expect(parameterName("x", new Set())).toBe("_x");
    expect(parameterName("x", new Set(["_x", "__x"]))).toBe("___x");
  });
});
