// Name resolution and shape checking of a whole program. Reports every error
// it can find in one run and never throws on user input.
//
// Two namespaces, as in the language: values (dims, pi, arguments, inputs,
// targets, params, intermediates) and functions (built-ins and `fn`s), so a
// binding may be called `mean` and still `mean(v)` is the built-in.

import type * as A from "../parse/ast.js";
import { allExprs } from "../parse/walk.js";
import { error, warning, where, type Diagnostic } from "../diagnostics/diagnostic.js";
import { MAX_SIZE } from "../diagnostics/messages.js";
import type { Shape } from "../tensor/shape.js";
import type { Span } from "../diagnostics/source.js";
import { builtinConstants, builtins } from "./builtins.js";
import type { ArgSymbol, CheckedFn, CheckedModel, CheckedProgram, Init, ValueSymbol } from "./checked.js";
import { evaluateConstant } from "./constant.js";
import { describeSymbol, ExprChecker, type ExprTables, type Scope } from "./expr.js";
import { orderFunctions } from "./call-graph.js";
import { HazardFinder } from "./hazards.js";
import { findOversized } from "./size.js";
import { defaultInit, initSchemes, type InitName } from "./inits.js";
import { suggest } from "./suggest.js";

export interface CheckResult {
  readonly checked: CheckedProgram;
  readonly diagnostics: readonly Diagnostic[];
}

export function check(program: A.Program): CheckResult {
  return new Checker(program).run();
}

class Checker {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly dims = new Map<string, { decl: A.DimDecl; value: number }>();
  private readonly fns = new Map<string, CheckedFn>();
  private readonly models = new Map<string, CheckedModel>();
  /** Functions with an error in their signature: no warnings about them. */
  private readonly brokenSignatures = new Set<CheckedFn>();
  private readonly tables: ExprTables;
  private readonly exprs: ExprChecker;

  constructor(private readonly program: A.Program) {
    this.tables = { shapes: new Map(), names: new Map(), calls: new Map(), fns: this.fns, diagnostics: this.diagnostics };
    this.exprs = new ExprChecker(this.tables);
  }

  run(): CheckResult {
    const decls = this.program.decls;
    const topLevel = new Map<string, Span>(); // dims and fns share one namespace
    const declare = (name: A.Ident, what: "dim" | "fn") => {
      if (builtinConstants.has(name.name)) return this.report(error("NND2021", name.span, name.name, "a built-in constant"));
      if (what === "fn" && builtins.has(name.name)) return this.report(error("NND2021", name.span, name.name, "a built-in function"));
      const previous = topLevel.get(name.name);
      if (previous !== undefined) return this.report(error("NND2003", name.span, name.name, where(previous)));
      topLevel.set(name.name, name.span);
      return true;
    };

    for (const d of decls) if (d.kind === "dim" && declare(d.name, "dim")) this.declareDim(d);
    const fnDecls = decls.filter((d): d is A.FnDecl => d.kind === "fn");
    for (const d of fnDecls) if (declare(d.name, "fn")) this.fns.set(d.name.name, this.signature(d));
    for (const { fn, cycle } of orderFunctions(this.fns)) {
      if (cycle !== undefined) this.report(error("NND2011", cycle.at, cycle.names));
      this.checkFnBody(fn);
    }
    for (const d of decls) if (d.kind === "model") this.checkModel(d);

    const dims = new Map([...this.dims].map(([name, { value }]) => [name, value]));
    const { shapes, names, calls } = this.tables;
    const checked: CheckedProgram = { program: this.program, dims, fns: this.fns, models: this.models, shapes, names, calls };
    // Sizes and hazards only make sense in a program that is otherwise right.
    if (!this.diagnostics.some((d) => d.severity === "error")) this.diagnostics.push(...findOversized(checked));
    if (!this.diagnostics.some((d) => d.severity === "error")) this.diagnostics.push(...new HazardFinder(checked).find());
    return { checked, diagnostics: this.diagnostics };
  }

  private report(d: Diagnostic): false {
    this.diagnostics.push(d);
    return false;
  }

  private declareDim(d: A.DimDecl): void {
    const value = d.value.value;
    if (value < 1 || value > MAX_SIZE) {
      this.report(error("NND2017", d.value.span, `dim '${d.name.name}'`, d.value.text));
      return;
    }
    this.dims.set(d.name.name, { decl: d, value });
  }

  /** Top-level values every scope sees: dims and built-in constants. */
  private globalValue(name: string): ValueSymbol | undefined {
    const dim = this.dims.get(name);
    if (dim !== undefined) return { kind: "dim", decl: dim.decl, value: dim.value };
    const constant = builtinConstants.get(name);
    return constant === undefined ? undefined : { kind: "constant", name, value: constant };
  }

