// Small loops unrolled and small constant-indexed arrays as locals
// (src/lower/unroll.ts): what the pass does to loop IR, and that the code it
// makes for networks on either side of its limits computes what the
// interpreter does.

import { describe, expect, it } from "vitest";
import { arraysOf } from "../../src/lower/liveness.js";
import { bin, load, loop, num, ref, type Stmt } from "../../src/ir/ir.js";
import { straighten } from "../../src/lower/unroll.js";
import { scalarTuning } from "../../src/lower/tuning.js";

const SMALL_TRIP = scalarTuning.unroll.trips;
import { Renamer } from "../../src/lower/names.js";
import { expectAgreesWithInterpreter } from "../support/agree.js";
import { front } from "../support/front.js";
import { generate } from "../support/generated.js";

const options = (scratch: string[], outside: string[] = []) => {
  const renamer = new Renamer();
  renamer.reserve("x", "t", "s", "G", "i", "k", "n", ...scratch, ...outside);
  return { scratch: new Set(scratch), outside: new Set(outside), fresh: (base: string) => renamer.fresh(base), limits: scalarTuning.unroll };
};
const loops = (body: readonly Stmt[]): number => body.reduce((a, s) => a + (s.k === "for" ? 1 + loops(s.body) : s.k === "if" ? loops(s.body) : 0), 0);
const touches = (body: readonly Stmt[], array: string) => body.some((s) => arraysOf(s).has(array));

describe("straighten", () => {
  it("unrolls a small loop, folding its counter into the indices, and turns its scratch array into locals", () => {
    // t[k] = x[k] * 2 for k < 3; s = t[0] + t[1] + t[2]
    const body: Stmt[] = [
      loop("k", 3, [{ k: "store", array: "t", at: ref("k"), op: "=", value: bin("*", load("x", ref("k")), num(2)) }]),
      { k: "decl", mutable: false, type: "f64", name: "s", init: bin("+", bin("+", load("t", num(0)), load("t", num(1))), load("t", num(2))) },
    ];
    const out = straighten(body, options(["t"]));
    expect(loops(out)).toBe(0);
    expect(touches(out, "t")).toBe(false);
    expect(out).toContainEqual({ k: "decl", mutable: true, type: "f64", name: "t_2", init: bin("*", load("x", num(2)), num(2)) });
  });

  it("renames the locals a loop body declares in every copy but the first", () => {
    const body: Stmt[] = [loop("k", 2, [{ k: "decl", mutable: false, type: "f64", name: "s", init: load("x", ref("k")) }, { k: "store", array: "x", at: ref("k"), op: "=", value: bin("*", ref("s"), ref("s")) }])];
    const out = straighten(body, options([]));
    const names = out.filter((s) => s.k === "decl").map((s) => (s as { name: string }).name);
    expect(new Set(names).size).toBe(2);
    expect(out[3]).toEqual({ k: "store", array: "x", at: num(1), op: "=", value: bin("*", ref(names[1]!), ref(names[1]!)) });
  });

  it(`leaves loops over more than ${SMALL_TRIP} values and loops with a bound known only at run time`, () => {
    const body: Stmt[] = [loop("k", SMALL_TRIP + 1, [{ k: "store", array: "x", at: ref("k"), op: "=", value: num(0) }]), loop("i", ref("n"), [{ k: "store", array: "x", at: ref("i"), op: "=", value: num(0) }])];
    expect(loops(straighten(body, options([])))).toBe(2);
  });

  it("keeps an array whose index is not a constant", () => {
    const body: Stmt[] = [loop("i", ref("n"), [{ k: "store", array: "t", at: ref("i"), op: "=", value: num(1) }]), { k: "store", array: "t", at: num(0), op: "=", value: num(2) }];
    expect(touches(straighten(body, options(["t"])), "t")).toBe(true);
  });

  it("reads an outside array into locals before its first use and writes it back after its last", () => {
    // G[0] += x[i] over the examples, then G[0] *= 0.5; then a return.
    const body: Stmt[] = [
      loop("i", ref("n"), [{ k: "store", array: "G", at: num(0), op: "+=", value: load("x", ref("i")) }]),
      { k: "store", array: "G", at: num(0), op: "*=", value: num(0.5) },
      { k: "return", value: num(0) },
    ];
    const out = straighten(body, options([], ["G"]));
    expect(out[0]).toEqual({ k: "decl", mutable: true, type: "f64", name: "G_0", init: load("G", num(0)) });
    expect(out.at(-2)).toEqual({ k: "store", array: "G", at: num(0), op: "=", value: ref("G_0") });
    expect(out.at(-1)).toEqual({ k: "return", value: num(0) });
  });
});

const mlp = (inputs: number, hidden: number, outputs: number) => `
model net {
  input  x: [${inputs}]
  target y: [${outputs}]
  param W1: [${hidden}, ${inputs}] ~ xavier
  param b1: [${hidden}] ~ zeros
  param W2: [${outputs}, ${hidden}] ~ xavier
  param b2: [${outputs}] ~ zeros
  h = tanh(W1 @ x + b1)
  z = W2 @ h + b2
  output z
  loss = softmax_cross_entropy(z, y) + 0.001 * sum(W1^2)
}
`;

describe.each([
  [3, SMALL_TRIP, 2],
  [3, SMALL_TRIP + 1, 2],
  [SMALL_TRIP + 1, 4, 3],
])("a %i-%i-%i network", (inputs, hidden, outputs) => {
  const checked = front(mlp(inputs, hidden, outputs)).checked!;
  it.each([1, 5])("agrees with the interpreter on %i examples", (n) => expectAgreesWithInterpreter(checked, "net", n));
});

it("XOR's step is straight-line code: one loop (over the examples), no scratch arrays", async () => {
  const { compiled } = await generate(front(mlp(2, 4, 1)).checked!);
  const step = compiled.code.slice(compiled.code.indexOf("lossAndGrad("), compiled.code.indexOf("forward("));
  expect(step.match(/\bfor \(/g)).toHaveLength(1);
  // Scratch lives in module-level arrays; there is none left.
  expect(compiled.code).not.toMatch(/^const \w+ = new Float64Array/m);
});
