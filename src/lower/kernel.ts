// Lowering graph nodes to loops. A Kernel holds where each node's value lives
// (a typed array, a scalar local, or nowhere: computed inline where used) and
// writes the statements that compute what is needed, in two places: once per
// call (values that depend only on parameters, hoisted) and per example.
//
// Elementwise chains are fused: an elementwise node used once, by a consumer
// that reads each entry once, is not stored but computed inside its
// consumer's loop. Views (broadcast, transpose, indexing) are never stored.

import { sizeOf, type Shape } from "../tensor/shape.js";
import type { Node } from "../graph/node.js";
import { add, bin, call, intrinsic, load, loop, mul, num, ref, type Expr, type Stmt } from "../ir/ir.js";
import type { Renamer } from "./names.js";
import { isElementwiseOp, scalarOp } from "./scalar-ops.js";
import { contraction } from "./contraction.js";
import type { Tuning } from "./tuning.js";
import { inlined, VIEWS, type Placement, type Section } from "./schedule.js";
import type { PassPlan } from "./passes.js";

/** Where a node's entries are read from. */
export type Place =
  | { readonly kind: "array"; readonly array: string; readonly offset: Expr }
  | { readonly kind: "scalar"; readonly name: string };

/** A scratch array the module allocates once. */
export interface Buffer {
  readonly name: string;
  readonly size: number;
}

export interface KernelOptions {
  /** Every node whose value is needed, by the roots and by each other. */
  readonly nodes: readonly Node[];
  /** Nodes read directly from the caller's arrays (variables). */
  readonly places: ReadonlyMap<Node, Place>;
  /** Nodes that vary per example (the rest are hoisted). */
  readonly perExample: ReadonlySet<Node>;
  /** How many times each root is used by the caller (stores, accumulations). */
  readonly rootUses: ReadonlyMap<Node, number>;
  readonly names: ReadonlyMap<Node, string>;
  readonly renamer: Renamer;
  readonly buffers: Buffer[];
  readonly helpersUsed: Set<string>;
  /** Its products' blocks (tuning.ts). */
  readonly tuning: Tuning;
  /** A comment for a stored node, tying code to its formula. */
  readonly describe: (n: Node) => string | undefined;
  /** When the loop over a chunk's examples is cut into passes (passes.ts): each node's pass, and what is kept across them. */
  readonly passes?: PassPlan & {
    /** The example's row in the chunk, and how many rows a chunk holds. */
    readonly row: Expr;
    readonly rows: number;
  };
}

export class Kernel {
  readonly hoisted: Stmt[] = [];
  /** The per-example statements of each pass. */
  readonly passes: Stmt[][] = [];
  private readonly places = new Map<Node, Place>();
  private readonly inline: ReadonlySet<Node>;
  /** logsumexp(v) once computed, by v and the statement list it went to: a softmax after a softmax cross-entropy reuses the loss's. */
  private readonly lse = new Map<Node, { readonly out: Stmt[]; readonly parts: LogSumExp }>();
  private loopCounter = 0;

  constructor(private readonly o: KernelOptions) {
    for (const [n, p] of o.places) this.places.set(n, p);
    this.inline = inlined({ nodes: o.nodes, placed: new Set(o.places.keys()), perExample: o.perExample, rootUses: o.rootUses, stored: o.passes?.crossing ?? new Set() });
  }

  /** Every per-example statement, the passes one after another: for a loop that is not cut. */
  get perExampleStmts(): Stmt[] {
    return this.passes.flat();
  }

  /** True for a node computed where it is read, never stored. */
  isInline(n: Node): boolean {
    return this.inline.has(n);
  }

  /** The chunk-wide array a value kept across passes is in, a row per example. */
  chunkArray(n: Node): string | undefined {
    const place = this.places.get(n);
    return this.o.passes?.crossing.has(n) && place?.kind === "array" ? place.array : undefined;
  }

