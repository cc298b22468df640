// A model's generated functions, as loop IR:
//   lossAndGrad(params, batch, n, grads): the mean loss over n examples, the
//     mean gradient written into grads; terms that depend only on parameters
//     (regularisers) are computed once per call, outside the loop over examples;
//   forward(params, batch, n): the outputs of every example.

import { sizeOf as size, type Shape } from "../tensor/shape.js";
import type { Init } from "../check/checked.js";
import { forwardBackwardFlops } from "../graph/flops.js";
import { reachable, type Node } from "../graph/node.js";
import { add, bin, cast, decl, intrinsic, loop, mul, num, ref, refsIn, type Expr, type Func, type GroupRole, type Param, type Stmt } from "../ir/ir.js";
import { lowerInit, lowerZeros } from "./init.js";
import { liftsOuter, withRegisters, type FunctionSchedule, type Placement } from "./schedule.js";
import { Kernel, flat, type Buffer, type Place } from "./kernel.js";
import type { Renamer } from "./names.js";
import { arraysOf, renameArrays, shareBuffers } from "./liveness.js";
import { straighten } from "./unroll.js";
import type { Tuning } from "./tuning.js";
import { Chunk, type Made } from "./chunk.js";
import { planPasses, type PassPlan } from "./passes.js";
import { contraction } from "./contraction.js";

export interface Variable {
  /** The user's name: a property name in the module's interface. */
  readonly name: string;
  /** The local identifier the generated code uses. */
  readonly ident: string;
  readonly shape: Shape;
}

export interface ModelInput {
  readonly name: string;
  readonly loss: Node;
  readonly outputs: readonly { readonly name: string; readonly node: Node }[];
  readonly params: readonly Node[];
  readonly inputs: readonly Node[];
  readonly targets: readonly Node[];
  readonly grads: readonly Node[];
  readonly inits: readonly Init[];
  readonly names: ReadonlyMap<Node, string>;
  readonly describe: (n: Node) => string | undefined;
  /** A node as a formula, for comments. */
  readonly formula: (n: Node) => string;
  /** When asked for: the Hessian as one Hessian-vector product, evaluated per basis direction. */
  readonly hessian?: HessianVectorProduct;
}

/** H v: a variable per parameter for the direction v, and (H v) per parameter. */
export interface HessianVectorProduct {
  readonly directions: readonly Node[];
  readonly products: readonly Node[];
}

export interface ModelCode {
  readonly name: string;
  readonly params: readonly (Variable & { readonly init: Init })[];
  readonly data: readonly Variable[];
  readonly outputs: readonly Variable[];
  readonly buffers: readonly Buffer[];
  /**
   * init(seed), zeros(), lossAndGrad(params, batch, n, grads),
   * forward(params, batch, n), and when asked for hessian(params, batch, n,
   * out) (the mean Hessian, row-major) and inputGrad (input-grad.ts).
   */
  readonly functions: readonly Func[];
  /** Where each value of lossAndGrad, forward (and hessian) lives and when it is computed (schedule.ts). */
  readonly schedule: readonly FunctionSchedule[];
  readonly stats: { readonly forwardFlops: number; readonly backwardFlops: number };
}

interface Term {
  readonly sign: 1 | -1;
  readonly node: Node;
}

/** The terms of a sum, through add, sub and neg. */
export function terms(n: Node, sign: 1 | -1 = 1): Term[] {
  if (n.op === "add") return [...terms(n.args[0]!, sign), ...terms(n.args[1]!, sign)];
  if (n.op === "sub") return [...terms(n.args[0]!, sign), ...terms(n.args[1]!, sign === 1 ? -1 : 1)];
  if (n.op === "neg") return terms(n.args[0]!, sign === 1 ? -1 : 1);
  return [{ sign, node: n }];
}

function perExampleNodes(roots: readonly Node[], data: readonly Node[]): Set<Node> {
  const set = new Set<Node>(data);
  for (const n of reachable(roots)) if (n.args.some((a) => set.has(a))) set.add(n);
  return set;
}

