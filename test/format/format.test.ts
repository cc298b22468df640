import { readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { format } from "../../src/format/format.js";
import { printExpr } from "../../src/format/print-expr.js";
import { parse } from "../../src/parse/parse.js";
import { printFull, printProgram, program, spacing, tree } from "../support/arbitrary.js";
import { sexpr, withoutSpans } from "../support/front.js";

function fmt(text: string): string {
  const r = parse(text);
  expect(r.diagnostics).toEqual([]);
  return format(r.program, r.source);
}

describe("examples", () => {
  const examples = readdirSync("examples").filter((f) => f.endsWith(".nnd"));
  it.each(examples)("%s is already formatted", (file) => {
    const text = readFileSync(`examples/${file}`, "utf8");
    expect(fmt(text)).toBe(text);
  });
});

describe("layout", () => {
  it("matches the stored layout of a messy file", () => {
    const text = readFileSync("test/fixtures/format/messy.nnd", "utf8");
    const golden = "test/fixtures/format/messy.expected.nnd";
    if (process.env["UPDATE_GOLDEN"] || !existsSync(golden)) writeFileSync(golden, fmt(text));
    expect(fmt(text)).toBe(readFileSync(golden, "utf8"));
  });

  it("aligns runs of like statements and their trailing comments", () => {
    const text = "model m {\ninput x: [2]\ntarget yy: []\nparam W: [2, 2] ~ xavier\nparam b: [2] ~ zeros # bias\nhidden = W @ x + b # h\no = sum(hidden)\nloss = (o - yy)^2\n}\n";
    expect(fmt(text)).toBe(
      [
        "model m {",
        "  input  x: [2]",
        "  target yy: []",
        "  param W: [2, 2] ~ xavier",
        "  param b: [2]    ~ zeros  # bias",
        "  hidden = W @ x + b       # h",
        "  o      = sum(hidden)",
        "  loss   = (o - yy)^2",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("keeps one blank line where there were several, and none at the ends", () => {
    expect(fmt("\n\n\nfn f(x) = x\n\n\n\nfn g(x) = x\n\n\n")).toBe("fn f(x) = x\n\nfn g(x) = x\n");
  });

  it("prints an empty file as empty, and a file of comments as comments", () => {
    expect(fmt("")).toBe("");
    expect(fmt("# just a note   \n\n\n# another\n")).toBe("# just a note\n\n# another\n");
  });

  it("uses the fewest parentheses that keep the tree", () => {
    const cases: [string, string][] = [
      ["((a + b)) + (c)", "a + b + c"],
      ["a + (b + c)", "a + (b + c)"],
      ["(a * b) @ c", "(a * b) @ c"],
      ["a * (b @ c)", "a * b @ c"],
      ["(-x)^2", "(-x)^2"],
      ["-(x^2)", "-x^2"],
      ["2^(-x)", "2^-x"],
      ["(a^b)^c", "(a^b)^c"],
      ["a^(b^c)", "a^b^c"],
      ["-(a @ b)", "-(a @ b)"],
      ["(-a) @ b", "-a @ b"],
      ["(a + b)[0]", "(a + b)[0]"],
      ["(-v)[1]", "(-v)[1]"],
      ["- (- x)", "--x"],
      ["a - (-b)", "a - -b"],
    ];
    for (const [input, expected] of cases) {
      const decl = parse(`fn t() = ${input}`).program.decls[0];
      expect(decl?.kind === "fn" ? printExpr(decl.body) : "").toBe(expected);
    }
  });
});

describe("properties", () => {
  it("the parser reads a fully parenthesised tree back as that tree, and fmt keeps it", () => {
    fc.assert(
      fc.property(tree, spacing, (t, space) => {
        const full = sexpr(printFull(t));
        expect(sexpr(printFull(t, space))).toBe(full);
        const decl = parse(`fn t() = ${printFull(t)}`).program.decls[0];
        expect(decl?.kind).toBe("fn");
        if (decl?.kind === "fn") expect(sexpr(printExpr(decl.body))).toBe(full);
      }),
      { numRuns: 500, seed: 11 },
    );
  });

  it("parse ∘ fmt ∘ parse = parse, fmt is idempotent, and comments survive", () => {
    fc.assert(
      fc.property(program, spacing, (p, space) => {
        const text = printProgram(p, space);
        const first = parse(text);
        expect(first.diagnostics).toEqual([]);
        const formatted = format(first.program, first.source);
        const second = parse(formatted);
        expect(second.diagnostics).toEqual([]);
        expect(withoutSpans(second.program)).toEqual(withoutSpans(first.program));
        expect(second.program.comments.map((c) => c.text)).toEqual(first.program.comments.map((c) => c.text.trimEnd()));
        expect(format(second.program, second.source)).toBe(formatted);
      }),
      { numRuns: 400, seed: 12 },
    );
  });
});