  /** Where each node the kernel computed lives, and in which section, for the printed schedule. */
  placements(): Placement[] {
    const section = (n: Node): Section => (this.o.perExample.has(n) ? "per example" : "hoisted");
    return this.o.nodes.flatMap((n): Placement[] => {
      if (n.op === "const") return [];
      const given = this.o.places.has(n);
      const place = this.places.get(n);
      if (given || place === undefined) return given || this.inline.has(n) ? [{ node: n, storage: given ? "caller" : "inline", section: section(n) }] : [];
      return [place.kind === "scalar" ? { node: n, storage: "local", section: section(n) } : { node: n, storage: "buffer", section: section(n), array: place.array }];
    });
  }

  private fresh(base: string): string {
    return this.o.renamer.fresh(base);
  }

  /** A local for a node: the user's name for it, or the next temporary of the scope. */
  private localName(n: Node, prefix: string): string {
    const own = this.o.names.get(n);
    return own === undefined ? this.o.renamer.temporary(prefix) : this.fresh(own);
  }

  private out(n: Node): Stmt[] {
    if (!this.o.perExample.has(n)) return this.hoisted;
    const pass = this.o.passes?.passOf.get(n) ?? 0;
    while (this.passes.length <= pass) this.passes.push([]);
    return this.passes[pass]!;
  }

  /** Kept across passes: a row of a chunk-wide array, at the example's row. */
  private crossing(n: Node): { rows: number; base: Expr } {
    const p = this.o.passes;
    return p?.crossing.has(n) ? { rows: p.rows, base: mul(p.row, num(sizeOf(n.shape))) } : { rows: 1, base: num(0) };
  }

  /** A loop counter name, unique in the function. */
  freshIndex(): string {
    return `i${this.loopCounter++}`;
  }

  /** A local name, unique in the module. */
  freshName(base: string): string {
    return this.fresh(base);
  }

  /** Nested loops over a shape; `body` gets one index expression per axis. */
  forEach(shape: Shape, body: (idx: Expr[]) => Stmt[], comment?: string): Stmt[] {
    if (shape.length === 0) return body([]);
    const names = shape.map(() => `i${this.loopCounter++}`);
    let inner = body(names.map(ref));
    for (let axis = shape.length - 1; axis >= 0; axis--) inner = [loop(names[axis]!, shape[axis]!, inner, axis === 0 ? comment : undefined)];
    return inner;
  }

  /** Make sure a node can be read: compute it (and what it needs) if it is stored or a scalar. */
  ensure(n: Node): void {
    if (this.places.has(n) || n.op === "const") return;
    for (const a of n.args) this.ensure(a);
    if (this.inline.has(n)) return;
    if (n.shape.length === 0) this.scalar(n);
    else this.store(n);
  }

  /** The entry of `n` at `idx` (one index per axis) as an expression. */
  elem(n: Node, idx: readonly Expr[]): Expr {
    const place = this.places.get(n);
    if (place !== undefined) {
      if (place.kind === "scalar") return ref(place.name);
      return load(place.array, add(place.offset, flat(n.shape, idx)));
    }
    if (n.op === "const") return num(n.attrs.value!);
    if (!this.inline.has(n)) throw new Error(`internal: node ${n.id} (${n.op}) read before it is computed`);
    return this.inlineElem(n, idx);
  }

  private inlineElem(n: Node, idx: readonly Expr[]): Expr {
    const arg = (k: number, at: readonly Expr[] = idx) => {
      const a = n.args[k]!;
      return this.elem(a, a.shape.length === 0 ? [] : at);
    };
    if (isElementwiseOp(n.op)) {
      return scalarOp(n.op, n.args.map((_, k) => arg(k)), this.o.helpersUsed);
    }
    switch (n.op) {
      case "broadcast":
        return arg(0, []);
      case "transpose":
        return arg(0, [idx[1]!, idx[0]!]);
      case "index":
        return arg(0, [...n.attrs.indices!.map(num), ...idx]);
      case "eye":
        return { k: "cond", test: bin("==", idx[0]!, idx[1]!), then: num(1), else: num(0) };
      case "outer":
        return bin("*", arg(0, [idx[0]!]), arg(1, [idx[1]!]));
      default:
        throw new Error(`internal: ${n.op} cannot be computed inline`);
    }
  }

