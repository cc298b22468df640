// A model's init(seed) and zeros(), as loop IR, and the seeded generator
// they draw from: mulberry32 (small, fast, and the same sequence on every
// target, since it is integer arithmetic spelled with the IR's wrapping
// intrinsics), with Box–Muller for normal numbers. Its state is one i32 of
// the module's; init sets it from the seed, so the same seed gives the same
// weights whatever ran before.

import type { Init } from "../check/checked.js";
import { sizeOf as size, type Shape } from "../tensor/shape.js";
import { bin, call, callsOf, cast, decl, intrinsic, num, ref, type Expr, type Field, type Func, type Global, type Helper, type Stmt } from "../ir/ir.js";
import type { Variable } from "./model.js";

export const RANDOM_STATE: Global = { name: "randomState", type: "i32", init: 0 };

const state = ref(RANDOM_STATE.name);
const t = ref("t");
const xorShift = (x: Expr, by: number) => intrinsic("xor", x, intrinsic("shr_u", x, num(by)));

/** A uniform number in [0, 1), advancing the state. */
const random: Helper = {
  name: "random",
  params: [],
  body: [
    { k: "set", name: RANDOM_STATE.name, op: "=", value: intrinsic("iadd", state, num(0x6d2b79f5)) },
    decl("t", intrinsic("imul", xorShift(state, 15), intrinsic("or", state, num(1))), { mutable: true, type: "i32" }),
    { k: "set", name: "t", op: "=", value: intrinsic("xor", intrinsic("iadd", t, intrinsic("imul", xorShift(t, 7), intrinsic("or", t, num(61)))), t) },
    { k: "return", value: bin("/", cast("f64", xorShift(t, 14), true), num(4294967296)) },
  ],
};

/** A standard normal number from two uniform ones (Box–Muller). */
const gaussian: Helper = {
  name: "gaussian",
  params: [],
  body: bin("*", intrinsic("sqrt", bin("*", num(-2), intrinsic("log", bin("-", num(1), call("random"))))), intrinsic("cos", bin("*", num(2 * Math.PI), call("random")))),
};

/** The generator's functions, by name; calls to them have an effect (they advance the state). */
export const generator: ReadonlyMap<string, Helper> = new Map([random, gaussian].map((h) => [h.name, h]));

/** The value of one entry of a parameter at initialisation. */
function initValue(init: Init, shape: Shape): Expr {
  const fanIn = shape.length === 2 ? shape[1]! : (shape[0] ?? 1);
  const fanOut = shape[0] ?? 1;
  const uniform = (lo: number, hi: number): Expr => bin("+", num(lo), bin("*", num(hi - lo), call("random")));
  const normal = (mean: number, std: number): Expr => bin("+", num(mean), bin("*", num(std), call("gaussian")));
  switch (init.scheme) {
    case "zeros":
      return num(0);
    case "ones":
      return num(1);
    case "const":
      return num(init.args[0]!);
    case "normal":
      return normal(init.args[0]!, init.args[1]!);
    case "uniform":
      return uniform(init.args[0]!, init.args[1]!);
    case "xavier": {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      return uniform(-limit, limit);
    }
    case "he":
      return normal(0, Math.sqrt(2 / fanIn));
  }
}

const fieldsOf = (params: readonly Variable[]): Field[] => params.map((p) => ({ key: p.name, local: p.ident, kind: "buffer" }));

/** init(seed): every parameter drawn as its initialiser says; the generator's helpers it calls go to `used`. */
export function lowerInit(params: readonly (Variable & { readonly init: Init })[], used: Set<string>): Func {
  const values = params.map((p) => initValue(p.init, p.shape));
  const called = new Set<string>();
  for (const v of values) callsOf(v, called);
  // gaussian draws from random.
  const draws = called.size > 0;
  for (const name of draws ? ["random", ...called] : []) used.add(name);
  const body: Stmt[] = [
    ...(draws ? [{ k: "set", name: RANDOM_STATE.name, op: "=", value: cast("i32", ref("seed")) } as const] : []),
    ...params.flatMap((p, i): Stmt[] => [
      { k: "alloc", name: p.ident, size: num(size(p.shape)) },
      // New buffers are zeros already.
      ...(p.init.scheme === "zeros" ? [] : [{ k: "for", index: "k", from: num(0), to: num(size(p.shape)), body: [{ k: "store", array: p.ident, at: ref("k"), op: "=", value: values[i]! }] } as const]),
    ]),
  ];
  return { name: "init", params: [{ k: "scalar", name: "seed", type: "f64" }], result: { k: "group", role: "params", fields: fieldsOf(params) }, body };
}

/** zeros(): parameters of zeros, for an optimizer's state. */
export function lowerZeros(params: readonly Variable[]): Func {
  return { name: "zeros", params: [], result: { k: "group", role: "params", fields: fieldsOf(params) }, body: params.map((p) => ({ k: "alloc", name: p.ident, size: num(size(p.shape)) })) };
}
