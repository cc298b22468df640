// `nndc explain --fn F --wrt x`: the derivation a learner writes by hand,
// read off the source: which rule applies to each subexpression (sum,
// product, quotient, power, chain through each built-in and each fn), in the
// order one works it out. The result itself comes from the real pipeline.

import type * as A from "../parse/ast.js";
import type { CheckedFn, CheckedProgram } from "../check/checked.js";
import { printExpr } from "../format/print-expr.js";
import { opDef } from "../ops/index.js";

export interface ExplainStep {
  readonly rule: string;
  readonly text: string;
}

const group = (text: string) => (/^[\w.]+$|^\w+\(.*\)$/.test(text) && balanced(text) ? text : `(${text})`);
function balanced(text: string): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "(") depth++;
    if (text[i] === ")" && --depth === 0 && i < text.length - 1) return false;
  }
  return true;
}

export class FnExplainer {
  private readonly steps: ExplainStep[] = [];
  private readonly explained = new Set<string>();
  private readonly fnsToExplain: CheckedFn[] = [];

  constructor(private readonly checked: CheckedProgram) {}

  explain(fn: CheckedFn, wrt: string): ExplainStep[] {
    const args = fn.decl.args.map((a) => a.name.name).join(", ");
    this.steps.push({ rule: "definition", text: `${fn.decl.name.name}(${args}) = ${printExpr(fn.decl.body)}` });
    this.derive(fn.decl.body, wrt, new Set([wrt]));
    // Then each fn the chain rule went through, by its own argument(s).
    for (let i = 0; i < this.fnsToExplain.length; i++) {
      const callee = this.fnsToExplain[i]!;
      const calleeArgs = callee.decl.args.map((a) => a.name.name);
      this.steps.push({ rule: `fn ${callee.decl.name.name}`, text: `${callee.decl.name.name}(${calleeArgs.join(", ")}) = ${printExpr(callee.decl.body)}` });
      for (const a of calleeArgs) this.derive(callee.decl.body, a, new Set([a]));
    }
    return this.steps;
  }

  /** Records the rule for d/dv e, then recurses into the parts it leaves to do. */
  private derive(e: A.Expr, v: string, variables: ReadonlySet<string>): void {
    const text = printExpr(e);
    const d = (x: A.Expr) => `d/d${v} ${group(printExpr(x))}`;
    const key = `${v}|${text}`;
    if (this.explained.has(key)) return;
    this.explained.add(key);
    const step = (rule: string, result: string): void => {
      this.steps.push({ rule, text: `d/d${v} ${group(text)} = ${result}` });
    };
    const depends = (x: A.Expr) => this.dependsOn(x, variables);
    if (!depends(e)) return step("constant", "0");

    switch (e.kind) {
      case "number":
        return step("constant", "0");
      case "name":
        return step("identity", "1");
      case "neg":
        step("negation", `-${d(e.operand)}`);
        return this.derive(e.operand, v, variables);
      case "binary":
        return this.binary(e, v, variables, step, d);
      case "index":
        step("indexing", `(${d(e.target)})${text.slice(printExpr(e.target).length)}`);
        return this.derive(e.target, v, variables);
      case "array":
        step("entry by entry", `[${e.elements.map(d).join(", ")}]`);
        for (const el of e.elements) this.derive(el, v, variables);
        return;
      case "call":
        return this.call(e, v, variables, step, d);
    }
  }

