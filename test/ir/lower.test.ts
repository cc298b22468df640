// Lowering as golden pairs, in esbuild's style: a .nnd snippet in, one
// function of loop IR out, printed by src/ir/print.ts. A change to lowering
// shows here as a change of a few lines anyone can read.

import { describe, expect, it } from "vitest";
import { printFunc } from "../../src/ir/print.js";
import { compile } from "../../src/pipeline/compile.js";
import type { Target } from "../../src/emit/target.js";
import { typescript } from "../../src/emit/typescript.js";
import { front } from "../support/front.js";

async function lowered(source: string, func: string, target?: Target): Promise<string> {
  const checked = front(source).checked!;
  const c = await compile(checked, { precision: "f64", source: "t.nnd", ...(target === undefined ? {} : { target }) });
  const fn = [...c.models.flatMap((m) => m.functions), ...c.fns.flatMap((f) => f.functions)].find((f) => f.name === func)!;
  return printFunc(fn);
}

const expectLowered = async (source: string, func: string, ...lines: string[]) => expect(await lowered(source, func)).toBe(lines.join("\n"));
const expectLoweredFor = async (target: Target, source: string, func: string, ...lines: string[]) => expect(await lowered(source, func, target)).toBe(lines.join("\n"));

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

describe("lowering a model's hidden layers over chunks", () => {
  // Every product lifted, chunks of 4, nothing unrolled: the structure shows whole.
  const lifting: Target = { ...typescript, tuning: { ...typescript.tuning, liftFrom: 1, unroll: { trips: 0, statements: 0, arrayEntries: 0 }, chunk: 4, forwardBlock: { rows: 1, examples: 1 } } };
  const twoLayers = `model m {
  input x: [2]
  param W1: [2, 2] ~ zeros
  param W2: [1, 2] ~ zeros
  h = relu(W1 @ x)
  z = W2 @ h
  output z
  loss = sum(z)
}`;

  it("forward: W₁ X for the chunk, a pass for h, W₂ H for the chunk, a pass for the outputs", async () => {
    await expectLoweredFor(
      lifting,
      twoLayers,
      "forward",
      "forward(params: params {W1, W2}, batch: inputs {x}, n: i32) -> outputs {z as out_z} {",
      "  out_z = buffer(n * 1)",
      "  for chunk_2 in 0 .. n by 4 {",
      "    const m_3: i32 = imin(4, n - chunk_2)",
      "    // W₁ x, for every example of the chunk",
      "    product m_t6_chunk[i + 2j] = Σ_k W1[2i + k] · x[chunk_2 * 2 + 2j + k], i < 2, j < m_3, k < 2 {",
      "      const whole_4: i32 = m_3",
      "      for i4 in 0 .. 2 {",
      "        for i5 in 0 .. whole_4 {",
      "          let s_4: f64 = 0",
      "          for i6 in 0 .. 2 {",
      "            s_4 += W1[i4 * 2 + i6] * x[chunk_2 * 2 + i5 * 2 + i6]",
      "          }",
      "          m_t6_chunk[i5 * 2 + i4] = s_4",
      "        }",
      "      }",
      "    }",
      "    for i in chunk_2 .. chunk_2 + m_3 {",
      "      const row_2: i32 = i - chunk_2",
      "      // h = relu(W₁ x)  (t.nnd:5)",
      "      for i0 in 0 .. 2 {",
      "        m_h_chunk_3[row_2 * 2 + i0] = relu(m_t6_chunk[row_2 * 2 + i0])",
      "      }",
      "    }",
      "    // z, for every example of the chunk",
      "    product m_z_chunk_2[i + j] = Σ_k W2[2i + k] · m_h_chunk_3[2j + k], i < 1, j < m_3, k < 2 {",
      "      const whole_3: i32 = m_3",
      "      for i2 in 0 .. whole_3 {",
      "        let s_3: f64 = 0",
      "        for i3 in 0 .. 2 {",
      "          s_3 += W2[i3] * m_h_chunk_3[i2 * 2 + i3]",
      "        }",
      "        m_z_chunk_2[i2] = s_3",
      "      }",
      "    }",
      "    for i in chunk_2 .. chunk_2 + m_3 {",
      "      const row_2: i32 = i - chunk_2",
      "      for i1 in 0 .. 1 {",
      "        out_z[i + i1] = m_z_chunk_2[row_2 + i1]",
      "      }",
      "    }",
      "  }",
      "}",
    );
  });
});
