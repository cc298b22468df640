// What makes loop IR well typed, checked: every name declared before it is
// read, index arithmetic in i32 and maths in f64 (never mixed without a
// cast), a buffer only loaded from and stored to, tests of type bool, and a
// return that gives what the function says. Lowering is tested against it
// on every example and on random models, so that a target may rely on the
// types (WebAssembly has no implicit conversions).

import { helperAsFunc, intrinsics, type Expr, type Func, type Helper, type Param, type Stmt, type Type } from "./ir.js";

/** What a name is: a typed number, or a buffer. An integer literal fits f64 and i32 both. */
type Kind = Type | "buffer";
type ExprType = Type | "int";

/** The module-level names a function may use besides its own. */
export interface ModuleScope {
  readonly buffers: Iterable<string>;
  readonly globals: ReadonlyMap<string, Type>;
  readonly helpers: ReadonlyMap<string, Helper>;
}

/** The problems with fn's types, each as a sentence naming the statement; none when it is well typed. */
export function typeProblems(fn: Func, scope: ModuleScope): string[] {
  const names = new Map<string, Kind>([...scope.globals]);
  for (const b of scope.buffers) names.set(b, "buffer");
  for (const p of fn.params) for (const [name, kind] of paramNames(p)) names.set(name, kind);
  const problems: string[] = [];
  const checker = new Checker(scope, problems, fn);
  // The body's own declarations stay in `names`: the results are among them.
  for (const s of fn.body) checker.stmt(s, names);
  if (fn.result.k === "group") for (const f of fn.result.fields) checker.expect(`result ${f.key}`, names.get(f.local), f.kind);
  return problems;
}

/** The problems with a helper's body: its parameters and result are f64. */
export function helperProblems(h: Helper, scope: ModuleScope): string[] {
  return typeProblems(helperAsFunc(h), scope);
}

function paramNames(p: Param): [string, Kind][] {
  if (p.k === "scalar") return [[p.name, p.type]];
  if (p.k === "buffer") return [[p.name, "buffer"]];
  return p.fields.map((f) => [f.local, f.kind]);
}

const fits = (actual: ExprType | Kind | undefined, wanted: Kind): boolean => actual === wanted || (actual === "int" && (wanted === "f64" || wanted === "i32"));

class Checker {
  constructor(
    private readonly scope: ModuleScope,
    private readonly problems: string[],
    private readonly fn: Func,
  ) {}

  expect(where: string, actual: ExprType | Kind | undefined, wanted: Kind): void {
    if (!fits(actual, wanted)) this.problems.push(`${this.fn.name}: ${where} is ${actual ?? "undeclared"}, not ${wanted}`);
  }

  block(stmts: readonly Stmt[], outer: ReadonlyMap<string, Kind>): void {
    const names = new Map(outer);
    for (const s of stmts) this.stmt(s, names);
  }

