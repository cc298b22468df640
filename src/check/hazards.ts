// Numeric hazards (docs/language.md, NND4xxx): places where a value can reach the edge of
// a function's domain. A small sign analysis says what is certainly positive
// (exp, sigmoid, 1 + x², ...) or at least not negative (x², relu, abs);
// log and division need positive, sqrt and norm2 need it for their
// derivative. Forms that the compiler rewrites into stable ones before
// differentiating (log(sigmoid(z)), bce(sigmoid(z), y), ...) are not hazards.

import type * as A from "../parse/ast.js";
import { warning, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { CheckedProgram } from "./checked.js";

type Sign = "positive" | "nonnegative" | "unknown";

const POSITIVE_FNS = new Set(["exp", "sigmoid", "softplus", "softmax"]);
const NONNEGATIVE_FNS = new Set(["abs", "relu", "norm2", "mse", "huber", "cross_entropy", "softmax_cross_entropy", "bce", "bce_logits"]);

export class HazardFinder {
  private readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly checked: CheckedProgram) {}

  find(): Diagnostic[] {
    for (const fn of this.checked.fns.values()) this.visit(fn.decl.body);
    for (const m of this.checked.models.values()) {
      for (const item of m.decl.items) if (item.kind === "let" || item.kind === "loss") this.visit(item.expr);
    }
    return this.diagnostics;
  }

  /** What an expression is, seeing through named intermediates. */
  private resolve(e: A.Expr): A.Expr {
    for (let i = 0; i < 1000 && e.kind === "name"; i++) {
      const s = this.checked.names.get(e);
      if (s?.kind !== "binding") break;
      e = s.decl.expr;
    }
    return e;
  }

  private isCall(e: A.Expr, ...names: string[]): e is A.Call {
    const r = this.resolve(e);
    return r.kind === "call" && names.includes(r.callee.name);
  }

  private sign(e: A.Expr, depth = 0): Sign {
    if (depth > 200) return "unknown";
    const r = this.resolve(e);
    switch (r.kind) {
      case "number":
        return r.value > 0 ? "positive" : r.value === 0 ? "nonnegative" : "unknown";
      case "name": {
        const s = this.checked.names.get(r);
        if (s?.kind === "dim") return "positive";
        if (s?.kind === "constant") return s.value > 0 ? "positive" : "unknown";
        return "unknown";
      }
      case "neg":
      case "index":
      case "array":
        return r.kind === "array" ? this.all(r.elements, depth) : r.kind === "index" ? this.sign(r.target, depth + 1) : "unknown";
      case "binary": {
        const a = this.sign(r.left, depth + 1);
        const b = this.sign(r.right, depth + 1);
        switch (r.op) {
          case "+":
            return a === "positive" && b !== "unknown" ? "positive" : b === "positive" && a !== "unknown" ? "positive" : a === "nonnegative" && b === "nonnegative" ? "nonnegative" : "unknown";
          case "*":
          case "/":
          case "@":
            return a === "positive" && b === "positive" ? "positive" : a !== "unknown" && b !== "unknown" && r.op !== "/" ? "nonnegative" : "unknown";
          case "^": {
            if (a === "positive") return "positive";
            const even = r.right.kind === "number" && Number.isInteger(r.right.value) && r.right.value % 2 === 0;
            return even || a === "nonnegative" ? "nonnegative" : "unknown";
          }
          default:
            return "unknown";
        }
      }
      case "call": {
        const name = r.callee.name;
        if (POSITIVE_FNS.has(name)) return "positive";
        if (NONNEGATIVE_FNS.has(name)) return "nonnegative";
        if (name === "sqrt") return this.sign(r.args[0]!, depth + 1) === "positive" ? "positive" : "nonnegative";
        if (name === "sum" || name === "mean") return this.sign(r.args[0]!, depth + 1);
        return "unknown";
      }
    }
  }

  private all(items: readonly A.Expr[], depth: number): Sign {
    const signs = items.map((x) => this.sign(x, depth + 1));
    return signs.every((s) => s === "positive") ? "positive" : signs.every((s) => s !== "unknown") ? "nonnegative" : "unknown";
  }

  /** log(1 - sigmoid(z)), log(1 + exp(z)), log(sum(exp(v))): rewritten into stable built-ins. */
  private isStableLog(arg: A.Expr): boolean {
    const r = this.resolve(arg);
    if (r.kind === "binary" && (r.op === "-" || r.op === "+") && r.left.kind === "number" && r.left.value === 1) {
      return this.isCall(r.right, r.op === "-" ? "sigmoid" : "exp");
    }
    if (r.kind === "call" && r.callee.name === "sum") return this.isCall(r.args[0]!, "exp");
    return false;
  }

  private visit(root: A.Expr): void {
    const stack = [root];
    while (stack.length > 0) {
      const e = stack.pop()!;
      if (e.kind === "call") {
        const [first] = e.args;
        const name = e.callee.name;
        if (name === "log" && this.sign(first!) !== "positive" && !this.isStableLog(first!)) {
          this.diagnostics.push(warning("NND4002", e.span));
        }
        if ((name === "sqrt" || name === "norm2") && this.sign(first!) !== "positive") {
          this.diagnostics.push(warning("NND4004", e.span, name));
        }
        if (name === "bce" && !this.isCall(first!, "sigmoid")) this.diagnostics.push(warning("NND4005", e.span, "bce", "bce_logits"));
        if (name === "cross_entropy" && !this.isCall(first!, "softmax")) {
          this.diagnostics.push(warning("NND4005", e.span, "cross_entropy", "softmax_cross_entropy"));
        }
        stack.push(...e.args);
      } else if (e.kind === "binary") {
        if (e.op === "/" && this.sign(e.right) !== "positive") this.diagnostics.push(warning("NND4003", e.right.span));
        stack.push(e.left, e.right);
      } else if (e.kind === "neg") stack.push(e.operand);
      else if (e.kind === "index") stack.push(e.target);
      else if (e.kind === "array") stack.push(...e.elements);
    }
  }
}
