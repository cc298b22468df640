// End to end: grad, explain, graph and gradcheck as a user runs them. Printed
// formulas are golden files (UPDATE_GOLDEN=1 rewrites them; review the diff);
// LaTeX must parse with KaTeX and dot with a dot parser.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import parseDot from "dotparser";
import katex from "katex";
import { describe, expect, it } from "vitest";

function nndc(args: string[]) {
  const r = spawnSync(process.execPath, ["dist/cli/main.js", ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?/);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const golden: [string, string[]][] = [
  ["grad-xor", ["grad", "examples/xor.nnd"]],
  ["grad-xor-latex", ["grad", "examples/xor.nnd", "--latex"]],
  ["grad-linear", ["grad", "examples/linear_regression.nnd"]],
  ["grad-logistic", ["grad", "examples/logistic_regression.nnd"]],
  ["grad-iris", ["grad", "examples/iris.nnd"]],
  ["grad-digits", ["grad", "examples/digits.nnd"]],
  ["grad-mnist", ["grad", "examples/mnist.nnd"]],
  ["grad-fn-h", ["grad", "examples/functions.nnd", "--fn", "h"]],
  ["grad-fn-quad", ["grad", "examples/functions.nnd", "--fn", "quad"]],
  ["grad-fn-hess", ["grad", "examples/functions.nnd", "--fn", "hess_quad"]],
  ["grad-fn-rosenbrock-y", ["grad", "examples/functions.nnd", "--fn", "rosenbrock", "--wrt", "y"]],
  ["explain-fn-h", ["explain", "examples/functions.nnd", "--fn", "h", "--wrt", "x"]],
  ["explain-fn-quotient", ["explain", "examples/functions.nnd", "--fn", "quotient"]],
  ["explain-xor-W1", ["explain", "examples/xor.nnd", "--wrt", "W1"]],
  ["graph-xor-dot", ["graph", "examples/xor.nnd"]],
  ["graph-xor-mermaid", ["graph", "examples/xor.nnd", "--format", "mermaid"]],
];

describe("printed derivatives (golden)", () => {
  it.each(golden)("%s", (name, args) => {
    const r = nndc(args);
    expect(r.status, r.stderr).toBe(0);
    const file = `test/fixtures/cli/${name}.txt`;
    if (process.env["UPDATE_GOLDEN"] || !existsSync(file)) writeFileSync(file, r.stdout);
    expect(r.stdout).toBe(readFileSync(file, "utf8"));
  });

  it("the XOR gradient reads like the textbook", () => {
    const out = nndc(["grad", "examples/xor.nnd"]).stdout;
    expect(out).toContain("δ₂ = ŷ − y");
    expect(out).toContain("δ₁ = (δ₂ w₂) ⊙ (1 − h²)");
    expect(out).toContain("∂L/∂W₁ = δ₁ xᵀ + 0.0002 W₁");
    expect(out).toContain("∂L/∂w₂ = δ₂ h");
    expect(out).toContain("∂L/∂b₂ = δ₂");
  });

  it("explain shows the chain rule for h(x) = f(g(x))", () => {
    const out = nndc(["explain", "examples/functions.nnd", "--fn", "h", "--wrt", "x"]).stdout;
    expect(out).toContain("d/dx f(g(x)) = f'(g(x)) * d/dx g(x)");
    expect(out).toContain("∂h/∂x = exp(x)² / √(1 + exp(x)²)");
  });
});

describe("formats other programs read", () => {
  const models = ["xor", "linear_regression", "logistic_regression", "iris", "digits", "mnist"];

  it.each(models)("grad --latex of %s parses with KaTeX", (model) => {
    const latex = nndc(["grad", `examples/${model}.nnd`, "--latex"]).stdout;
    expect(() => katex.renderToString(latex, { displayMode: true, throwOnError: true })).not.toThrow();
  });

  it.each(["h", "dh", "quad", "hess_quad", "jac_softmax", "d2f", "dsigmoid", "rosenbrock"])("grad --latex of fn %s parses with KaTeX", (fn) => {
    const latex = nndc(["grad", "examples/functions.nnd", "--fn", fn, "--latex"]).stdout;
    expect(() => katex.renderToString(latex, { displayMode: true, throwOnError: true })).not.toThrow();
  });

  it.each(models)("graph of %s is valid dot, with forward and backward clusters", (model) => {
    const dot = nndc(["graph", `examples/${model}.nnd`]).stdout;
    const [graph] = parseDot(dot);
    expect(graph!.type).toBe("digraph");
    const clusters = graph!.children.filter((c) => c.type === "subgraph").map((c) => (c as { id?: string | number }).id);
    expect(clusters).toEqual(["cluster_forward", "cluster_backward"]);
  });
});

describe("gradcheck", () => {
  it.each(["xor", "linear_regression", "logistic_regression", "iris", "digits", "mnist", "functions"])("passes on %s", (example) => {
    const r = nndc(["gradcheck", `examples/${example}.nnd`]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/All \d+ (checked )?derivatives agree with finite differences\.\n/);
  });
});

describe("bad command lines and names", () => {
  it.each([
    [["grad", "examples/xor.nnd", "--model", "xro"], 2, /NND3005: examples\/xor.nnd has no model 'xro'; did you mean 'xor'\? \(it has: xor\)/],
    [["grad", "examples/xor.nnd", "--wrt", "W3"], 2, /NND3006: --wrt W3: model 'xor' has no variable 'W3'; did you mean 'W1'\?/],
    [["grad", "examples/functions.nnd"], 2, /NND3007: .*it has no model; name a fn with --fn/],
    [["explain", "examples/functions.nnd", "--fn", "nope"], 2, /NND3005/],
    [["graph", "examples/xor.nnd", "--format", "png"], 2, /Allowed choices are dot, mermaid/],
    [["grad", "examples/xor.nnd", "--model", "xor", "--fn", "f"], 2, /cannot be used with/],
    [["explain", "examples/functions.nnd", "--fn", "rosenbrock"], 2, /explain needs --wrt \(one of: x, y\)/],
  ])("nndc %j exits %i", (args, status, message) => {
    const r = nndc(args);
    expect(r.status).toBe(status);
    expect(r.stderr).toMatch(message);
  });
});
