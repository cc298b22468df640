// Shape inference for expressions. Each operator and built-in has one rule;
// a subexpression with an error has no shape (undefined) and its parents stay
// quiet, so one mistake gives one diagnostic.

import type * as A from "../parse/ast.js";
import { error, type Diagnostic } from "../diagnostics/diagnostic.js";
import { sameShape, scalar, type Shape } from "../tensor/shape.js";
import type { Span } from "../diagnostics/source.js";
import { builtins } from "./builtins.js";
import type { Callee, CheckedFn, ValueSymbol } from "./checked.js";
import { suggest } from "./suggest.js";

/** Where names are looked up: a fn's arguments, a model's declarations, or constants only. */
export interface Scope {
  /** Resolves a name at a use; reports a diagnostic and returns undefined if it cannot. */
  lookup(name: string, span: Span): ValueSymbol | undefined;
  /** Every name visible here, for "did you mean". */
  visibleNames(): Iterable<string>;
}

export interface ExprTables {
  readonly shapes: Map<A.Expr, Shape>;
  readonly names: Map<A.NameRef, ValueSymbol>;
  readonly calls: Map<A.Call, Callee>;
  readonly fns: ReadonlyMap<string, CheckedFn>;
  readonly diagnostics: Diagnostic[];
}

const DIFF_VARIABLES = new Set<ValueSymbol["kind"]>(["arg", "param", "input", "target"]);

export function describeSymbol(symbol: ValueSymbol | undefined): string {
  switch (symbol?.kind) {
    case undefined:
      return "an expression";
    case "dim":
      return "a dim";
    case "constant":
      return "a constant";
    case "arg":
      return "an argument";
    case "input":
      return "an input";
    case "target":
      return "a target";
    case "param":
      return "a param";
    case "binding":
      return "a named intermediate";
  }
}

export class ExprChecker {
  constructor(private readonly t: ExprTables) {}

  private report(d: Diagnostic): undefined {
    this.t.diagnostics.push(d);
    return undefined;
  }

  check(e: A.Expr, scope: Scope): Shape | undefined {
    const shape = this.infer(e, scope);
    if (shape !== undefined) this.t.shapes.set(e, shape);
    return shape;
  }

  private infer(e: A.Expr, scope: Scope): Shape | undefined {
    switch (e.kind) {
      case "number":
        return scalar;
      case "name":
        return this.name(e, scope);
      case "neg":
        return this.check(e.operand, scope);
      case "binary":
        return this.binary(e, scope);
      case "call":
        return this.call(e, scope);
      case "index":
        return this.index(e, scope);
      case "array":
        return this.array(e, scope);
    }
  }

  private name(e: A.NameRef, scope: Scope): Shape | undefined {
    const symbol = scope.lookup(e.name, e.span);
    if (symbol === undefined) return undefined;
    this.t.names.set(e, symbol);
    return symbol.kind === "dim" || symbol.kind === "constant" ? scalar : symbol.shape;
  }

  private binary(e: A.Binary, scope: Scope): Shape | undefined {
    const a = this.check(e.left, scope);
    const b = this.check(e.right, scope);
    if (a === undefined || b === undefined) return undefined;
    if (e.op === "@") return this.matmul(e, a, b);
    if (sameShape(a, b) || b.length === 0) return a;
    if (a.length === 0) return b;
    return this.report(error("NND2001", e.span, e.op, a, b));
  }

  /** The four cases of `@` (docs/language.md, Expressions). */
  private matmul(e: A.Binary, a: Shape, b: Shape): Shape | undefined {
    if (a.length === 0 || b.length === 0) {
      return this.report(error("NND2006", e.span, a, b, "@ needs vectors or matrices; use * to scale by a scalar"));
    }
    const inner = a[a.length - 1]!;
    const outer = b[0]!;
    if (inner !== outer) {
      return this.report(error("NND2006", e.span, a, b, `the inner sizes ${inner} and ${outer} differ`));
    }
    return [...a.slice(0, -1), ...b.slice(1)];
  }

