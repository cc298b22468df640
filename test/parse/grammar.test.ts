import { describe, expect, it } from "vitest";
import { parse } from "../../src/parse/parse.js";
import { codes, sexpr } from "../support/front.js";

describe("precedence and associativity (docs/language.md)", () => {
  const cases: [string, string][] = [
    ["a + b * c", "(+ a (* b c))"],
    ["a - b - c", "(- (- a b) c)"],
    ["a / b / c", "(/ (/ a b) c)"],
    ["a * b @ c", "(* a (@ b c))"],
    ["x @ A @ x", "(@ (@ x A) x)"],
    ["-x^2", "(neg (^ x 2))"],
    ["-a @ b", "(@ (neg a) b)"],
    ["a^b^c", "(^ a (^ b c))"],
    ["2^-x", "(^ 2 (neg x))"],
    ["2^-x^2", "(^ 2 (neg (^ x 2)))"],
    ["a * -b + c", "(+ (* a (neg b)) c)"],
    ["a - -b", "(- a (neg b))"],
    ["--a", "(neg (neg a))"],
    ["(a + b) * c", "(* (+ a b) c)"],
    ["(-a)^2", "(^ (neg a) 2)"],
    ["-v[0]", "(neg (index v 0))"],
    ["A[1, 2] + f(x, y)[0]", "(+ (index A 1 2) (index (f x y) 0))"],
    ["[1, 2] @ [[1, 2], [3, 4]]", "(@ [1 2] [[1 2] [3 4]])"],
    ["1 + 2 * 3 ^ 4 @ 5", "(+ 1 (* 2 (@ (^ 3 4) 5)))"],
    ["f()", "(f)"],
  ];
  it.each(cases)("%s", (text, expected) => {
    expect(sexpr(text)).toBe(expected);
  });
});

describe("numbers", () => {
  it.each([
    ["3", 3],
    ["0.5", 0.5],
    ["1e-4", 1e-4],
    ["2.5E+3", 2500],
    [".25", 0.25],
    ["pi", undefined],
  ])("%s", (text, value) => {
    const decl = parse(`fn t() = ${text}`).program.decls[0];
    expect(decl?.kind === "fn" && decl.body.kind === "number" ? decl.body.value : undefined).toBe(value);
  });

  it("rejects a number too large for f64", () => {
    expect(codes("fn t() = 1e999")).toEqual(["NND1003@1:10"]);
  });

  it("does not read a name glued to a number", () => {
    expect(codes("fn t(x) = 2x")[0]).toMatch(/^NND1001@1:11/);
  });
});

describe("statements", () => {
  it("needs no separators and allows expressions across lines", () => {
    const r = parse("model m {\n  input x: [2] target y: []\n  h = x @\n    x\n  - y\n  loss = h\n}\n");
    expect(r.diagnostics).toEqual([]);
    const m = r.program.decls[0];
    expect(m?.kind === "model" ? m.items.map((i) => i.kind) : []).toEqual(["input", "target", "let", "loss"]);
  });

  it("treats keywords as ordinary names where no statement starts", () => {
    const text = `fn f(input, target, param, loss, output, model, dim, fn) = input + target + param + loss + output + model + dim + fn
model m {
  input x: []
  output = x
  loss = output
}
fn g(model) = model
fn h(x) = g(x)
dim fn2 = 3`;
    const r = parse(text);
    expect(r.diagnostics).toEqual([]);
    expect(r.program.decls.map((d) => d.kind)).toEqual(["fn", "model", "fn", "fn", "dim"]);
  });

  it("keeps comments, with their positions", () => {
    const r = parse("# one\nfn f(x) = x # two\n");
    expect(r.program.comments.map((c) => [c.text, c.span.line, c.span.column])).toEqual([
      ["# one", 1, 1],
      ["# two", 2, 13],
    ]);
  });

  it("gives every node a span with line and column", () => {
    const r = parse("dim H = 4\n\nfn quad(x: [H], A: [H, H]) =\n  x @ A @ x\n");
    const fn = r.program.decls[1];
    expect(fn?.kind).toBe("fn");
    if (fn?.kind !== "fn") return;
    expect([fn.span.line, fn.span.column]).toEqual([3, 1]);
    expect([fn.body.span.line, fn.body.span.column, fn.body.span.end - fn.body.span.start]).toEqual([4, 3, 9]);
    expect(fn.args[1]!.shape!.span).toMatchObject({ line: 3, column: 20, file: "<input>" });
  });
});

describe("syntax errors", () => {
  it("say what was expected, where", () => {
    const r = parse("model m { input x [2] }", "m.nnd");
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ code: "NND1001", span: { line: 1, column: 19 } });
    expect(r.diagnostics[0]!.message).toBe(`expected ":"; found '['`);
  });

  it("are reported for every declaration, not just the first", () => {
    expect(codes("fn f(x) = x +\nfn g(x) = (x\ndim H = 4\nfn h(x) = )\n")).toEqual([
      "NND1001@2:1",
      "NND1001@3:1",
      "NND1001@4:11",
    ]);
  });

  it("name the end of the file", () => {
    expect(parse("fn f(x) =").diagnostics[0]!.message).toMatch(/found the end of the file$/);
  });
});

describe("file encodings", () => {
  it("accepts a byte order mark and Windows line ends", () => {
    const r = parse("\uFEFFdim H = 4\r\nfn f(x) = x # c\r\n");
    expect(r.diagnostics).toEqual([]);
    expect(r.program.decls[1]!.span).toMatchObject({ line: 2, column: 1 });
    expect(r.program.comments[0]!.text).toBe("# c");
  });
});
