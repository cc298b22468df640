// Where each value lives and when it is computed, decided before any code is
// written, and printed by `nndc compile --schedule`. The kernel (kernel.ts)
// and the model's loops (model.ts) generate code from these decisions:
//
//   storage   caller     read from the caller's arrays (a parameter, an input)
//             inline     computed where it is read (views; an elementwise
//                        chain used once, by a consumer that reads each entry once)
//             local      a number in a local
//             buffer     a scratch array the module allocates once
//             registers  a scratch array small enough to become locals (unroll.ts)
//   section   hoisted      once per call: it depends only on parameters
//             per example  inside the loop over examples
//             per chunk    a product lifted out of that loop, for a chunk of examples at once
//   pass      when the loop over a chunk's examples is cut at lifted products
//             (passes.ts), which pass over them computes a value (a product:
//             which pass first reads it); a buffer named …_chunk keeps a
//             value for every example of the chunk, for a later pass
//             per call     in a fn, which has no examples

import type { Node } from "../graph/node.js";
import { opDef, ops, type OpName } from "../ops/index.js";
import { isElementwiseOp } from "./scalar-ops.js";

export type Storage = "caller" | "inline" | "local" | "buffer" | "registers";
export type Section = "hoisted" | "per example" | "per chunk" | "per call";

export interface Placement {
  readonly node: Node;
  readonly storage: Storage;
  readonly section: Section;
  /** The scratch array, for a node in one. */
  readonly array?: string;
  /** Which pass over a chunk's examples computes it (passes.ts), when there is more than one; a product's is the pass that reads it. */
  readonly pass?: number;
}

/** A product lifted out of the loop over examples: computed for a whole chunk by one blocked product. */
export interface Lifted {
  readonly node: Node;
  readonly kind: "forward product" | "transposed product" | "weight gradient";
  /** The scratch array the chunk's products go to (W x, Wᵀ x) or the gradient they add into. */
  readonly into: string;
}

/** One generated function's schedule. */
export interface FunctionSchedule {
  readonly function: string;
  readonly placements: readonly Placement[];
  readonly lifted: readonly Lifted[];
}

const allOps = Object.keys(ops) as OpName[];
export const VIEWS: ReadonlySet<OpName> = new Set(allOps.filter((op) => opDef(op).lowering.kind === "view"));
/** Consumers that read each entry of an argument exactly once, in order. */
const LINEAR: ReadonlySet<OpName> = new Set(
  allOps.filter((op) => {
    const l = opDef(op).lowering;
    return l.kind === "scalar" || (l.kind === "loop" && l.streams);
  }),
);

export interface InliningInput {
  readonly nodes: readonly Node[];
  /** Nodes the caller has placed already (variables, lifted products). */
  readonly placed: ReadonlySet<Node>;
  readonly perExample: ReadonlySet<Node>;
  readonly rootUses: ReadonlyMap<Node, number>;
  /** Nodes that must be stored whatever their uses (kept across passes, passes.ts). */
  readonly stored?: ReadonlySet<Node>;
}

/**
 * The tensor nodes computed inline where they are read: views always (but
 * through a view, an argument a consumer reads more than once is stored),
 * and elementwise nodes used once, in the same section, by a consumer that
 * reads each entry once.
 */
export function inlined(o: InliningInput): Set<Node> {
  const consumers = new Map<Node, Node[]>();
  for (const n of o.nodes) for (const a of n.args) consumers.set(a, [...(consumers.get(a) ?? []), n]);
  // Through views: a view's consumers read its argument.
  const effective = (n: Node): Node[] => (consumers.get(n) ?? []).flatMap((c) => (VIEWS.has(c.op) ? effective(c) : [c]));
  const inline = new Set<Node>();
  for (const n of o.nodes) {
    if (o.placed.has(n) || o.stored?.has(n) || n.shape.length === 0 || n.args.length === 0) continue;
    if (VIEWS.has(n.op)) {
      inline.add(n);
      continue;
    }
    if (!isElementwiseOp(n.op) && opDef(n.op).lowering.kind !== "entries") continue;
    const users = effective(n);
    const single = users.length + (o.rootUses.get(n) ?? 0) === 1;
    const readsOnce = users.every((u) => LINEAR.has(u.op));
    const sameSection = users.every((u) => o.perExample.has(u) === o.perExample.has(n));
    if (single && readsOnce && sameSection) inline.add(n);
  }
  // Arguments of consumers that read entries more than once must be stored.
  const storeThroughViews = (n: Node): void => {
    if (VIEWS.has(n.op) && n.op !== "eye") storeThroughViews(n.args[0]!);
    else inline.delete(n);
  };
  for (const n of o.nodes) {
    if (LINEAR.has(n.op) || VIEWS.has(n.op)) continue;
    for (const a of n.args) storeThroughViews(a);
  }
  return inline;
}