export function lowerModel(m: ModelInput, renamer: Renamer, helpersUsed: Set<string>, tuning: Tuning): ModelCode {
  const buffers: Buffer[] = [];
  /** Scratch arrays that share another's storage (liveness.ts), for the schedule. */
  const sharedAs = new Map<string, string>();
  const variable = (n: Node): Variable => ({ name: n.attrs.name!, ident: renamer.fresh(n.attrs.name!), shape: n.shape });
  const params = m.params.map((p, i) => ({ ...variable(p), init: m.inits[i]! }));
  const dataNodes = [...m.inputs, ...m.targets];
  const data = dataNodes.map(variable);
  const gradIdents = m.params.map((p) => renamer.fresh(`d_${p.attrs.name!}`));
  const example = renamer.fresh("i");
  const offsets = data.map((d) => renamer.fresh(`${d.ident}_at`));
  const perExampleBase = (roots: readonly Node[]) => perExampleNodes(roots, dataNodes);

  const places = (): Map<Node, Place> => {
    const p = new Map<Node, Place>();
    m.params.forEach((n, i) => p.set(n, { kind: "array", array: params[i]!.ident, offset: num(0) }));
    dataNodes.forEach((n, i) => p.set(n, { kind: "array", array: data[i]!.ident, offset: ref(offsets[i]!) }));
    return p;
  };
  /**
   * The passes of the loop body, their per-example scratch arrays sharing
   * storage where their lives do not overlap (the passes run one after
   * another, so a pass's scratch may reuse an earlier pass's).
   */
  const share = (passes: readonly (readonly Stmt[])[], outsideStmts: readonly Stmt[]): Stmt[][] => {
    const outside = new Set<string>();
    for (const st of outsideStmts) arraysOf(st, outside);
    const rename = shareBuffers(passes.flat(), outside, buffers);
    for (const [gone, kept] of rename) sharedAs.set(gone, kept);
    for (const gone of rename.keys()) buffers.splice(buffers.findIndex((b) => b.name === gone), 1);
    return passes.map((body) => body.map((st) => renameArrays(st, rename)));
  };
  const offsetDecls = (needed: ReadonlySet<Node>, body: readonly Stmt[]): Stmt[] => {
    const read = refsIn(body);
    return data.flatMap((d, i): Stmt[] => (needed.has(dataNodes[i]!) && read.has(offsets[i]!) ? [{ k: "decl", mutable: false, type: "i32", name: offsets[i]!, init: mul(ref(example), num(size(d.shape))) }] : []));
  };
  const exampleLoop = (body: Stmt[], needed: ReadonlySet<Node> = new Set(dataNodes)): Stmt => loop(example, ref("n"), [...offsetDecls(needed, body), ...body]);
  /**
   * The loop over examples in chunks of tuning.chunk examples, when products
   * were lifted out of it: `before` runs for each chunk ahead of its
   * examples, then each pass over them (`between` ahead of each pass after
   * the first), `after` once they are done.
   */
  const chunkedLoop = (c: Chunk, made: Made, passes: readonly Stmt[][], needed: ReadonlySet<Node> = new Set(dataNodes)): Stmt[] => {
    if (made.before.length === 0 && made.after.length === 0 && passes.length === 1) return [exampleLoop(passes[0]!, needed)];
    const pass = (body: Stmt[]): Stmt => ({ k: "for", index: example, from: ref(c.start), to: add(ref(c.start), ref(c.count)), body: [decl(c.row, bin("-", ref(example), ref(c.start)), { type: "i32" }), ...offsetDecls(needed, body), ...body] });
    const examples = passes.flatMap((body, p) => [...(made.between[p] ?? []), pass(body)]);
    return [{ k: "for", index: c.start, from: num(0), to: ref("n"), step: tuning.chunk, body: [decl(c.count, intrinsic("imin", num(tuning.chunk), bin("-", ref("n"), ref(c.start))), { type: "i32" }), ...made.before, ...examples, ...made.after] }];
  };
  /** A function's statements with small loops unrolled and small arrays as locals (see unroll.ts). */
  const straight = (body: readonly Stmt[]): Stmt[] =>
    straighten(body, { scratch: new Set(buffers.map((b) => b.name)), outside: new Set([...params.map((p) => p.ident), ...gradIdents]), fresh: (base) => renamer.fresh(base), baseOf: (array) => renamer.baseOf(array), limits: tuning.unroll });
  const newChunk = () =>
    new Chunk({ params: m.params, paramArrays: params.map((p) => p.ident), data: dataNodes, dataArrays: data.map((d) => d.ident), names: m.names, formula: m.formula, renamer, buffers, tuning });
  const l: Lowering = { m, renamer, helpersUsed, tuning, buffers, gradIdents, example, perExampleBase, places, share, exampleLoop, chunkedLoop, straight, newChunk };

  const lossAndGrad = lowerLossAndGrad(l);
  const forward = lowerForward(l);
  const hessian = m.hessian === undefined ? undefined : lowerHessian(l, m.hessian);
  const schedule = [scheduleOf("lossAndGrad", lossAndGrad.kernel, lossAndGrad.chunk, lossAndGrad.plan), scheduleOf("forward", forward.kernel, forward.chunk, forward.plan), ...(hessian === undefined ? [] : [scheduleOf("hessian", hessian.kernel, undefined, undefined)])];
  const outputs = forward.outputs;

  const flops = forwardBackwardFlops([m.loss], m.grads);
  // Scratch that became locals everywhere needs no storage.
  const stillUsed = new Set<string>();
  for (const st of [...lossAndGrad.body, ...forward.body, ...(hessian?.body ?? [])]) arraysOf(st, stillUsed);
  const n: Param = { k: "scalar", name: "n", type: "i32" };
  const paramsIn = group("params", "params", params);
  const batchIn = group("batch", "batch", data);
  const functions: Func[] = [
    lowerInit(params, helpersUsed),
    lowerZeros(params),
    { name: "lossAndGrad", params: [paramsIn, batchIn, n, group("grads", "gradients", params.map((p, k) => ({ ...p, ident: gradIdents[k]! })))], result: { k: "scalar", type: "f64" }, body: lossAndGrad.body },
    { name: "forward", params: [paramsIn, group("batch", "inputs", data), n], result: { k: "group", role: "outputs", fields: outputs.map((o) => ({ key: o.name, local: o.ident, kind: "buffer" })) }, body: forward.body },
    ...(hessian === undefined
      ? []
      : [{ name: "hessian", params: [paramsIn, batchIn, n, { k: "buffer", name: "out" } as const], result: { k: "none" }, body: hessian.body, doc: `The mean Hessian of the loss over all ${params.reduce((s, p) => s + size(p.shape), 0)} parameter entries (in the order of shapes, row-major), for Newton's method.` } as const]),
  ];
  return { name: m.name, params, data, outputs, buffers: buffers.filter((b) => stillUsed.has(b.name)), functions, schedule: schedule.map((x) => withRegisters(x, stillUsed, sharedAs)), stats: { forwardFlops: flops.forward, backwardFlops: flops.backward } };
}

