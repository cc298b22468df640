// A fn's generated functions, as loop IR: its value, and its derivative with
// respect to each argument (a gradient, or a Jacobian for a tensor value).
// Tensor arguments and results are typed arrays; a result is a new array.

import type { Shape } from "../diagnostics/shape.js";
import { reachable, type Node } from "../graph/node.js";
import { num, ref, type Expr, type Stmt } from "./ir.js";
import { Kernel, flat, type Buffer, type Place } from "./kernel.js";
import type { Renamer } from "./names.js";
import type { Variable } from "./model.js";

export interface FnInput {
  readonly name: string;
  readonly args: readonly Node[];
  readonly value: Node;
  /** Null where the derivative would have rank above 2. */
  readonly grads: readonly (Node | null)[];
  readonly names: ReadonlyMap<Node, string>;
  readonly describe: (n: Node) => string | undefined;
}

export interface FnCode {
  readonly name: string;
  readonly args: readonly Variable[];
  readonly value: { readonly shape: Shape; readonly body: readonly Stmt[] };
  /** One entry per argument whose derivative exists. */
  readonly grad: { readonly entries: readonly (Variable & { readonly of: string })[]; readonly body: readonly Stmt[] };
  readonly buffers: readonly Buffer[];
}

export function lowerFn(f: FnInput, renamer: Renamer, helpersUsed: Set<string>): FnCode {
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
    });
  };

  /** Statements that leave `root`'s value in a fresh local (a number or a new array). */
  const result = (k: Kernel, root: Node, base: string): { stmts: Stmt[]; value: Expr } => {
    k.ensure(root);
    if (root.shape.length === 0) {
      const name = renamer.fresh(base);
      return { stmts: [{ k: "decl", mutable: false, name, init: k.elem(root, []) }], value: ref(name) };
    }
    const name = renamer.fresh(base);
    const size = root.shape.reduce((a, b) => a * b, 1);
    return {
      stmts: [
        { k: "alloc", name, size: num(size) },
        ...k.forEach(root.shape, (idx) => [{ k: "store", array: name, at: flat(root.shape, idx), op: "=", value: k.elem(root, idx) }]),
      ],
      value: ref(name),
    };
  };

  const valueKernel = kernel([f.value]);
  const v = result(valueKernel, f.value, "value");
  const valueBody: Stmt[] = [...valueKernel.perExampleStmts, ...v.stmts, { k: "return", value: v.value }];

  const present = f.grads.map((g, i) => ({ g, i })).filter((x): x is { g: Node; i: number } => x.g !== null);
  const gradKernel = kernel(present.map((x) => x.g));
  const parts = present.map((x) => ({ ...result(gradKernel, x.g, `d_${args[x.i]!.name}`), arg: args[x.i]!, shape: x.g.shape }));
  const gradBody: Stmt[] = [
    ...gradKernel.perExampleStmts,
    ...parts.flatMap((p) => p.stmts),
    { k: "returnObject", entries: parts.map((p) => [p.arg.name, p.value] as const) },
  ];
  return {
    name: f.name,
    args,
    value: { shape: f.value.shape, body: valueBody },
    grad: { entries: parts.map((p) => ({ name: p.arg.name, ident: p.arg.ident, shape: p.shape, of: p.arg.name })), body: gradBody },
    buffers,
  };
}