  /** A scalar node: a local constant, or a small reduction loop. */
  private scalar(n: Node): void {
    const name = this.localName(n, "s");
    const out = this.out(n);
    const value = this.scalarValue(n, name, out);
    out.push({ k: "decl", mutable: false, type: "f64", name, init: value, ...this.comment(n) });
    this.places.set(n, { kind: "scalar", name });
    const { rows, base } = this.crossing(n);
    if (rows === 1) return;
    const array = this.o.renamer.moduleLevel(`${name}_chunk`);
    this.o.buffers.push({ name: array, size: rows });
    out.push({ k: "store", array, at: base, op: "=", value: ref(name) });
    this.places.set(n, { kind: "array", array, offset: base });
  }

  private comment(n: Node): { comment?: string } {
    const c = this.o.describe(n);
    return c === undefined ? {} : { comment: c };
  }

  /** The scalar's value; loops it needs go to `out` first, accumulating into fresh locals. */
  private scalarValue(n: Node, name: string, out: Stmt[]): Expr {
    const [a, b] = n.args;
    const accumulate = (init: number, body: (idx: Expr[]) => Expr, over: Shape = a!.shape): string => {
      const acc = this.fresh(`${name}_sum`);
      out.push({ k: "decl", mutable: true, type: "f64", name: acc, init: num(init) });
      out.push(...this.forEach(over, (idx) => [{ k: "set", name: acc, op: "+=", value: body(idx) }]));
      return acc;
    };
    const square = (x: Expr) => {
      this.o.helpersUsed.add("square");
      return call("square", x);
    };
    const size = (x: Node) => num(sizeOf(x.shape));
    const e = (x: Node, idx: Expr[]) => this.elem(x, x.shape.length === 0 ? [] : idx);
    switch (n.op) {
      case "sum":
        return ref(accumulate(0, (idx) => e(a!, idx)));
      case "mean":
        return bin("/", ref(accumulate(0, (idx) => e(a!, idx))), size(a!));
      case "dot":
        return ref(accumulate(0, (idx) => bin("*", e(a!, idx), e(b!, idx))));
      case "norm2":
        return intrinsic("sqrt", ref(accumulate(0, (idx) => square(e(a!, idx)))));
      case "trace":
        return ref(accumulate(0, ([i]) => e(a!, [i!, i!]), [a!.shape[0]!]));
      case "matmul": // [n] @ [n]
        return ref(accumulate(0, (idx) => bin("*", e(a!, idx), e(b!, idx))));
      case "logsumexp":
        return ref(this.logsumexp(a!, name, out).lse);
      case "mse":
        return bin("/", ref(accumulate(0, (idx) => square(bin("-", e(a!, idx), e(b!, idx))))), size(a!));
      case "bce": {
        const clamp = (x: Expr) => intrinsic("max", intrinsic("log", x), num(-100));
        return bin("/", ref(accumulate(0, (idx) => {
          const p = e(a!, idx);
          const y = e(b!, idx);
          return { k: "neg", a: bin("+", bin("*", y, clamp(p)), bin("*", bin("-", num(1), y), clamp(bin("-", num(1), p)))) };
        })), size(a!));
      }
      case "bce_logits":
        return bin("/", ref(accumulate(0, (idx) => {
          const z = e(a!, idx);
          return bin("+", bin("-", intrinsic("max", z, num(0)), bin("*", z, e(b!, idx))), intrinsic("log1p", intrinsic("exp", { k: "neg", a: intrinsic("abs", z) })));
        })), size(a!));
      case "cross_entropy":
        return ref(accumulate(0, (idx) => {
          const y = e(b!, idx);
          return { k: "cond", test: bin("==", y, num(0)), then: num(0), else: { k: "neg", a: bin("*", y, intrinsic("log", e(a!, idx))) } };
        }));
      case "softmax_cross_entropy": {
        const l = this.logsumexp(a!, name, out).lse;
        return ref(accumulate(0, (idx) => bin("*", e(b!, idx), bin("-", ref(l), e(a!, idx)))));
      }
      case "huber": {
        const d = e(n.args[2]!, []);
        return bin("/", ref(accumulate(0, (idx) => {
          const r = intrinsic("abs", bin("-", e(a!, idx), e(b!, idx)));
          return { k: "cond", test: bin(">", r, d), then: bin("*", d, bin("-", r, bin("*", num(0.5), d))), else: bin("*", num(0.5), bin("*", r, r)) };
        })), size(a!));
      }
      default:
        return this.inlineScalar(n);
    }
  }