  private call(e: A.Call, scope: Scope): Shape | undefined {
    const name = e.callee.name;
    const builtin = builtins.get(name);
    const fn = this.t.fns.get(name);
    if (builtin === undefined && fn === undefined) {
      for (const arg of e.args) this.check(arg, scope);
      if ([...scope.visibleNames()].includes(name)) return this.report(error("NND2020", e.callee.span, name, false));
      const hint = suggest(name, [...builtins.keys(), ...this.t.fns.keys()]);
      return this.report(error("NND2002", e.callee.span, name, hint));
    }
    const params = builtin?.params ?? fn!.decl.args.map((a) => a.name.name);
    if (e.args.length !== params.length) {
      for (const arg of e.args) this.check(arg, scope);
      const expected = `${params.length} argument${params.length === 1 ? "" : "s"} (${params.join(", ")})`;
      return this.report(error("NND2005", e.span, name, expected, e.args.length));
    }
    const shapes = e.args.map((arg) => this.check(arg, scope));
    if (builtin?.name === "diff" && !this.isDiffVariable(e.args[1]!)) return undefined;
    if (shapes.some((s) => s === undefined)) return undefined;
    const argShapes = shapes as Shape[];

    if (builtin !== undefined) {
      this.t.calls.set(e, { kind: "builtin", builtin });
      const result = builtin.shape(argShapes);
      if ("problem" in result) {
        const at = result.arg === undefined ? e.span : e.args[result.arg]!.span;
        return this.report(error("NND2014", at, name, result.problem));
      }
      if (result.length > 2) return this.report(error("NND2016", e.span, result));
      return result;
    }
    this.t.calls.set(e, { kind: "fn", fn: fn! });
    let ok = true;
    fn!.args.forEach((param, i) => {
      const expected = param.shape;
      if (!sameShape(expected, argShapes[i]!)) {
        ok = false;
        this.report(error("NND2022", e.args[i]!.span, name, i + 1, expected, argShapes[i]!));
      }
    });
    return ok ? fn!.result : undefined;
  }

  /** `diff(e, x)`: x must name a variable, not an intermediate or an expression. */
  private isDiffVariable(x: A.Expr): boolean {
    if (x.kind !== "name") {
      this.report(error("NND2015", x.span, undefined, "an expression"));
      return false;
    }
    const symbol = this.t.names.get(x);
    if (symbol === undefined) return false; // already reported
    if (DIFF_VARIABLES.has(symbol.kind)) return true;
    this.report(error("NND2015", x.span, x.name, describeSymbol(symbol)));
    return false;
  }

  private index(e: A.Index, scope: Scope): Shape | undefined {
    const shape = this.check(e.target, scope);
    if (shape === undefined) return undefined;
    if (e.indices.length > shape.length) {
      return this.report(error("NND2013", e.span, shape, e.indices.length));
    }
    let ok = true;
    e.indices.forEach((index, axis) => {
      if (index.value >= shape[axis]!) {
        ok = false;
        this.report(error("NND2012", index.span, index.value, shape[axis]!, axis, shape));
      }
    });
    return ok ? shape.slice(e.indices.length) : undefined;
  }

  /** `[1, 2, 3]` is a vector; `[[1, 2], [3, 4]]` a matrix, row by row. */
  private array(e: A.ArrayLit, scope: Scope): Shape | undefined {
    const shapes = e.elements.map((el) => this.check(el, scope));
    if (e.elements.length === 0) return this.report(error("NND2023", e.span, "is empty; write 0 for a scalar zero"));
    if (shapes.some((s) => s === undefined)) return undefined;
    const first = shapes[0]!;
    const odd = shapes.findIndex((s) => !sameShape(s!, first));
    if (odd >= 0) {
      return this.report(
        error("NND2023", e.elements[odd]!.span, `mixes elements of shape [${first.join(", ")}] and [${shapes[odd]!.join(", ")}]`),
      );
    }
    if (first.length > 1) return this.report(error("NND2016", e.span, [e.elements.length, ...first]));
    return [e.elements.length, ...first];
  }
}