/** What the functions of one model share while they are lowered. */
interface Lowering {
  readonly m: ModelInput;
  readonly renamer: Renamer;
  readonly helpersUsed: Set<string>;
  readonly tuning: Tuning;
  readonly buffers: Buffer[];
  readonly gradIdents: readonly string[];
  /** The loop counter over examples. */
  readonly example: string;
  readonly perExampleBase: (roots: readonly Node[]) => Set<Node>;
  /** Where the parameters and the data are read from. */
  readonly places: () => Map<Node, Place>;
  readonly share: (passes: readonly (readonly Stmt[])[], outside: readonly Stmt[]) => Stmt[][];
  readonly exampleLoop: (body: Stmt[], needed?: ReadonlySet<Node>) => Stmt;
  readonly chunkedLoop: (c: Chunk, made: Made, passes: readonly Stmt[][], needed?: ReadonlySet<Node>) => Stmt[];
  readonly straight: (body: readonly Stmt[]) => Stmt[];
  readonly newChunk: () => Chunk;
}

/** lossAndGrad: the mean loss, the mean gradient into grads; parameter-only terms once, outside the loop over examples. */
function lowerLossAndGrad(l: Lowering): { body: Stmt[]; kernel: Kernel; chunk: Chunk; plan: PassPlan } {
  const { m, renamer, tuning, gradIdents, perExampleBase, share, chunkedLoop, straight } = l;
  const lossTerms = terms(m.loss);
  const gradTerms = m.grads.map((g) => terms(g));
  const roots = [...lossTerms, ...gradTerms.flat()].map((t) => t.node);
  const perExample = perExampleBase(roots);
  const rootUses = new Map<Node, number>();
  for (const r of roots) rootUses.set(r, (rootUses.get(r) ?? 0) + 1);
  // A parameter's per-example terms are one statement; a weight gradient alone is summed per chunk (chunk.ts).
  const groups = gradTerms.map((ts) => ts.filter((t) => perExample.has(t.node)));
  const summedPerChunk = new Set(groups.flatMap((g, p) => (g.length === 1 && liftsOuter(g[0]!.node, m.params[p]!.shape, tuning.liftFrom) ? [g[0]!.node] : [])));
  const together = groups.filter((g) => g.length > 0 && !summedPerChunk.has(g[0]!.node)).map((g) => g.map((t) => t.node));
  const { kernel, chunk, plan } = chunkedKernel(l, roots, perExample, rootUses, summedPerChunk, together);
  // Its operands are read in their own passes (planned so): the product itself must never be stored.
  for (const n of summedPerChunk) if (!kernel.isInline(n)) throw new Error(`internal: the weight gradient ${m.formula(n)} is stored`);
  const passOf = (n: Node) => plan.passOf.get(n) ?? 0;
  const inLoop: Stmt[][] = [];
  const inPass = (p: number): Stmt[] => (inLoop[p] ??= []);
  const lossSum = renamer.fresh("lossSum");
  const lossOnce = renamer.fresh("lossOnce");
  const lossAfter: Stmt[] = [];
  for (const t of lossTerms) {
    kernel.ensure(t.node);
    const stmt: Stmt = { k: "set", name: perExample.has(t.node) ? lossSum : lossOnce, op: "+=", value: signed(t, kernel.elem(t.node, [])) };
    (perExample.has(t.node) ? inPass(passOf(t.node)) : lossAfter).push(stmt);
  }
  const gradAfter: Stmt[] = [];
  gradTerms.forEach((ts, p) => {
    const g = gradIdents[p]!;
    const shape = m.params[p]!.shape;
    const name = m.params[p]!.attrs.name!;
    // Per-example terms are summed in one loop; parameter-only terms once, after.
    const comment = (group: readonly Term[]) => `∂L/∂${name} += ${group.map((t) => `${t.sign < 0 ? "−" : ""}${m.formula(t.node)}`).join(" + ")}`;
    const lift = (t: Term, c: string | undefined): boolean => {
      const stores = chunk.liftOuter(kernel, t.sign, t.node, shape, g, num(0), c);
      for (const s of stores ?? []) inPass(passOf(s.node)).push(...s.stores);
      return stores !== undefined;
    };
    accumulate(kernel, ts, perExample, shape, g, num(0), (group) => inPass(Math.max(...group.map((t) => passOf(t.node)))), gradAfter, comment, lift, tuning.unroll.trips);
  });
  const chunkCode = chunk.made(kernel, plan.passOf);
  const passes = Array.from({ length: plan.count }, (_, p) => [...(kernel.passes[p] ?? []), ...(inLoop[p] ?? [])]);
  const inverse = renamer.fresh("inverseN");
  const body: Stmt[] = straight([
    ...gradIdents.map((g, p) => fill(kernel, g, m.params[p]!.shape, num(0))),
    ...kernel.hoisted,
    { k: "decl", mutable: true, type: "f64", name: lossSum, init: num(0) },
    { k: "decl", mutable: true, type: "f64", name: lossOnce, init: num(0) },
    ...chunkedLoop(chunk, chunkCode, share(passes, [...kernel.hoisted, ...lossAfter, ...gradAfter, ...chunkCode.before, ...chunkCode.between.flat(), ...chunkCode.after])),
    { k: "decl", mutable: false, type: "f64", name: inverse, init: bin("/", num(1), cast("f64", ref("n"))) },
    ...gradIdents.map((g, p) => scale(kernel, g, m.params[p]!.shape, ref(inverse))),
    ...lossAfter,
    ...gradAfter,
    { k: "return", value: add(bin("*", ref(lossSum), ref(inverse)), ref(lossOnce)) },
  ]);
  return { body, kernel, chunk, plan };
}