  stmt(s: Stmt, names: Map<string, Kind>): void {
    const type = (e: Expr) => this.expr(e, names);
    switch (s.k) {
      case "decl":
        this.expect(`the value of ${s.name}`, type(s.init), s.type);
        names.set(s.name, s.type);
        return;
      case "set": {
        const kind = names.get(s.name);
        this.expect(`the value set to ${s.name}`, type(s.value), kind === "i32" || kind === "f64" ? kind : "f64");
        if (kind === "buffer" || kind === "bool" || kind === undefined) this.expect(s.name, kind, "f64");
        return;
      }
      case "store":
        this.expect(`the buffer ${s.array}`, names.get(s.array), "buffer");
        this.expect(`the index into ${s.array}`, type(s.at), "i32");
        this.expect(`the value stored in ${s.array}`, type(s.value), "f64");
        return;
      case "for":
        this.expect(`the start of loop ${s.index}`, type(s.from), "i32");
        this.expect(`the bound of loop ${s.index}`, type(s.to), "i32");
        this.block(s.body, new Map([...names, [s.index, "i32"]]));
        return;
      case "if":
        this.expect("a test", type(s.test), "bool");
        this.block(s.body, names);
        return;
      case "product": {
        const p = s.product;
        for (const [what, m] of [["out", p.out], ["left", p.left], ["right", p.right]] as const) {
          this.expect(`the product's ${what} buffer ${m.array}`, names.get(m.array), "buffer");
          this.expect(`the product's ${what} offset`, type(m.offset), "i32");
        }
        this.expect("the product's columns", type(p.cols), "i32");
        this.expect("the product's depth", type(p.depth), "i32");
        this.block(s.body, names);
        return;
      }
      case "alloc":
        this.expect(`the size of ${s.name}`, type(s.size), "i32");
        names.set(s.name, "buffer");
        return;
      case "return": {
        const r = this.fn.result;
        const wanted = r.k === "scalar" ? r.type : r.k === "buffer" ? "buffer" : undefined;
        if (wanted === undefined) this.problems.push(`${this.fn.name}: returns a value, but gives ${r.k === "group" ? "a group" : "none"}`);
        else this.expect("the value returned", s.value.k === "ref" ? names.get(s.value.name) : type(s.value), wanted);
        return;
      }
      case "comment":
        return;
    }
  }

  private expr(e: Expr, names: ReadonlyMap<string, Kind>): ExprType | undefined {
    const type = (x: Expr) => this.expr(x, names);
    switch (e.k) {
      case "num":
        return Number.isInteger(e.value) ? "int" : "f64";
      case "ref": {
        const kind = names.get(e.name);
        if (kind === "buffer") return this.expect(`${e.name} as a number`, kind, "f64"), undefined;
        return kind;
      }
      case "load":
        this.expect(`the buffer ${e.array}`, names.get(e.array), "buffer");
        this.expect(`the index into ${e.array}`, type(e.at), "i32");
        return "f64";
      case "neg":
        return this.numeric("a negation", type(e.a));
      case "bin": {
        const [a, b] = [type(e.a), type(e.b)];
        const same = a === "int" ? b : b === "int" ? a : a === b ? a : undefined;
        if (same === undefined || same === "bool") this.problems.push(`${this.fn.name}: ${e.op} between ${a} and ${b}`);
        if (e.op === "/") this.expect("a quotient", same, "f64");
        return ["<", ">", ">=", "==", "!="].includes(e.op) ? "bool" : same;
      }
      case "intrinsic": {
        const sig = intrinsics[e.fn];
        e.args.forEach((x, i) => this.expect(`argument ${i + 1} of ${e.fn}`, type(x), sig.args[i] ?? "f64"));
        if (e.args.length !== sig.args.length) this.problems.push(`${this.fn.name}: ${e.fn} takes ${sig.args.length} arguments, not ${e.args.length}`);
        return sig.result;
      }
      case "call": {
        const h = this.scope.helpers.get(e.fn);
        if (h === undefined) this.problems.push(`${this.fn.name}: calls ${e.fn}, which the module does not define`);
        else if (h.params.length !== e.args.length) this.problems.push(`${this.fn.name}: ${e.fn} takes ${h.params.length} arguments, not ${e.args.length}`);
        e.args.forEach((x, i) => this.expect(`argument ${i + 1} of ${e.fn}`, type(x), "f64"));
        return "f64";
      }
      case "cond": {
        this.expect("a test", type(e.test), "bool");
        const [a, b] = [type(e.then), type(e.else)];
        return a === "int" ? b : b === "int" ? a : a === b ? a : (this.problems.push(`${this.fn.name}: a conditional of ${a} or ${b}`), undefined);
      }
      case "cast":
        this.expect(`the operand of a cast to ${e.to}`, type(e.a), e.to === "i32" ? "f64" : "i32");
        return e.to;
    }
  }

  private numeric(where: string, t: ExprType | undefined): ExprType | undefined {
    if (t === "bool" || t === undefined) this.problems.push(`${this.fn.name}: ${where} of ${t ?? "undeclared"}`);
    return t;
  }
}