  private unknownValue(name: string, span: Span, visible: Iterable<string>): undefined {
    if (builtins.has(name) || this.fns.has(name)) this.report(error("NND2020", span, name, true));
    else this.report(error("NND2002", span, name, suggest(name, [...visible, ...this.dims.keys(), ...builtinConstants.keys()])));
    return undefined;
  }

  /** A declared shape with dims resolved; undefined (reported) if it is not valid. */
  private shape(s: A.ShapeAst): Shape | undefined {
    const sizes: number[] = [];
    let ok = true;
    for (const size of s.sizes) {
      if (size.kind === "int") {
        if (size.lit.value < 1 || size.lit.value > MAX_SIZE) ok = this.report(error("NND2017", size.lit.span, "a size", size.lit.text));
        sizes.push(size.lit.value);
      } else {
        const dim = this.dims.get(size.ref.name);
        if (dim === undefined) {
          ok = this.report(error("NND2002", size.ref.span, size.ref.name, suggest(size.ref.name, this.dims.keys())));
        } else sizes.push(dim.value);
      }
    }
    if (ok && sizes.length > 2) ok = this.report(error("NND2016", s.span, sizes));
    return ok ? sizes : undefined;
  }

  // ---- functions

  private signature(d: A.FnDecl): CheckedFn {
    const errorsBefore = this.diagnostics.length;
    const seen = new Map<string, Span>();
    const args: ArgSymbol[] = [];
    d.args.forEach((arg, index) => {
      const name = arg.name.name;
      const previous = seen.get(name) ?? this.dims.get(name)?.decl.name.span;
      if (builtinConstants.has(name)) this.report(error("NND2021", arg.name.span, name, "a built-in constant"));
      else if (previous !== undefined) this.report(error("NND2003", arg.name.span, name, where(previous)));
      seen.set(name, arg.name.span);
      // A bad shape still declares the argument, so uses of it do not cascade.
      const shape = arg.shape === undefined ? [] : (this.shape(arg.shape) ?? []);
      args.push({ kind: "arg", decl: arg, index, shape });
    });
    const fn: CheckedFn = { decl: d, args, result: undefined };
    if (this.diagnostics.length > errorsBefore) this.brokenSignatures.add(fn);
    return fn;
  }

  private checkFnBody(fn: CheckedFn): void {
    const args = new Map(fn.args.map((a) => [a.decl.name.name, a]));
    const scope: Scope = {
      lookup: (name, span) =>
        args.get(name) ?? this.globalValue(name) ?? this.unknownValue(name, span, args.keys()),
      visibleNames: () => [...args.keys(), ...this.dims.keys(), ...builtinConstants.keys()],
    };
    fn.result = this.exprs.check(fn.decl.body, scope);
    // An argument whose use failed to check is not "unused": stay quiet.
    if (fn.result === undefined || this.brokenSignatures.has(fn)) return;

    const used = new Set<ValueSymbol>();
    for (const e of allExprs([fn.decl.body])) {
      if (e.kind === "name") {
        const symbol = this.tables.names.get(e);
        if (symbol !== undefined) used.add(symbol);
      }
    }
    for (const arg of fn.args) {
      if (!used.has(arg)) this.report(warning("NND4001", arg.decl.name.span, arg.decl.name.name, fn.decl.name.name));
    }
  }

  // ---- models

