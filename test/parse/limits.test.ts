// Bad input never crashes the front end: deep nesting gets a diagnostic, long
// chains and large files parse (docs/language.md, Limits).

import { describe, expect, it } from "vitest";
import { MAX_EXPR_DEPTH, parse } from "../../src/parse/parse.js";
import { MAX_NESTING } from "../../src/parse/scan.js";
import { check } from "../../src/check/check.js";
import { front } from "../support/front.js";
import fc from "fast-check";
import type { Expr, FnDecl } from "../../src/parse/ast.js";
import { printExpr } from "../../src/format/print-expr.js";

/** Depth of an expression tree, without recursion. */
function depth(root: Expr): number {
  let deepest = 0;
  const stack: [Expr, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [e, d] = stack.pop()!;
    deepest = Math.max(deepest, d);
    if (e.kind === "binary") stack.push([e.left, d + 1], [e.right, d + 1]);
    if (e.kind === "neg") stack.push([e.operand, d + 1]);
  }
  return deepest;
}

/** The exact value of an expression of integers and + - *, as the tree groups it. */
function exactValue(e: Expr): bigint {
  if (e.kind === "number") return BigInt(e.value);
  if (e.kind !== "binary") throw new Error(`unexpected ${e.kind}`);
  const [a, b] = [exactValue(e.left), exactValue(e.right)];
  return e.op === "+" ? a + b : e.op === "-" ? a - b : a * b;
}

const nest = (open: string, close: string, n: number, inner = "x") => open.repeat(n) + inner + close.repeat(n);

describe("nesting", () => {
  it.each([
    ["parentheses", "(", ")"],
    ["calls", "tanh(", ")"],
    ["user calls", "f(1, ", ", 2)"],
    ["arrays", "[", "]"],
    ["negated groups", "-(", ")"],
  ])("100 levels of %s check without a diagnostic", (_, open, close) => {
    const r = parse(`fn f(a, b, c) = a + b + c\nfn g(x) = ${nest(open, close, 100)}`);
    expect(r.diagnostics).toEqual([]);
    // The checker walks the same depth.
    expect(() => check(r.program)).not.toThrow();
  });

  it(`accepts exactly ${MAX_NESTING} levels of brackets`, () => {
    expect(parse(`fn g(x) = ${nest("(", ")", MAX_NESTING)}`).diagnostics).toEqual([]);
    expect(parse(`fn g(x) = ${nest("(", ")", MAX_NESTING + 1)}`).diagnostics.map((d) => d.code)).toEqual(["NND1002"]);
  });

  it.each([
    ["parentheses", "(", ")"],
    ["calls", "exp(", ")"],
    ["arrays and calls", "f([", "])"],
  ])("100,000 levels of %s give a diagnostic, not a stack overflow", (_, open, close) => {
    const text = `fn g(x) = ${nest(open, close, 100_000)}\nfn ok(x) = x +`;
    const r = parse(text);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["NND1002", "NND1001"]);
    const at = r.diagnostics[0]!.span!;
    expect(at.line).toBe(1);
    expect("([".includes(text[at.start]!)).toBe(true);
  });

  it("a deep model body gives a diagnostic too", () => {
    const text = `model m {\n  input x: []\n  h = ${nest("(", ")", 50_000)}\n  loss = h\n}`;
    expect(parse(text).diagnostics.map((d) => d.code)).toEqual(["NND1002"]);
  });
});

describe("long chains", () => {
  it("a chain of operators is parsed without recursion, and bounded for later stages", () => {
    const ok = parse(`fn f(x) = ${Array(MAX_EXPR_DEPTH - 1).fill("x").join(" + ")}`);
    expect(ok.diagnostics).toEqual([]);
    // Only - between the operands: no place to regroup, so it stays deep, and
    // the diagnostic says how to write it instead.
    const long = parse(`fn f(x) = ${Array(20_000).fill("x").join(" - ")}`);
    expect(long.diagnostics.map((d) => d.code)).toEqual(["NND1005"]);
    expect(long.diagnostics[0]!.message).toContain("a - (b + c + ...)");
    expect(parse(`fn f(x) = ${Array(20_000).fill("x").join(" / ")}`).diagnostics[0]!.message).toContain("a / (b * c * ...)");
  });

  it.each([
    ["a sum", " + "],
    ["a product", " * "],
    ["a mixed sum", [" + ", " - "]],
    ["a mixed product", [" * ", " / "]],
  ])("a flat chain of 20,000 operands (%s) is not nesting: a shallow tree, checked", (_, ops) => {
    const op = (i: number) => (typeof ops === "string" ? ops : ops[i % 2]!);
    const text = `fn f(x) = x${Array.from({ length: 19_999 }, (_, i) => `${op(i)}x`).join("")}`;
    const r = parse(text);
    expect(r.diagnostics).toEqual([]);
    const body = (r.program.decls[0] as FnDecl).body;
    expect(depth(body)).toBeLessThan(64);
    expect(() => check(r.program)).not.toThrow();
    // (Dividing by x may warn; nothing else.)
    expect(check(r.program).diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  const chains = (ops: string[]) =>
    fc.array(fc.tuple(fc.constantFrom(...ops), fc.integer({ min: 1, max: 9 })), { minLength: 30, maxLength: 300 }).map((chain) => `2${chain.map(([op, k]) => ` ${op} ${k}`).join("")}`);
  const bodyOf = (text: string) => (parse(`fn f(x) = ${text}`).program.decls[0] as FnDecl).body;

  it("a regrouped chain prints back as written", () => {
    fc.assert(fc.property(chains(["+", "-", "*", "/"]), (text) => {
      expect(printExpr(bodyOf(text))).toBe(text);
    }), { numRuns: 200 });
  });

  it("a bracketed operand keeps its brackets where the chain is cut before it", () => {
    const text = `${Array(40).fill("x").join(" - ")} + (x - x)`;
    expect(printExpr(bodyOf(text))).toBe(text);
  });

  it("a regrouped chain has the value of the chain as written (exactly, in integers)", () => {
    fc.assert(
      fc.property(chains(["+", "-", "*"]), (text) => {
        // JavaScript reads the same text left to right, with the same precedence.
        const expected = Function(`return ${text.replace(/\d+/g, "$&n")}`)() as bigint;
        expect(exactValue(bodyOf(text))).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });

  it("a chain of signs and powers is fine", () => {
    expect(parse(`fn f(x) = ${"-".repeat(500)}x`).diagnostics).toEqual([]);
    expect(parse(`fn f(x) = ${Array(500).fill("x").join("^")}`).diagnostics).toEqual([]);
  });
});

describe("large files", () => {
  it("a 1 MB file of valid definitions parses and checks", () => {
    const lines: string[] = ["dim N = 3"];
    let size = 0;
    for (let i = 0; size < 1_000_000; i++) {
      const line = `fn f${i}(x, y: [N]) = sum(x * y + exp(-x^2)) / (1 + x^2)  # ${i}`;
      lines.push(line);
      size += line.length + 1;
    }
    const r = front(lines.join("\n"));
    expect(r.all).toEqual([]);
    expect(r.program.decls.length).toBe(lines.length);
  });

  it("a long chain of functions, each calling the last, checks without recursion", () => {
    const lines = ["fn f0(x) = x"];
    for (let i = 1; i < 20_000; i++) lines.push(`fn f${i}(x) = f${i - 1}(x) + 1`);
    const r = front(lines.join("\n"));
    expect(r.all).toEqual([]);
    expect(r.checked!.fns.get("f19999")!.result).toEqual([]);
  });
});
