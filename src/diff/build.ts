// From the checked AST to the expression graph. User fns are inlined at their
// call sites (their graphs are built once and substituted), named
// intermediates keep their names for printing, and every `diff(e, x)` is
// expanded here, in the scope where x is a variable, after e is put in stable
// form.

import type * as A from "../parse/ast.js";
import { allExprs } from "../parse/walk.js";
import type { CheckedProgram, ValueSymbol } from "../check/checked.js";
import { Graph, substitute, type Node } from "../graph/node.js";
import type { OpName, VarRole } from "../ops/index.js";
import { derivative } from "./reverse.js";
import { stabilise } from "./stable.js";

export interface FnGraph {
  readonly name: string;
  /** One variable per argument, in order. */
  readonly args: readonly Node[];
  readonly body: Node;
}

export interface ModelGraph {
  readonly name: string;
  readonly inputs: readonly Node[];
  readonly targets: readonly Node[];
  readonly params: readonly Node[];
  readonly bindings: readonly { readonly name: string; readonly node: Node }[];
  readonly outputs: readonly { readonly name: string; readonly node: Node }[];
  readonly loss: Node;
}

const binaryOps = { "+": "add", "-": "sub", "*": "mul", "/": "div", "^": "pow", "@": "matmul" } as const satisfies Record<
  A.BinaryOp,
  OpName
>;

export class GraphBuilder {
  readonly graph = new Graph();
  private readonly fnGraphs = new Map<string, FnGraph>();

  constructor(readonly checked: CheckedProgram) {}

  fn(name: string): FnGraph {
    const cached = this.fnGraphs.get(name);
    if (cached !== undefined) return cached;
    const fn = this.checked.fns.get(name);
    if (fn === undefined) throw new Error(`internal: no fn '${name}'`);
    // Build callees first, iteratively, so a long chain of calls does not
    // recurse once per function.
    for (const callee of this.calleesInOrder(name)) this.buildFn(callee);
    return this.fnGraphs.get(name)!;
  }

  model(name: string): ModelGraph {
    const model = this.checked.models.get(name);
    if (model === undefined) throw new Error(`internal: no model '${name}'`);
    const env = new Map<ValueSymbol, Node>();
    const variable = (role: VarRole) => (s: ValueSymbol) => {
      const v = this.graph.variable(s.kind === "constant" ? s.name : s.decl.name.name, role, "shape" in s ? (s.shape ?? []) : []);
      env.set(s, v);
      return v;
    };
    const inputs = model.inputs.map(variable("input"));
    const targets = model.targets.map(variable("target"));
    const params = model.params.map(variable("param"));
    const bindings = model.bindings.map((s) => {
      const decl = (s as Extract<ValueSymbol, { kind: "binding" }>).decl;
      const node = this.expr(decl.expr, env);
      env.set(s, node);
      return { name: decl.name.name, node };
    });
    const outputs = model.outputs.map((s) => ({ name: (s as { decl: A.Binding }).decl.name.name, node: env.get(s)! }));
    const loss = this.expr(model.loss!.expr, env);
    return { name, inputs, targets, params, bindings, outputs, loss };
  }

  private calleesInOrder(root: string): string[] {
    const order: string[] = [];
    const seen = new Set<string>([root]);
    const stack: { name: string; calls: string[] }[] = [{ name: root, calls: this.calls(root) }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const next = top.calls.pop();
      if (next === undefined) {
        stack.pop();
        order.push(top.name);
      } else if (!seen.has(next) && !this.fnGraphs.has(next)) {
        seen.add(next);
        stack.push({ name: next, calls: this.calls(next) });
      }
    }
    return order;
  }

  private calls(name: string): string[] {
    const names: string[] = [];
    for (const e of allExprs([this.checked.fns.get(name)!.decl.body])) {
      const callee = e.kind === "call" ? this.checked.calls.get(e) : undefined;
      if (callee?.kind === "fn") names.push(callee.fn.decl.name.name);
    }
    return names;
  }

  private buildFn(name: string): void {
    if (this.fnGraphs.has(name)) return;
    const fn = this.checked.fns.get(name)!;
    const env = new Map<ValueSymbol, Node>();
    const args = fn.args.map((a) => {
      const v = this.graph.variable(a.decl.name.name, "arg", a.shape);
      env.set(a, v);
      return v;
    });
    this.fnGraphs.set(name, { name, args, body: this.expr(fn.decl.body, env) });
  }

  private expr(e: A.Expr, env: ReadonlyMap<ValueSymbol, Node>): Node {
    const g = this.graph;
    switch (e.kind) {
      case "number":
        return g.constant(e.value);
      case "name": {
        const symbol = this.checked.names.get(e)!;
        if (symbol.kind === "dim" || symbol.kind === "constant") return g.constant(symbol.value);
        const node = env.get(symbol);
        if (node === undefined) throw new Error(`internal: '${e.name}' has no node`);
        return node;
      }
      case "neg":
        return g.node("neg", [this.expr(e.operand, env)]);
      case "binary":
        return g.node(binaryOps[e.op], [this.expr(e.left, env), this.expr(e.right, env)]);
      case "index":
        return g.node("index", [this.expr(e.target, env)], { indices: e.indices.map((i) => i.value) });
      case "array":
        return g.node("stack", e.elements.map((el) => this.expr(el, env)));
      case "call":
        return this.call(e, env);
    }
  }

  private call(e: A.Call, env: ReadonlyMap<ValueSymbol, Node>): Node {
    const callee = this.checked.calls.get(e)!;
    const args = e.args.map((a) => this.expr(a, env));
    if (callee.kind === "fn") {
      const fn = this.fn(callee.fn.decl.name.name);
      return substitute(this.graph, [fn.body], new Map(fn.args.map((v, i) => [v, args[i]!])))[0]!;
    }
    if (callee.builtin.name === "diff") {
      const [of, x] = args as [Node, Node];
      const stable = stabilise(this.graph, [of]).roots[0]!;
      return derivative(this.graph, stable, x);
    }
    return this.graph.node(callee.builtin.name, args);
  }
}