  /** Elementwise and view ops on scalars are plain expressions. */
  private inlineScalar(n: Node): Expr {
    if (isElementwiseOp(n.op) || VIEWS.has(n.op)) return this.inlineElem(n, []);
    throw new Error(`internal: no scalar lowering for ${n.op}`);
  }

  /**
   * logsumexp(v) as max + log Σ exp(v − max), into locals declared in `out`.
   * When the kernel also computes softmax(v), the exponentials are kept in a
   * scratch array for it (softmax = exp(v − max) / Σ): one exp per entry
   * for both, as PyTorch's softmax computes it.
   */
  private logsumexp(v: Node, name: string, out: Stmt[]): LogSumExp {
    const known = this.lse.get(v);
    if (known !== undefined && known.out === out) return known.parts;
    const max = this.fresh(`${name}_max`);
    const sum = this.fresh(`${name}_exp`);
    const lse = this.fresh(`${name}_lse`);
    const keep = this.o.nodes.some((n) => n.op === "softmax" && n.args[0] === v);
    const exps = keep ? this.o.renamer.moduleLevel(`${name}_exps`) : undefined;
    if (exps !== undefined) this.o.buffers.push({ name: exps, size: sizeOf(v.shape) });
    out.push({ k: "decl", mutable: true, type: "f64", name: max, init: num(-Infinity) });
    out.push(...this.forEach(v.shape, (idx) => [{ k: "set", name: max, op: "=", value: intrinsic("max", ref(max), this.elem(v, idx)) }]));
    out.push({ k: "decl", mutable: true, type: "f64", name: sum, init: num(0) });
    out.push(...this.forEach(v.shape, (idx): Stmt[] => {
      const exp = intrinsic("exp", bin("-", this.elem(v, idx), ref(max)));
      if (exps === undefined) return [{ k: "set", name: sum, op: "+=", value: exp }];
      const at = flat(v.shape, idx);
      return [{ k: "store", array: exps, at, op: "=", value: exp }, { k: "set", name: sum, op: "+=", value: load(exps, at) }];
    }));
    // All −∞ (or a +∞ or NaN): the max itself, as the sum would be 0, ∞ or NaN.
    out.push({ k: "decl", mutable: false, type: "f64", name: lse, init: { k: "cond", test: intrinsic("isFinite", ref(max)), then: bin("+", ref(max), intrinsic("log", ref(sum))), else: ref(max) } });
    const parts: LogSumExp = { max, sum, lse, ...(exps === undefined ? {} : { exps }) };
    this.lse.set(v, { out, parts });
    return parts;
  }

