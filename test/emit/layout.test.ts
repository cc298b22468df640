// The generated module's layout (emit/layout.ts): what prettier would write,
// without running prettier on it (which took most of the compile time).

import { readdirSync, readFileSync } from "node:fs";
import prettier from "prettier";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/pipeline/compile.js";
import { expr } from "../../src/emit/ts-build.js";
import { bin, ref, type Expr } from "../../src/ir/ir.js";
import { front } from "../support/front.js";

const examples = readdirSync("examples").filter((f) => f.endsWith(".nnd"));
const compiled = async (file: string, hessian = false) =>
  (await compile(front(readFileSync(`examples/${file}`, "utf8"), file).checked!, { precision: "f64", source: file, hessian })).code;

describe("the generated module's layout", () => {
  it.each(examples)("of %s is TypeScript with two spaces a level, no empty statements and no −(x)", async (file) => {
    const code = await compiled(file, true);
    const source = ts.createSourceFile("m.ts", code, ts.ScriptTarget.ES2022, true);
    expect((source as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics).toEqual([]);
    const lines = code.split("\n");
    expect(lines.filter((l) => /^\s*;$/.test(l))).toEqual([]);
    expect(lines.filter((l) => /^( {2})* ?\S/.test(l) === false && l !== "")).toEqual([]);
    expect(lines.filter((l) => /-\([\w.[\]]+\)/.test(l))).toEqual([]);
  });

  // functions.nnd is left out: prettier breaks a parameter list before a
  // multi-line return type, which the module does not.
  it.each(examples.filter((f) => f !== "functions.nnd"))("of %s is prettier's, but for wrapping long lines", async (file) => {
    const code = await compiled(file, true);
    expect(await prettier.format(code, { parser: "typescript", printWidth: 1000 })).toBe(code);
  });

  it("of a module that defines every helper is prettier's, but for wrapping long lines", async () => {
    const source = [
      // One argument each: prettier breaks a parameter list before a multi-line return type (see above).
      "fn f(x) = sigmoid(x) + softplus(x) + relu(x) * sign(x) + leaky_relu(x, 0.1) + erf(x) + gelu(x) + max(x, 1) - min(x, 2) + x^(x + 1)",
      "fn g(v: [3]) = norm2(v) + sum(abs(v))",
      "fn h(x) = diff(f(x), x)",
    ].join("\n");
    const code = (await compile(front(source, "helpers.nnd").checked!, { precision: "f64", source: "helpers.nnd", hessian: true })).code;
    for (const helper of ["sigmoid", "softplus", "relu", "sign", "leakyRelu", "erf", "safeDiv", "safeMul", "powLog"]) expect(code).toContain(`function ${helper}(`);
    expect(await prettier.format(code, { parser: "typescript", printWidth: 1000 })).toBe(code);
  });
});

describe("expressions", () => {
  const printed = (e: Expr) => ts.createPrinter().printNode(ts.EmitHint.Expression, expr(e), ts.createSourceFile("e.ts", "", ts.ScriptTarget.ES2022));

  // TypeScript's printer takes * as associative and drops these parentheses; in
  // floating point (a b) c is another number than a (b c), and the WebAssembly
  // target, which keeps the IR's grouping, found the difference.
  it("keep the IR's grouping of a product", () => {
    expect(printed(bin("*", ref("a"), bin("*", ref("b"), ref("c"))))).toBe("a * (b * c)");
    expect(printed(bin("*", bin("*", ref("a"), ref("b")), ref("c")))).toBe("a * b * c");
    expect(printed(bin("+", ref("a"), bin("+", ref("b"), ref("c"))))).toBe("a + (b + c)");
  });
});
