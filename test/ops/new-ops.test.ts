// erf, gelu, max and min, each added as one catalog entry (src/ops/), end to
// end: the generated code and the reference interpreter give PyTorch's
// values, first and second derivatives (float64, computed live), at ordinary
// and extreme arguments and at ties; the module's erf equals the
// interpreter's to the last bit and is within 2e-15 of the true erf.

import { describe, expect, it } from "vitest";
import type { CheckedProgram } from "../../src/check/checked.js";
import { Deriver } from "../../src/pipeline/derive.js";
import { evaluate } from "../../src/graph/evaluate.js";
import type { GeneratedFn } from "../../src/pipeline/load.js";
import { erf } from "../../src/ops/special.js";
import { front } from "../support/front.js";
import { generate } from "../support/generated.js";
import { NO_TORCH, runTorch, torchPython } from "../support/python.js";
import { flat, torchDerivatives, type TorchResult, type Value } from "../support/torch-derivatives.js";
import { close } from "../support/values.js";

const python = torchPython();

interface Case {
  readonly nnd: string;
  readonly args: string;
  readonly torch: string;
  readonly at: readonly (readonly Value[])[];
}

const cases: Record<string, Case> = {
  erf: { nnd: "erf(x)", args: "x", torch: "lambda x: torch.erf(x)", at: [[0], [1e-10], [-0.3], [1], [2.4999], [2.5], [3], [-4.5], [5.9], [6.5], [-27], [1000], [-1000]] },
  gelu: { nnd: "gelu(x)", args: "x", torch: "lambda x: F.gelu(x)", at: [[0], [-0.5], [1], [3], [-5], [-10], [-30], [30], [1000], [-1000]] },
  max: { nnd: "max(x, y)", args: "x, y", torch: "lambda x, y: torch.maximum(x, y)", at: [[1, 2], [2, 1], [1, 1], [-3, -3], [1000, -1000]] },
  min: { nnd: "min(x, y)", args: "x, y", torch: "lambda x, y: torch.minimum(x, y)", at: [[1, 2], [2, 1], [1, 1], [0, 0]] },
  max_broadcast: {
    nnd: "sum(max(v, 0))",
    args: "v: [4]",
    torch: "lambda v: torch.maximum(v, torch.tensor(0.0, dtype=torch.float64)).sum()",
    at: [[[-1, 0, 0.5, 2]]],
  },
  min_vectors: { nnd: "dot(min(u, w), u)", args: "u: [3], w: [3]", torch: "lambda u, w: (torch.minimum(u, w) * u).sum()", at: [[[1, -2, 3], [1, 0, 4]]] },
};

const names = Object.keys(cases);
const argNames = (k: string) => cases[k]!.args.split(",").map((a) => a.split(":")[0]!.trim());
const program = names
  .map((k, i) => `fn f${i}(${cases[k]!.args}) = ${cases[k]!.nnd}\nfn d${i}(${cases[k]!.args}) = diff(f${i}(${argNames(k).join(", ")}), ${argNames(k)[0]})`)
  .join("\n");

const asInput = (v: Value) => (typeof v === "number" ? v : Float64Array.from(flat(v)));
const asValue = (v: number | Float64Array | Float32Array) => (typeof v === "number" ? v : Float64Array.from(v));

function expectSame(got: Value | Float64Array, want: Value, what: string) {
  const g = flat(got);
  const w = flat(want);
  expect(g.length, what).toBe(w.length);
  expect(
    g.every((x, i) => close(x, w[i]!, 1e-12, 1e-300)),
    `${what}\n nndc    ${g.join(", ")}\n PyTorch ${w.join(", ")}`,
  ).toBe(true);
}

let prepared: Promise<{ checked: CheckedProgram; module: Record<string, unknown>; exports: ReadonlyMap<string, string> }> | undefined;
const prepare = () =>
  (prepared ??= (async () => {
    const checked = front(program).checked!;
    expect(checked, program).toBeDefined();
    const { compiled, module } = await generate(checked);
    return { checked, module, exports: compiled.exports };
  })());

describe.skipIf(python === undefined)(`erf, gelu, max and min against PyTorch${python === undefined ? ` (${NO_TORCH})` : ""}`, () => {
  const results = () => {
    const jobs = names.flatMap((k) => cases[k]!.at.flatMap((args) => [{ mode: "grad" as const, f: cases[k]!.torch, args }, { mode: "second" as const, f: cases[k]!.torch, args }]));
    const all = torchDerivatives(python!, jobs);
    let next = 0;
    return names.map((k) => cases[k]!.at.map((): [TorchResult, TorchResult] => [all[next++]!, all[next++]!]));
  };
  let wants: ReturnType<typeof results> | undefined;

  it.each(names)("%s: value, first and second derivatives", async (name) => {
    wants ??= results();
    const { checked, module, exports } = await prepare();
    const i = names.indexOf(name);
    const f = module[exports.get(`f${i}`)!] as GeneratedFn;
    const d = module[exports.get(`d${i}`)!] as GeneratedFn;
    const deriver = new Deriver(checked);
    cases[name]!.at.forEach((args, j) => {
      const where = `${name} at (${args.map((a) => JSON.stringify(a)).join(", ")})`;
      const [first, second] = wants![i]![j]!;
      const inputs = args.map(asInput);
      expectSame(asValue(f.value(...inputs)), first.value, `${where}: value`);
      argNames(name).forEach((a, k) => expectSame(asValue(f.grad(...inputs)[a]!), first.grads[k]!, `${where}: ∂/∂${a}`));
      argNames(name).forEach((a, k) => expectSame(asValue(d.grad(...inputs)[a]!), second.grads[k]!, `${where}: second derivative, ∂/∂${a}`));
      // The reference interpreter gives the generated code's value.
      const env = new Map(argNames(name).map((n, k) => [n, { shape: typeof args[k] === "number" ? [] : [flat(args[k]!).length], data: Float64Array.from(flat(args[k]!)) }]));
      expectSame(evaluate([deriver.fn(`f${i}`).value], env)[0]!.data, first.value, `${where}: interpreter`);
    });
  });

  it("the module's erf is the interpreter's, bit for bit, and within 2e-15 of Python's math.erf", async () => {
    const { module, exports } = await prepare();
    const f = module[exports.get(`f${names.indexOf("erf")}`)!] as GeneratedFn;
    const xs = Array.from({ length: 2001 }, (_, k) => -7 + (14 * k) / 2000).concat([1e-300, -1e-20, 2.5, -2.5, 6, -6]);
    const exact = runTorch(python!, "import math\nout([math.erf(x) for x in data])", xs) as number[];
    xs.forEach((x, k) => {
      const generated = f.value(x) as number;
      expect(Object.is(generated, erf(x)), `erf(${x}): module ${generated}, interpreter ${erf(x)}`).toBe(true);
      expect(close(generated, exact[k]!, 2e-15, 0), `erf(${x}) = ${generated}, math.erf ${exact[k]}`).toBe(true);
    });
    expect([f.value(Infinity), f.value(-Infinity)]).toEqual([1, -1]);
    expect(Number.isNaN(f.value(NaN) as number)).toBe(true);
  });
});
