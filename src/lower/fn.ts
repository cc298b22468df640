// A fn's generated functions, as loop IR: its value, and its derivative with
// respect to each argument (a gradient, or a Jacobian for a tensor value).
// Tensor arguments and results are typed arrays; a result is a new array.

import { sizeOf, type Shape } from "../tensor/shape.js";
import { reachable, type Node } from "../graph/node.js";
import { add, decl, num, ref, type Func, type Param, type Stmt } from "../ir/ir.js";
import { Kernel, flat, type Buffer, type Place } from "./kernel.js";
import type { Renamer } from "./names.js";
import type { Variable } from "./model.js";
import type { FunctionSchedule, Placement } from "./schedule.js";
import type { Tuning } from "./tuning.js";

export interface FnInput {
  readonly name: string;
  readonly args: readonly Node[];
  readonly value: Node;
  /** Null where the derivative would have rank above 2. */
  readonly grads: readonly (Node | null)[];
  readonly names: ReadonlyMap<Node, string>;
  readonly describe: (n: Node) => string | undefined;
  /**
   * Asked for (the compile option `jacobians`): for each argument whose
   * derivative has rank above 2, one gradient per entry of the value; null
   * for the others.
   */
  readonly jacobians?: readonly (readonly Node[] | null)[];
  /** Asked for (the compile option `hessian`), scalar fns only: one row per argument entry, a node per argument. */
  readonly hessian?: readonly (readonly Node[])[];
}

export interface FnCode {
  readonly name: string;
  readonly args: readonly Variable[];
  /**
   * value(...args); grad(...args), one field per argument whose derivative
   * exists; and when asked for hessian(...args), the P×P Hessian over all
   * argument entries, row-major.
   */
  readonly functions: readonly Func[];
  readonly buffers: readonly Buffer[];
  /** Where each value of value and grad lives (schedule.ts). */
  readonly schedule: readonly FunctionSchedule[];
  readonly valueShape: Shape;
  /** The arguments grad gives a derivative for, with its shape. */
  readonly gradEntries: readonly { readonly name: string; readonly shape: Shape }[];
  /** P, when hessian was asked for. */
  readonly hessianSize?: number;
}

/** A fn has no examples: everything is computed once per call. */
const perCall = (ps: readonly Placement[]): Placement[] => ps.map((p) => ({ ...p, section: "per call" }));

/** A result left in a local: a number, or a new buffer. */
interface Local {
  readonly stmts: Stmt[];
  readonly name: string;
  readonly kind: "f64" | "buffer";
}