/** True for W x, W a parameter matrix and x a data field, of at least `from` entries (tuning.ts): worth a blocked product per chunk. */
export function liftsForward(n: Node, params: readonly Node[], data: readonly Node[], from: number): boolean {
  const [W, x] = n.args;
  if (n.op !== "matmul" || W === undefined || x === undefined || W.shape.length !== 2 || x.shape.length !== 1) return false;
  return params.includes(W) && data.includes(x) && W.shape[0]! * W.shape[1]! >= from;
}

/**
 * W h or Wᵀ δ, W a parameter matrix and the vector computed per example (a
 * hidden layer's input, a layer's δ), of at least `from` entries: the loop
 * over examples is cut there (passes.ts) and the product done per chunk.
 * Returns W and whether it is read transposed.
 */
export function liftsHidden(n: Node, params: readonly Node[], perExample: ReadonlySet<Node>, data: readonly Node[], from: number): { W: Node; transposed: boolean } | undefined {
  const [A, x] = n.args;
  if (n.op !== "matmul" || A === undefined || x === undefined || A.shape.length !== 2 || x.shape.length !== 1) return undefined;
  if (!perExample.has(x) || data.includes(x) || A.shape[0]! * A.shape[1]! < from) return undefined;
  if (params.includes(A)) return { W: A, transposed: false };
  if (A.op === "transpose" && params.includes(A.args[0]!)) return { W: A.args[0]!, transposed: true };
  return undefined;
}

/** True for a weight gradient a bᵀ of at least `from` entries, to be summed over a chunk by one blocked product. */
export function liftsOuter(n: Node, shape: readonly number[], from: number): boolean {
  return n.op === "outer" && shape.length === 2 && shape[0]! * shape[1]! >= from;
}

/**
 * The schedule once the function's code is final: a scratch array that
 * shares another's storage is named as that one, and one that unrolling
 * turned into locals (it is among no buffer left) is in registers.
 */
export function withRegisters(s: FunctionSchedule, buffersLeft: ReadonlySet<string>, sharedAs: ReadonlyMap<string, string>): FunctionSchedule {
  const resolve = (array: string): string => (sharedAs.has(array) ? resolve(sharedAs.get(array)!) : array);
  const placements = s.placements.map((p): Placement => {
    if (p.storage !== "buffer") return p;
    const array = resolve(p.array!);
    const { array: _, ...rest } = p;
    return buffersLeft.has(array) ? { ...p, array } : { ...rest, storage: "registers" };
  });
  return { ...s, placements };
}

/**
 * A model's schedule as a table, one function after another: each value
 * (by the user's name, or as a formula), its shape, where it lives and when
 * it is computed; then the products lifted out of the loop over examples.
 */
export function formatSchedule(title: string, schedule: readonly FunctionSchedule[], label: (n: Node) => string, chunk: number): string {
  const lines = [title];
  for (const s of schedule) {
    lines.push(`  ${s.function}`);
    const rows = s.placements.filter((p) => p.storage !== "caller").map((p) => [shorten(label(p.node)), `[${p.node.shape.join(", ")}]`, p.array === undefined ? p.storage : `${p.storage} ${p.array}`, p.pass === undefined ? p.section : `${p.section}, pass ${p.pass}`]);
    const widths = [0, 1, 2].map((c) => Math.max(0, ...rows.map((r) => r[c]!.length)));
    for (const r of rows) lines.push(`    ${r.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell)).join("  ")}`);
    if (s.lifted.length === 0) continue;
    lines.push(`    lifted out of the loop over examples, ${chunk} examples at a time:`);
    for (const l of s.lifted) lines.push(`      ${shorten(label(l.node))}: ${l.kind} ${l.kind === "weight gradient" ? "added to" : "into"} ${l.into}`);
  }
  return lines.join("\n");
}

/** A long formula with its middle left out: its start and its end tell values apart. */
const shorten = (text: string, max = 48) => {
  const chars = [...text];
  if (chars.length <= max) return text;
  const end = Math.floor((max - 1) / 3);
  return `${chars.slice(0, max - 1 - end).join("")}…${chars.slice(-end).join("")}`;
};
