// Lowering as golden pairs, in esbuild's style: a .nnd snippet in, one
// function of loop IR out, printed by src/ir/print.ts. A change to lowering
// shows here as a change of a few lines anyone can read.

import { describe, expect, it } from "vitest";
import { printFunc } from "../../src/ir/print.js";
import { compile } from "../../src/pipeline/compile.js";
import { front } from "../support/front.js";

async function lowered(source: string, func: string): Promise<string> {
  const checked = front(source).checked!;
  const c = await compile(checked, { precision: "f64", source: "t.nnd" });
  const fn = [...c.models.flatMap((m) => m.functions), ...c.fns.flatMap((f) => f.functions)].find((f) => f.name === func)!;
  return printFunc(fn);
}

const expectLowered = async (source: string, func: string, ...lines: string[]) => expect(await lowered(source, func)).toBe(lines.join("\n"));

const model = (init: string) => `model m {
  input x: [2]
  target y: []
  param w: [2] ~ ${init}
  param b: [] ~ zeros
  p = dot(w, x) + b
  output p
  loss = (p - y)^2
}`;

describe("lowering a fn", () => {
  it("a scalar's value and derivative", async () => {
    await expectLowered("fn f(x) = x * x", "value", "value(x: f64) -> f64 {", "  const s1: f64 = x * x", "  const value: f64 = s1", "  return value", "}");
    await expectLowered("fn f(x) = x * x", "grad", "grad(x: f64) -> gradients {x as d_x: f64} {", "  const s2: f64 = 2 * x", "  const d_x: f64 = s2", "}");
  });

  it("a shared subexpression is computed once", async () => {
    await expectLowered(
      "fn f(x, y) = exp(x) * y",
      "grad",
      "grad(x: f64, y: f64) -> gradients {x as d_x: f64, y as d_y: f64} {",
      "  const s3: f64 = exp(x)",
      "  const s4: f64 = y * s3",
      "  const d_x: f64 = s4",
      "  const d_y: f64 = s3",
      "}",
    );
  });

  it("a vector argument: a sum as an accumulating loop, a gradient as a new buffer", async () => {
    await expectLowered("fn f(v: [3]) = sum(v * v)", "value", "value(v: buffer) -> f64 {", "  let s1_sum: f64 = 0", "  for i0 in 0 .. 3 {", "    s1_sum += v[i0] * v[i0]", "  }", "  const s1: f64 = s1_sum", "  const value: f64 = s1", "  return value", "}");
    await expectLowered("fn f(v: [3]) = sum(v * v)", "grad", "grad(v: buffer) -> gradients {v as d_v} {", "  d_v = buffer(3)", "  for i0 in 0 .. 3 {", "    d_v[i0] = 2 * v[i0]", "  }", "}");
  });
});

describe("lowering a model", () => {
  it("init: the generator seeded, then each parameter drawn as its initialiser says", async () => {
    await expectLowered(
      model("uniform(-1, 1)"),
      "init",
      "init(seed: f64) -> params {w, b} {",
      "  randomState = i32(seed)",
      "  w = buffer(2)",
      "  for k in 0 .. 2 {",
      "    w[k] = -1 + 2 * random()",
      "  }",
      "  b = buffer(1)",
      "}",
    );
    await expectLowered(model("zeros"), "init", "init(seed: f64) -> params {w, b} {", "  w = buffer(2)", "  b = buffer(1)", "}");
  });

  it("forward: per example, small loops unrolled and parameters read once into locals", async () => {
    await expectLowered(
      model("zeros"),
      "forward",
      "forward(params: params {w, b}, batch: inputs {x, y}, n: i32) -> outputs {p as out_p} {",
      "  out_p = buffer(n * 1)",
      "  const w_0_2: f64 = w[0]",
      "  const w_1_2: f64 = w[1]",
      "  const b_0_2: f64 = b[0]",
      "  for i in 0 .. n {",
      "    const x_at: i32 = i * 2",
      "    let s4_sum: f64 = 0",
      "    s4_sum += w_0_2 * x[x_at]",
      "    s4_sum += w_1_2 * x[x_at + 1]",
      "    const s4: f64 = s4_sum",
      "    // p = w · x + b  (t.nnd:6)",
      "    const p_2: f64 = s4 + b_0_2",
      "    out_p[i] = p_2",
      "  }",
      "}",
    );
  });

  it("lossAndGrad: the loss and gradient summed over the examples, then scaled by 1/n", async () => {
    const text = await lowered(model("zeros"), "lossAndGrad");
    const lines = text.split("\n");
    expect(lines[0]).toBe("lossAndGrad(params: params {w, b}, batch: batch {x, y}, n: i32, grads: gradients {w as d_w, b as d_b}) -> f64 {");
    expect(lines).toContain("    d_w_0 += 2 * (s2 * x[x_at])");
    expect(lines.slice(-10)).toEqual([
      "  }",
      "  const inverseN: f64 = 1 / f64(n)",
      "  d_w_0 *= inverseN",
      "  d_w_1 *= inverseN",
      "  d_w[0] = d_w_0",
      "  d_w[1] = d_w_1",
      "  d_b_0 *= inverseN",
      "  d_b[0] = d_b_0",
      "  return lossSum * inverseN + lossOnce",
      "}",
    ]);
  });
});
