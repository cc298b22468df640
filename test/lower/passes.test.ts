// The loop over a chunk's examples cut into passes (src/lower/passes.ts): for
// random networks, deep and wide enough that their hidden layers are lifted
// between passes, the generated code is well-typed IR and gives what the
// interpreter gives; and the plan of a known network is the one a reader
// would draw.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { typeProblems, type ModuleScope } from "../../src/ir/check.js";
import { generator, RANDOM_STATE } from "../../src/lower/init.js";
import { helpers } from "../../src/lower/scalar-ops.js";
import { compile } from "../../src/pipeline/compile.js";
import { expectAgreesWithInterpreter } from "../support/agree.js";
import { front } from "../support/front.js";
import { generate } from "../support/generated.js";

interface Net {
  readonly inputs: number;
  readonly layers: readonly { readonly width: number; readonly act: string }[];
  readonly outputs: number;
  readonly loss: string;
  /** A penalty on a hidden layer, read in a later pass than its own. */
  readonly penalty: "none" | "sum" | "entry";
}

function source(net: Net): string {
  const widths = [net.inputs, ...net.layers.map((l) => l.width)];
  const lines = [`model net {`, `  input  x: [${net.inputs}]`, `  target y: [${net.outputs}]`];
  net.layers.forEach((l, k) => lines.push(`  param W${k + 1}: [${l.width}, ${widths[k]}] ~ he`, `  param b${k + 1}: [${l.width}] ~ zeros`));
  lines.push(`  param V: [${net.outputs}, ${widths.at(-1)}] ~ xavier`, `  param c: [${net.outputs}] ~ zeros`);
  net.layers.forEach((l, k) => lines.push(`  h${k + 1} = ${l.act}(W${k + 1} @ ${k === 0 ? "x" : `h${k}`} + b${k + 1})`));
  const last = net.layers.length === 0 ? "x" : `h${net.layers.length}`;
  lines.push(`  z = V @ ${last} + c`, `  output z`);
  const penalty = net.layers.length === 0 || net.penalty === "none" ? "" : net.penalty === "sum" ? " + 0.001 * sum(h1 * h1)" : " + 0.01 * h1[0] * z[0]";
  lines.push(`  loss = ${net.loss}(z, y)${penalty}`, `}`);
  return lines.join("\n") + "\n";
}

const net: fc.Arbitrary<Net> = fc.record({
  inputs: fc.constantFrom(5, 20, 40),
  layers: fc.array(fc.record({ width: fc.constantFrom(3, 9, 17, 30), act: fc.constantFrom("relu", "tanh", "sigmoid", "softplus") }), { maxLength: 3 }),
  outputs: fc.constantFrom(1, 4, 11),
  loss: fc.constantFrom("softmax_cross_entropy", "mse", "bce_logits"),
  penalty: fc.constantFrom("none", "sum", "entry"),
});

const scope = (buffers: string[]): ModuleScope => ({ buffers, globals: new Map([[RANDOM_STATE.name, RANDOM_STATE.type]]), helpers: new Map([...generator, ...helpers]) });

describe("passes over a chunk's examples", () => {
  it("give well-typed code that agrees with the interpreter, for random networks", async () => {
    await fc.assert(
      fc.asyncProperty(net, fc.constantFrom(1, 3, 65), async (n, examples) => {
        const checked = front(source(n)).checked!;
        expect(checked, source(n)).toBeDefined();
        const { compiled } = await generate(checked);
        const model = compiled.models[0]!;
        expect(model.functions.flatMap((f) => typeProblems(f, scope(model.buffers.map((b) => b.name))))).toEqual([]);
        await expectAgreesWithInterpreter(checked, "net", examples);
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it("are planned forward then backward, each product between the passes that write and read it", async () => {
    const text = source({ inputs: 20, layers: [{ width: 30, act: "relu" }, { width: 30, act: "tanh" }], outputs: 11, loss: "mse", penalty: "none" });
    const c = await compile(front(text).checked!, { precision: "f64", source: "net.nnd", schedule: true });
    const table = c.schedules[0]!.split("\n");
    const lossAndGrad = table.slice(table.indexOf("  lossAndGrad"), table.indexOf("  forward"));
    const row = (label: string) => lossAndGrad.find((l) => l.startsWith(`    ${label} `))?.replace(/ +/g, " ").trim();
    // h₁ in pass 0; W₂ h₁ lifted, h₂ in pass 1; V h₂ lifted, z in pass 2; Vᵀ δ and W₂ᵀ δ₂ lifted, read in passes 3 and 4.
    expect([row("h₁"), row("W₂ h₁"), row("h₂"), row("z")]).toEqual([
      "h₁ [30] buffer net_h1_chunk per example, pass 0",
      "W₂ h₁ [30] buffer net_t2_chunk per chunk, pass 1",
      "h₂ [30] buffer net_h2_chunk per example, pass 1",
      "z [11] registers per example, pass 2",
    ]);
    expect(lossAndGrad.filter((l) => /per chunk, pass 4$/.test(l))).toHaveLength(1);
    expect(lossAndGrad.filter((l) => / {6}.*: /.test(l)).map((l) => l.split(": ")[1]!.split(" ").slice(0, 2).join(" "))).toEqual([
      "forward product", "forward product", "forward product", "transposed product", "transposed product", "weight gradient", "weight gradient", "weight gradient",
    ]);
  });
});