  private binary(e: A.Binary, v: string, variables: ReadonlySet<string>, step: (rule: string, result: string) => void, d: (x: A.Expr) => string) {
    const [a, b] = [printExpr(e.left), printExpr(e.right)];
    const da = this.dependsOn(e.left, variables);
    const db = this.dependsOn(e.right, variables);
    switch (e.op) {
      case "+":
      case "-":
        step(e.op === "+" ? "sum rule" : "difference rule", `${d(e.left)} ${e.op} ${d(e.right)}`);
        break;
      case "*":
      case "@":
        if (!da) step("constant factor", `${group(a)} ${e.op} ${d(e.right)}`);
        else if (!db) step("constant factor", `${d(e.left)} ${e.op} ${group(b)}`);
        else step(e.op === "*" ? "product rule" : "product rule (matrix)", `${d(e.left)} ${e.op} ${group(b)} + ${group(a)} ${e.op} ${d(e.right)}`);
        break;
      case "/":
        if (!db) step("constant divisor", `${d(e.left)} / ${group(b)}`);
        else step("quotient rule", `(${d(e.left)} * ${group(b)} - ${group(a)} * ${d(e.right)}) / ${group(b)}^2`);
        break;
      case "^": {
        if (!db && e.right.kind === "number") {
          const n = e.right.value - 1;
          const power = n === 0 ? "" : n === 1 ? ` * ${group(a)}` : ` * ${group(a)}^${n}`;
          step("power rule", `${e.right.text}${power} * ${d(e.left)}`);
        } else if (!da) step("exponential rule", `${group(a)}^${group(b)} * log(${a}) * ${d(e.right)}`);
        else step("power rule (variable exponent)", `${group(a)}^${group(b)} * (${d(e.right)} * log(${a}) + ${group(b)} * ${d(e.left)} / ${group(a)})`);
        break;
      }
    }
    // In a sum every part is differentiated, constants too (d/dx 1 = 0).
    const sum = e.op === "+" || e.op === "-";
    if (da || sum) this.derive(e.left, v, variables);
    if (db || sum) this.derive(e.right, v, variables);
  }

  private call(e: A.Call, v: string, variables: ReadonlySet<string>, step: (rule: string, result: string) => void, d: (x: A.Expr) => string) {
    const callee = this.checked.calls.get(e)!;
    const args = e.args.map(printExpr);
    if (callee.kind === "fn") {
      const fn = callee.fn;
      const name = fn.decl.name.name;
      const parts = e.args
        .map((arg, i) => ({ arg, i }))
        .filter(({ arg }) => this.dependsOn(arg, variables))
        .map(({ arg, i }) => {
          const outer = fn.args.length === 1 ? `${name}'(${args.join(", ")})` : `∂${name}/∂${fn.args[i]!.decl.name.name}(${args.join(", ")})`;
          return `${outer} * ${d(arg)}`;
        });
      step(`chain rule through fn ${name}`, parts.join(" + "));
      if (!this.fnsToExplain.includes(fn)) this.fnsToExplain.push(fn);
      for (const arg of e.args) if (this.dependsOn(arg, variables)) this.derive(arg, v, variables);
      return;
    }
    const name = callee.builtin.name;
    if (name === "diff") {
      step("higher derivative", `the derivative of ${group(args[0]!)} by ${args[1]}, differentiated again`);
      return;
    }
    const { params, partials } = opDef(name).builtin!;
    if (partials !== undefined) {
      const atArgs = partials(args);
      const rule = e.args.length === 1 ? `${name}' = ${partials(params)[0]!}` : partials(params).map((p, i) => `∂${name}/∂${params[i]} = ${p}`).join(", ");
      const parts = e.args.flatMap((a, i) => (this.dependsOn(a, variables) ? [`${group(atArgs[i]!)} * ${d(a)}`] : []));
      step(`chain rule (${rule})`, parts.join(" + "));
    } else {
      const parts = e.args.filter((a) => this.dependsOn(a, variables)).map((a) => `∂${name}/∂(${printExpr(a)}) · ${d(a)}`);
      step(`chain rule through ${name}`, parts.join(" + "));
    }
    for (const arg of e.args) if (this.dependsOn(arg, variables)) this.derive(arg, v, variables);
  }

  private dependsOn(e: A.Expr, variables: ReadonlySet<string>): boolean {
    const stack = [e];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (x.kind === "name") {
        const s = this.checked.names.get(x);
        if (variables.has(x.name) && s !== undefined && s.kind !== "dim" && s.kind !== "constant") return true;
      } else if (x.kind === "neg") stack.push(x.operand);
      else if (x.kind === "binary") stack.push(x.left, x.right);
      else if (x.kind === "call") stack.push(...x.args);
      else if (x.kind === "index") stack.push(x.target);
      else if (x.kind === "array") stack.push(...x.elements);
    }
    return false;
  }
}