  /** A tensor node stored in a module-level scratch array. */
  private store(n: Node): void {
    const { rows, base } = this.crossing(n);
    const own = this.o.names.get(n) ?? this.o.renamer.temporary("t");
    const name = this.o.renamer.moduleLevel(rows === 1 ? own : `${own}_chunk`);
    this.o.buffers.push({ name, size: rows * sizeOf(n.shape) });
    const out = this.out(n);
    const comment = this.o.describe(n);
    const at = (idx: readonly Expr[]) => add(base, flat(n.shape, idx));
    const [a] = n.args;
    const e = (x: Node, idx: Expr[]) => this.elem(x, x.shape.length === 0 ? [] : idx);
    switch (n.op) {
      case "matmul":
        out.push(...this.matmul(n, name, base, comment));
        break;
      case "softmax":
      case "log_softmax": {
        const { max, sum, lse, exps } = this.logsumexp(a!, name, out);
        let value = (idx: Expr[]): Expr => (n.op === "softmax" ? intrinsic("exp", bin("-", e(a!, idx), ref(lse))) : bin("-", e(a!, idx), ref(lse)));
        if (n.op === "softmax" && exps !== undefined) {
          // exp(v − lse) = exp(v − max) / Σ where max is finite; exp(v − max) where it is not.
          const inverse = this.fresh(`${name}_inverse`);
          out.push({ k: "decl", mutable: false, type: "f64", name: inverse, init: { k: "cond", test: intrinsic("isFinite", ref(max)), then: bin("/", num(1), ref(sum)), else: num(1) } });
          value = (idx) => bin("*", load(exps, flat(a!.shape, idx)), ref(inverse));
        }
        out.push(...this.forEach(n.shape, (idx) => [{ k: "store", array: name, at: at(idx), op: "=", value: value(idx) }], comment));
        break;
      }
      case "stack": {
        const inner = n.shape.slice(1);
        n.args.forEach((el, i) => {
          out.push(...this.forEach(inner, (idx) => [{ k: "store", array: name, at: at([num(i), ...idx]), op: "=", value: e(el, idx) }]));
        });
        break;
      }
      case "scatter": {
        out.push(...this.forEach(n.shape, (idx) => [{ k: "store", array: name, at: at(idx), op: "=", value: num(0) }]));
        const prefix = n.attrs.indices!.map(num);
        out.push(...this.forEach(a!.shape, (idx) => [{ k: "store", array: name, at: at([...prefix, ...idx]), op: "=", value: e(a!, idx) }]));
        break;
      }
      default:
        // Elementwise, outer, views: one fused loop.
        out.push(...this.forEach(n.shape, (idx) => [{ k: "store", array: name, at: at(idx), op: "=", value: this.inlineElem(n, idx) }], comment));
    }
    this.places.set(n, { kind: "array", array: name, offset: base });
  }

  /** The three matrix products a layer needs, with constant bounds; [n]@[n] is a scalar (above). */
  /**
   * A product of a matrix or vector by a matrix or vector, per example, as a
   * contraction (contraction.ts): W x two rows at a time (each entry of x
   * loaded once for both), a long sum split four ways; the sums are those of
   * a one-row loop whatever the block.
   */
  private matmul(n: Node, name: string, base: Expr, comment: string | undefined): Stmt[] {
    const [a, b] = n.args as [Node, Node];
    const depth = a.shape[a.shape.length - 1]!;
    const matrixLeft = a.shape.length === 2;
    const matrixRight = b.shape.length === 2;
    const rows = matrixLeft ? a.shape[0]! : 1;
    const cols = matrixRight ? b.shape[1]! : 1;
    const { rows: blockRows, split: ways, splitFrom } = this.o.tuning.perExample;
    const split = depth >= splitFrom ? ways : 1;
    return contraction({
      left: (i, k) => this.elem(a, matrixLeft ? [i, k] : [k]),
      right: (j, k) => this.elem(b, matrixRight ? [k, j] : [k]),
      rows,
      cols,
      depth,
      block: { rows: !matrixRight && depth >= splitFrom && rows >= blockRows ? blockRows : 1, cols: 1, split },
      store: (i, j, sum) => ({ k: "store", array: name, at: add(base, flat(n.shape, [...(matrixLeft ? [i] : []), ...(matrixRight ? [j] : [])])), op: "=", value: sum }),
      outer: "rows",
      bases: [`${name}_dot`, `${name}_a`, `${name}_x`],
      names: { index: () => this.freshIndex(), local: (base) => this.fresh(base) },
      ...(comment === undefined ? {} : { comment }),
    });
  }
}


/** Row-major offset of an index. */
/** The locals (and scratch array of exponentials, if kept) of a logsumexp. */
interface LogSumExp {
  readonly max: string;
  readonly sum: string;
  readonly lse: string;
  readonly exps?: string;
}

export function flat(shape: Shape, idx: readonly Expr[]): Expr {
  if (idx.length !== shape.length) throw new Error(`internal: ${idx.length} indices for shape [${shape}]`);
  let offset: Expr = num(0);
  for (let axis = 0; axis < idx.length; axis++) offset = add(mul(offset, num(shape[axis]!)), idx[axis]!);
  return offset;
}
