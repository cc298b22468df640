// Numeric hazards (docs/language.md, NND4xxx): places where a value can reach the edge of
// a function's domain. A small sign analysis says what is certainly positive
// (exp, sigmoid, 1 + x², ...) or at least not negative (x², relu, abs);
// log and division need positive, sqrt and norm2 need it for their
// derivative. Forms that the compiler rewrites into stable ones before
// differentiating (log(sigmoid(z)), bce(sigmoid(z), y), ...) are not hazards,
// nor is an even power of norm2 (‖x‖² is rewritten into Σ x², smooth at 0).

import type * as A from "../parse/ast.js";
import { warning, type Diagnostic } from "../diagnostics/diagnostic.js";
import { allExprs } from "../parse/walk.js";
import type { CheckedProgram } from "./checked.js";
import { builtinOps, opDef } from "../ops/index.js";

type Sign = "positive" | "nonnegative" | "unknown";

const withRange = (range: "positive" | "nonnegative") => new Set<string>(builtinOps.filter((op) => opDef(op).builtin!.range === range));
const POSITIVE_FNS = withRange("positive");
const NONNEGATIVE_FNS = withRange("nonnegative");

export class HazardFinder {
  private readonly diagnostics: Diagnostic[] = [];
  /** norm2 calls bound to a name, and whether every use of the name so far is as the base of an even power. */
  private readonly normBindings = new Map<A.Expr, boolean>();

  constructor(private readonly checked: CheckedProgram) {}

  find(): Diagnostic[] {
    for (const fn of this.checked.fns.values()) this.visit(fn.decl.body);
    for (const m of this.checked.models.values()) {
      const exprs = m.decl.items.flatMap((item) => (item.kind === "let" || item.kind === "loss" ? [item.expr] : []));
      exprs.forEach((e) => this.recordNormUses(e));
      exprs.forEach((e) => this.visit(e));
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

  /** e itself if it is norm2(x)^k for an even k > 0: differentiated as (Σ x²)^(k/2), which has no kink at 0. */
  private evenPowerOfNorm(e: A.Expr): A.Binary | undefined {
    if (e.kind !== "binary" || e.op !== "^" || !this.isCall(e.left, "norm2")) return undefined;
    const k = e.right.kind === "number" ? e.right.value : undefined;
    return k !== undefined && k > 0 && Number.isInteger(k / 2) ? e : undefined;
  }

  /** `n = norm2(x)` used only as n^k, k even: as smooth as norm2(x)^k written out. */
  private recordNormUses(root: A.Expr): void {
    const record = (name: A.Expr, even: boolean) => {
      const s = name.kind === "name" ? this.checked.names.get(name) : undefined;
      const bound = s?.kind === "binding" ? s.decl.expr : undefined;
      if (bound?.kind === "call" && bound.callee.name === "norm2") this.normBindings.set(bound, (this.normBindings.get(bound) ?? true) && even);
    };
    const evenBases = new Set<A.Expr>();
    // A parent comes before its children.
    for (const e of allExprs([root])) {
      const power = this.evenPowerOfNorm(e);
      if (power !== undefined) evenBases.add(power.left);
      if (e.kind === "name") record(e, evenBases.has(e));
    }
  }

  private visit(root: A.Expr): void {
    const stack = [root];
    while (stack.length > 0) {
      const e = stack.pop()!;
      const power = this.evenPowerOfNorm(e);
      if (power !== undefined) {
        if (power.left.kind === "call") stack.push(...power.left.args);
        continue;
      }
      if (e.kind === "call") {
        const [first] = e.args;
        const name = e.callee.name;
        if (name === "log" && this.sign(first!) !== "positive" && !this.isStableLog(first!)) {
          this.diagnostics.push(warning("NND4002", e.span));
        }
        if ((name === "sqrt" || name === "norm2") && this.sign(first!) !== "positive" && this.normBindings.get(e) !== true) {
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