  private checkModel(d: A.ModelDecl): void {
    const name = d.name.name;
    const previous = this.models.get(name);
    if (previous !== undefined) this.report(error("NND2003", d.name.span, name, where(previous.decl.name.span)));
    const model: CheckedModel = { decl: d, inputs: [], targets: [], params: [], bindings: [], outputs: [], loss: undefined };
    if (previous === undefined) this.models.set(name, model);

    // Every local name and where it is first defined, to tell "used before its
    // definition" from "unknown".
    const declaredAt = new Map<string, Span>();
    for (const item of d.items) {
      if (item.kind !== "loss" && item.kind !== "output" && !declaredAt.has(item.name.name)) {
        declaredAt.set(item.name.name, item.name.span);
      }
    }
    const defined = new Map<string, ValueSymbol>();
    const scope: Scope = {
      lookup: (n, span) => {
        const local = defined.get(n);
        if (local !== undefined) return local;
        const later = declaredAt.get(n);
        if (later !== undefined) return this.report(error("NND2004", span, n, where(later))) || undefined;
        return this.globalValue(n) ?? this.unknownValue(n, span, defined.keys());
      },
      visibleNames: () => [...defined.keys(), ...this.dims.keys(), ...builtinConstants.keys()],
    };
    const define = (ident: A.Ident, symbol: ValueSymbol, list: ValueSymbol[]) => {
      const n = ident.name;
      const before = defined.get(n);
      const dim = this.dims.get(n);
      if (builtinConstants.has(n)) this.report(error("NND2021", ident.span, n, "a built-in constant"));
      else if (before !== undefined) this.report(error("NND2003", ident.span, n, where(declaredAt.get(n)!)));
      else if (dim !== undefined) this.report(error("NND2003", ident.span, n, where(dim.decl.name.span)));
      else defined.set(n, symbol);
      list.push(symbol);
    };

    const outputsAt = new Map<string, Span>();
    for (const item of d.items) {
      switch (item.kind) {
        case "input":
        case "target": {
          const shape = this.shape(item.shape);
          const list = item.kind === "input" ? model.inputs : model.targets;
          define(item.name, { kind: item.kind, decl: item, shape: shape ?? [] }, list);
          break;
        }
        case "param": {
          const shape = this.shape(item.shape);
          const init = this.init(item, shape?.length ?? 0, (n) => declaredAt.has(n));
          define(item.name, { kind: "param", decl: item, shape: shape ?? [], init }, model.params);
          break;
        }
        case "let": {
          const shape = this.exprs.check(item.expr, scope);
          define(item.name, { kind: "binding", decl: item, shape }, model.bindings);
          break;
        }
        case "output": {
          const n = item.name.name;
          const symbol = scope.lookup(n, item.name.span);
          if (symbol === undefined) break;
          const first = outputsAt.get(n);
          if (symbol.kind !== "binding") this.report(error("NND2010", item.name.span, n, describeSymbol(symbol)));
          else if (first !== undefined) this.report(error("NND2024", item.name.span, n, where(first)));
          else {
            outputsAt.set(n, item.name.span);
            model.outputs.push(symbol);
          }
          break;
        }
        case "loss": {
          const shape = this.exprs.check(item.expr, scope);
          if (model.loss !== undefined) this.report(error("NND2008", item.span, where(model.loss.span)));
          else {
            model.loss = item;
            if (shape !== undefined && shape.length !== 0) this.report(error("NND2009", item.expr.span, shape));
          }
          break;
        }
      }
    }
    if (model.loss === undefined) this.report(error("NND2007", d.name.span, name));
  }

  /** `~ normal(0, 0.1)`: a known scheme, the right number of constant arguments. */
  private init(p: A.ParamDecl, rank: number, isLocal: (name: string) => boolean): Init {
    const fallback: Init = { scheme: defaultInit(rank), args: [] };
    if (p.init === undefined) return fallback;
    const { name, args = [] } = p.init;
    const scheme = initSchemes.get(name.name);
    if (scheme === undefined) {
      const known = [...initSchemes.keys()];
      const hint = suggest(name.name, known);
      const detail = `unknown initialiser '${name.name}'${hint ? `; did you mean '${hint}'?` : ""} (known: ${known.join(", ")})`;
      this.report(error("NND2018", name.span, detail));
      return fallback;
    }
    if (args.length !== scheme.params.length) {
      const expected = scheme.params.length === 0 ? "no arguments" : `${scheme.params.length} argument${scheme.params.length === 1 ? "" : "s"} (${scheme.params.join(", ")})`;
      this.report(error("NND2018", p.init.span, `'${name.name}' takes ${expected}, but ${args.length} ${args.length === 1 ? "was" : "were"} given`));
      return fallback;
    }
    const values: number[] = [];
    for (const arg of args) {
      const r = evaluateConstant(arg, (n) => {
        const symbol = this.globalValue(n);
        return symbol?.kind === "dim" || symbol?.kind === "constant" ? symbol.value : undefined;
      });
      if ("value" in r) {
        if (Number.isFinite(r.value)) values.push(r.value);
        else this.report(error("NND2018", arg.span, `this argument of '${name.name}' is ${r.value}, not a finite number`));
      } else if (r.notConstant.kind === "name" && !isLocal(r.notConstant.name)) {
        const n = r.notConstant.name;
        this.report(error("NND2002", r.notConstant.span, n, suggest(n, [...this.dims.keys(), ...builtinConstants.keys()])));
      } else {
        this.report(error("NND2019", r.notConstant.span, `an argument of '${name.name}'`));
      }
    }
    if (values.length !== args.length) return fallback;
    const problem = scheme.validate?.(values);
    if (problem !== undefined) {
      this.report(error("NND2018", p.init.span, problem));
      return fallback;
    }
    return { scheme: name.name as InitName, args: values };
  }
}
