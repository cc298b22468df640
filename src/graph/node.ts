// The expression graph: immutable, typed tensor nodes, hash-consed so that
// equal subexpressions are one node (common subexpressions come for free, and
// a gradient reuses the forward values it needs). Nodes are numbered in
// creation order, and a node's arguments always exist before it, so sorting
// by id is a topological order.

import type { Shape } from "../tensor/shape.js";
import { opDef, type Attrs, type Node, type OpName } from "../ops/index.js";

export type { Node };

export class Graph {
  private readonly table = new Map<string, Node>();
  private nextId = 0;

  get size(): number {
    return this.table.size;
  }

  node(op: OpName, args: readonly Node[] = [], attrs: Attrs = {}): Node {
    const key = `${op}(${args.map((a) => a.id).join(",")})${attrKey(attrs)}`;
    const existing = this.table.get(key);
    if (existing !== undefined) return existing;
    const info = opDef(op);
    if (info.arity !== "n" && info.arity !== args.length) {
      throw new Error(`internal: ${op} takes ${info.arity} arguments, got ${args.length}`);
    }
    const shape = info.shape(
      args.map((a) => a.shape),
      attrs,
    );
    const node: Node = { id: this.nextId++, op, args, attrs, shape };
    this.table.set(key, node);
    return node;
  }

  constant(value: number): Node {
    return this.node("const", [], { value });
  }

  variable(name: string, role: Attrs["role"], shape: Shape): Node {
    return this.node("var", [], { name, role, shape });
  }
}

function attrKey(a: Attrs): string {
  if (a.value === undefined && a.name === undefined && a.indices === undefined && a.shape === undefined) return "";
  const value = a.value === undefined ? "" : Object.is(a.value, -0) ? "-0" : String(a.value);
  return `{${value}|${a.name ?? ""}|${a.role ?? ""}|${a.indices?.join(",") ?? ""}|${a.shape?.join(",") ?? ""}}`;
}

export const isConstant = (n: Node, value?: number): boolean =>
  n.op === "const" && (value === undefined || n.attrs.value === value);

/** Every node the roots depend on, roots included, in topological order. */
export function reachable(roots: readonly Node[]): Node[] {
  const seen = new Set<Node>();
  const stack = [...roots];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const a of n.args) if (!seen.has(a)) stack.push(a);
  }
  return [...seen].sort((a, b) => a.id - b.id);
}

/** Rebuilds the graph under the roots with some nodes replaced, bottom up, without recursion. */
export function substitute(g: Graph, roots: readonly Node[], replace: ReadonlyMap<Node, Node>): Node[] {
  if (replace.size === 0 || [...replace].every(([from, to]) => from === to)) return [...roots];
  const mapped = new Map<Node, Node>();
  for (const n of reachable(roots)) {
    const r = replace.get(n);
    if (r !== undefined) mapped.set(n, r);
    else if (n.args.length === 0) mapped.set(n, n);
    else {
      const args = n.args.map((a) => mapped.get(a)!);
      mapped.set(n, args.every((a, i) => a === n.args[i]) ? n : g.node(n.op, args, n.attrs));
    }
  }
  return roots.map((r) => mapped.get(r)!);
}
