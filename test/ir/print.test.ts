// The IR printer writes only the parentheses that precedence needs.

import { describe, expect, it } from "vitest";
import { bin, cast, intrinsic, num, ref } from "../../src/ir/ir.js";
import { printExpr } from "../../src/ir/print.js";

const [a, b, c] = [ref("a"), ref("b"), ref("c")];

describe("printExpr", () => {
  it.each([
    [bin("-", a, bin("-", b, c)), "a - (b - c)"],
    [bin("-", bin("-", a, b), c), "a - b - c"],
    [bin("*", bin("+", a, b), c), "(a + b) * c"],
    [bin("+", a, bin("*", b, c)), "a + b * c"],
    [{ k: "neg", a: num(-1) } as const, "-(-1)"],
    [{ k: "neg", a: bin("+", a, b) } as const, "-(a + b)"],
    [bin("*", { k: "cond", test: bin("<", a, b), then: a, else: b } as const, c), "(a < b ? a : b) * c"],
    [intrinsic("exp", bin("/", num(1), cast("f64", ref("n")))), "exp(1 / f64(n))"],
    [cast("f64", ref("t"), true), "f64u(t)"],
  ])("%j", (e, text) => expect(printExpr(e)).toBe(text));
});