/**
 * A kernel for `roots` over a chunk of examples: the products worth it
 * lifted out of the loop over examples (before it, or between passes over
 * it), and the passes planned (passes.ts). A cut's operand is computed
 * whether or not anything else reads it.
 */
function chunkedKernel(l: Lowering, roots: readonly Node[], perExample: ReadonlySet<Node>, rootUses: ReadonlyMap<Node, number>, apart: ReadonlySet<Node>, together: readonly (readonly Node[])[]): { kernel: Kernel; chunk: Chunk; plan: PassPlan } {
  const { m, renamer, helpersUsed, tuning, buffers } = l;
  const nodes = reachable(roots);
  const chunk = l.newChunk();
  const placed = l.places();
  chunk.liftForward(nodes, placed);
  const cuts = chunk.liftHidden(nodes, placed, perExample);
  const plan = planPasses({ nodes, perExample, placed: new Set(placed.keys()), cuts, apart, together });
  const passes = plan.count === 1 ? {} : { passes: { ...plan, row: ref(chunk.row), rows: tuning.chunk } };
  const kernel = new Kernel({ nodes, places: placed, perExample, rootUses, names: m.names, renamer, buffers, helpersUsed, describe: m.describe, tuning, ...passes });
  for (const operand of cuts.values()) kernel.ensure(operand);
  return { kernel, chunk, plan };
}

