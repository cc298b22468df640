// Generic access to the children of AST nodes, for passes that only need to
// visit (depth checks, call graphs, fuzz invariants).

import type { Expr, TopDecl, ModelItem } from "./ast.js";

export function childExprs(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case "number":
    case "name":
      return [];
    case "neg":
      return [e.operand];
    case "binary":
      return [e.left, e.right];
    case "call":
      return e.args;
    case "index":
      return [e.target];
    case "array":
      return e.elements;
  }
}

export function itemExprs(item: ModelItem): readonly Expr[] {
  switch (item.kind) {
    case "let":
    case "loss":
      return [item.expr];
    case "param":
      return item.init?.args ?? [];
    case "input":
    case "target":
    case "output":
      return [];
  }
}

export function declExprs(decl: TopDecl): readonly Expr[] {
  switch (decl.kind) {
    case "dim":
      return [];
    case "fn":
      return [decl.body];
    case "model":
      return decl.items.flatMap(itemExprs);
  }
}

/** Every expression node under the roots, iteratively, parents before children. */
export function* allExprs(roots: readonly Expr[]): Generator<Expr> {
  const stack = [...roots].reverse();
  while (stack.length > 0) {
    const e = stack.pop()!;
    yield e;
    const children = childExprs(e);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
}