export function lowerFn(f: FnInput, renamer: Renamer, helpersUsed: Set<string>, tuning: Tuning): FnCode {
  const buffers: Buffer[] = [];
  const args = f.args.map((a) => ({ name: a.attrs.name!, ident: renamer.fresh(a.attrs.name!), shape: a.shape }));
  const kernel = (roots: readonly Node[]) => {
    const places = new Map<Node, Place>(
      f.args.map((a, i) => [a, a.shape.length === 0 ? { kind: "scalar", name: args[i]!.ident } : { kind: "array", array: args[i]!.ident, offset: num(0) }]),
    );
    const nodes = reachable(roots);
    return new Kernel({
      nodes,
      places,
      perExample: new Set(nodes),
      rootUses: new Map(roots.map((r) => [r, 1])),
      names: f.names,
      renamer,
      buffers,
      helpersUsed,
      describe: f.describe,
      tuning,
    });
  };

  /** Statements that leave `root`'s value in a fresh local (a number or a new array). */
  const result = (k: Kernel, root: Node, base: string): Local => {
    k.ensure(root);
    const name = renamer.fresh(base);
    if (root.shape.length === 0) return { stmts: [decl(name, k.elem(root, []))], name, kind: "f64" };
    const size = root.shape.reduce((a, b) => a * b, 1);
    return {
      stmts: [
        { k: "alloc", name, size: num(size) },
        ...k.forEach(root.shape, (idx) => [{ k: "store", array: name, at: flat(root.shape, idx), op: "=", value: k.elem(root, idx) }]),
      ],
      name,
      kind: "buffer",
    };
  };

  const valueKernel = kernel([f.value]);
  const v = result(valueKernel, f.value, "value");
  const valueBody: Stmt[] = [...valueKernel.perExampleStmts, ...v.stmts, { k: "return", value: ref(v.name) }];

  /** Statements that leave blocks of nodes side by side in one new array: each `at` its offset. */
  const stacked = (k: Kernel, blocks: readonly { node: Node; at: number }[], total: number, base: string): Local => {
    const name = renamer.fresh(base);
    const stores = blocks.flatMap((b) => {
      k.ensure(b.node);
      return k.forEach(b.node.shape, (idx) => [{ k: "store", array: name, at: add(num(b.at), flat(b.node.shape, idx)), op: "=", value: k.elem(b.node, idx) }]);
    });
    return { stmts: [{ k: "alloc", name, size: num(total) }, ...stores], name, kind: "buffer" };
  };

  // A Jacobian of rank above 2: the gradient of each entry of the value, one after another.
  const jacobians = (f.jacobians ?? []).map((rows, i) => ({ rows, i })).filter((x): x is { rows: readonly Node[]; i: number } => x.rows !== null);
  const present = f.grads.map((g, i) => ({ g, i })).filter((x): x is { g: Node; i: number } => x.g !== null);
  const gradKernel = kernel([...present.map((x) => x.g), ...jacobians.flatMap((x) => x.rows)]);
  const parts = [
    ...present.map((x) => ({ ...result(gradKernel, x.g, `d_${args[x.i]!.name}`), i: x.i, shape: x.g.shape })),
    ...jacobians.map((x) => {
      const size = sizeOf(f.args[x.i]!.shape);
      return { ...stacked(gradKernel, x.rows.map((node, k) => ({ node, at: k * size })), x.rows.length * size, `d_${args[x.i]!.name}`), i: x.i, shape: [...f.value.shape, ...f.args[x.i]!.shape] };
    }),
  ].sort((a, b) => a.i - b.i);
  const gradBody: Stmt[] = [...gradKernel.perExampleStmts, ...parts.flatMap((p) => p.stmts)];
  const params: Param[] = args.map((a) => (a.shape.length === 0 ? { k: "scalar", name: a.ident, type: "f64" } : { k: "buffer", name: a.ident }));
  const functions: Func[] = [
    { name: "value", params, result: v.kind === "f64" ? { k: "scalar", type: "f64" } : { k: "buffer" }, body: valueBody },
    { name: "grad", params, result: { k: "group", role: "gradients", fields: parts.map((p) => ({ key: args[p.i]!.name, local: p.name, kind: p.kind })) }, body: gradBody },
    ...(f.hessian === undefined ? [] : [lowerHessian(f.hessian)]),
  ];
  const gradEntries = parts.map((p) => ({ name: args[p.i]!.name, shape: p.shape }));
  const hessianSize = f.hessian === undefined ? {} : { hessianSize: f.args.reduce((s, a) => s + sizeOf(a.shape), 0) };
  const schedule: FunctionSchedule[] = [
    { function: "value", placements: perCall(valueKernel.placements()), lifted: [] },
    { function: "grad", placements: perCall(gradKernel.placements()), lifted: [] },
  ];
  return { name: f.name, args, functions, buffers, schedule, valueShape: f.value.shape, gradEntries, ...hessianSize };

  /** The Hessian's rows side by side: entry (j, start of argument q + k) is row j's node q at k. */
  function lowerHessian(rows: readonly (readonly Node[])[]): Func {
    const sizes = f.args.map((a) => sizeOf(a.shape));
    const starts = sizes.map((_, q) => sizes.slice(0, q).reduce((a, b) => a + b, 0));
    const total = sizes.reduce((a, b) => a + b, 0);
    const k = kernel(rows.flat());
    const h = stacked(k, rows.flatMap((row, j) => row.map((node, q) => ({ node, at: j * total + starts[q]! }))), total * total, "hessian");
    const body: Stmt[] = [...k.perExampleStmts, ...h.stmts, { k: "return", value: ref(h.name) }];
    return { name: "hessian", params, result: { k: "buffer" }, body, doc: `The Hessian over all ${total} argument entries (in the order of the arguments, row-major), ${total} × ${total}, row-major.` };
  }
}