/** forward: each example's outputs, into new buffers. */
function lowerForward(l: Lowering): { body: Stmt[]; kernel: Kernel; chunk: Chunk; plan: PassPlan; outputs: Variable[] } {
  const { m, renamer, example, perExampleBase, share, chunkedLoop, straight } = l;
  const outputs = m.outputs.map((o) => ({ name: o.name, ident: renamer.fresh(`out_${o.name}`), shape: o.node.shape }));
  const outRoots = m.outputs.map((o) => o.node);
  const { kernel: fwd, chunk: fwdChunk, plan } = chunkedKernel(l, outRoots, perExampleBase(outRoots), new Map(outRoots.map((r) => [r, 1])), new Set(), []);
  const stores: Stmt[][] = [];
  m.outputs.forEach((o, k) => {
    fwd.ensure(o.node);
    const out = outputs[k]!;
    const n = size(out.shape);
    (stores[plan.passOf.get(o.node) ?? 0] ??= []).push(...fwd.forEach(out.shape, (idx) => [{ k: "store", array: out.ident, at: add(mul(ref(example), num(n)), flat(out.shape, idx)), op: "=", value: fwd.elem(o.node, idx) }]));
  });
  const used = new Set(reachable(outRoots));
  const fwdCode = fwdChunk.made(fwd, plan.passOf);
  const passes = Array.from({ length: plan.count }, (_, p) => [...(fwd.passes[p] ?? []), ...(stores[p] ?? [])]);
  const body: Stmt[] = straight([
    ...outputs.map((o): Stmt => ({ k: "alloc", name: o.ident, size: bin("*", ref("n"), num(size(o.shape))) })),
    ...fwd.hoisted,
    ...chunkedLoop(fwdChunk, fwdCode, share(passes, [...fwd.hoisted, ...fwdCode.before, ...fwdCode.between.flat()]), used),
  ]);
  return { body, kernel: fwd, chunk: fwdChunk, plan, outputs };
}

/**
 * Row j of the Hessian is H eⱼ: one loop over the basis directions, which
 * sets entry j of the direction array to 1, computes H v as lossAndGrad
 * computes the gradient (per-example terms summed over the examples and
 * scaled by 1/n, parameter-only terms once) into row j, and sets it back to 0.
 */
function lowerHessian(l: Lowering, hvp: HessianVectorProduct): { body: Stmt[]; kernel: Kernel } {
const { m, renamer, helpersUsed, tuning, buffers, perExampleBase, places, share, exampleLoop, straight } = l;
  const sizes = m.params.map((p) => size(p.shape));
  const total = sizes.reduce((a, b) => a + b, 0);
  const starts = sizes.map((_, q) => sizes.slice(0, q).reduce((a, b) => a + b, 0));
  const direction = renamer.moduleLevel("direction");
  buffers.push({ name: direction, size: total });
  const hPlaces = places();
  hvp.directions.forEach((v, q) => hPlaces.set(v, { kind: "array", array: direction, offset: num(starts[q]!) }));
  const blocks = hvp.products.map((node, q) => ({ q, ts: terms(node) }));
  const hRoots = blocks.flatMap((b) => b.ts.map((t) => t.node));
  const hPerExample = perExampleBase(hRoots);
  const uses = new Map<Node, number>();
  for (const r of hRoots) uses.set(r, (uses.get(r) ?? 0) + 1);
  const k = new Kernel({ nodes: reachable(hRoots), places: hPlaces, perExample: hPerExample, rootUses: uses, names: m.names, renamer, buffers, helpersUsed, describe: m.describe, tuning });
  const j = k.freshIndex();
  const row = renamer.fresh("row");
  const inLoop: Stmt[] = [];
  const after: Stmt[] = [];
  for (const b of blocks) accumulate(k, b.ts, hPerExample, m.params[b.q]!.shape, "out", add(ref(row), num(starts[b.q]!)), () => inLoop, after, undefined, undefined, tuning.unroll.trips);
  const inverseH = renamer.fresh("inverseN");
  const entry = (value: number): Stmt => ({ k: "store", array: direction, at: ref(j), op: "=", value: num(value) });
  const rowScaled = k.forEach([total], ([q]) => [{ k: "store", array: "out", at: add(ref(row), q!), op: "*=", value: ref(inverseH) }]);
  const body = straight([
    fill(k, "out", [total * total], num(0)),
    fill(k, direction, [total], num(0)),
    { k: "decl", mutable: false, type: "f64", name: inverseH, init: bin("/", num(1), cast("f64", ref("n"))) },
    loop(j, total, [
      entry(1),
      { k: "decl", mutable: false, type: "i32", name: row, init: mul(ref(j), num(total)) },
      ...k.hoisted,
      // The direction is set outside the loop over examples: it keeps its own storage.
      exampleLoop(share([[...k.perExampleStmts, ...inLoop]], [...k.hoisted, ...after, entry(1)])[0]!),
      ...rowScaled,
      ...after,
      entry(0),
    ], `row ${j} of the Hessian: H v for v the basis vector e_${j}`),
  ]);
  return { body, kernel: k };
}

/** A group of buffers, each field named as its variable. */
export function group(name: string, role: GroupRole, vars: readonly Variable[]): Param {
  return { k: "group", name, role, fields: vars.map((v) => ({ key: v.name, local: v.ident, kind: "buffer" })) };
}



/** A function's schedule as its kernel decided it, the products lifted out of the loop over examples computed per chunk. */
function scheduleOf(name: string, kernel: Kernel, chunk: Chunk | undefined, plan: PassPlan | undefined): FunctionSchedule {
  const lifted = chunk?.lifted ?? [];
  const products = new Map(lifted.filter((l) => l.kind !== "weight gradient").map((l) => [l.node, l.into]));
  const inChunk = new Set(lifted.map((l) => l.node));
  const passOf = (n: Node) => (plan === undefined || plan.count === 1 ? {} : { pass: plan.passOf.get(n) ?? 0 });
  const placements = kernel.placements().map((p): Placement => {
    if (products.has(p.node)) return { node: p.node, storage: "buffer", section: "per chunk", array: products.get(p.node)!, ...passOf(p.node) };
    if (inChunk.has(p.node)) return { ...p, section: "per chunk" };
    return p.section === "per example" ? { ...p, ...passOf(p.node) } : p;
  });
  return { function: name, placements, lifted };
}

const signed = (t: Term, e: Expr): Expr => (t.sign === 1 ? e : { k: "neg", a: e });

/**
 * `G += a bᵀ` (the weight gradient of a layer) row by row, skipping rows where
 * aᵢ is 0: after a ReLU about half of them are, and each skipped row saves a
 * whole pass over b.
 */
function outerUpdate(kernel: Kernel, t: Term, shape: Shape, array: string, offset: Expr, comment: string | undefined): Stmt {
  const [a, b] = t.node.args as [Node, Node];
  const [rows, cols] = shape as [number, number];
  const r = kernel.freshIndex();
  const ai = kernel.freshName("row");
  const update = contraction({
    left: () => ref(ai),
    right: (c) => kernel.elem(b, [c]),
    rows: 1,
    cols,
    depth: 1,
    block: { rows: 1, cols: 1, split: 1 },
    store: (_, c, product) => ({ k: "store", array, at: add(offset, add(mul(ref(r), num(cols)), c)), op: "+=", value: product }),
    outer: "rows",
    bases: ["g", "a", "b"],
    names: { index: () => kernel.freshIndex(), local: (base) => kernel.freshName(base) },
  });
  return loop(
    r,
    rows,
    [
      { k: "decl", mutable: false, type: "f64", name: ai, init: signed(t, kernel.elem(a, [ref(r)])) },
      { k: "if", test: bin("!=", ref(ai), num(0)), body: update },
    ],
    comment,
  );
}

/**
 * `array[offset + ...] += Σ terms`: the terms that vary per example in one
 * loop inside the loop over examples (into the list `inLoop` picks for them:
 * their pass), the parameter-only ones in another, once, after it (`after`).
 * `lift` may take a single per-example term and place its code itself.
 */
function accumulate(
  kernel: Kernel,
  ts: readonly Term[],
  perExample: ReadonlySet<Node>,
  shape: Shape,
  array: string,
  offset: Expr,
  inLoop: (group: readonly Term[]) => Stmt[],
  after: Stmt[],
  comment?: (group: readonly Term[]) => string,
  lift?: (t: Term, comment: string | undefined) => boolean,
  unrolledUpTo = 0,
): void {
  for (const [group, looped] of [[ts.filter((t) => perExample.has(t.node)), true], [ts.filter((t) => !perExample.has(t.node)), false]] as const) {
    if (group.length === 0) continue;
    for (const t of group) kernel.ensure(t.node);
    const only = group.length === 1 ? group[0]! : undefined;
    if (only !== undefined && looped && lift?.(only, comment?.(group)) === true) continue;
    const out = looped ? inLoop(group) : after;
    // Skipping a zero row pays for a long row; a short one (unrolled) is cheaper to do than to test.
    if (only?.node.op === "outer" && shape.length === 2 && shape[1]! > unrolledUpTo) {
      out.push(outerUpdate(kernel, only, shape, array, offset, comment?.(group)));
      continue;
    }
    const sum = (idx: Expr[]) =>
      group.map((t) => signed(t, kernel.elem(t.node, t.node.shape.length === 0 ? [] : idx))).reduce((a, b) => (b.k === "neg" ? bin("-", a, b.a) : bin("+", a, b)));
    out.push(...kernel.forEach(shape, (idx) => [{ k: "store", array, at: add(offset, flat(shape, idx)), op: "+=", value: sum(idx) }], comment?.(group)));
  }
}

function fill(kernel: Kernel, array: string, shape: Shape, value: Expr): Stmt {
  return kernel.forEach([size(shape)], ([k]) => [{ k: "store", array, at: k!, op: "=", value }])[0]!;
}

function scale(kernel: Kernel, array: string, shape: Shape, factor: Expr): Stmt {
  return kernel.forEach([size(shape)], ([k]) => [{ k: "store", array, at: k!, op: "*=", value: factor }])[0]!;
}
