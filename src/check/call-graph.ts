// The order in which to check `fn` bodies: callees before callers, so a call's
// result shape is known where it is used. Recursion is reported (the language
// has none). Iterative depth-first search: long call chains are fine.

import type * as A from "../parse/ast.js";
import { allExprs } from "../parse/walk.js";
import type { Span } from "../diagnostics/source.js";
import type { CheckedFn } from "./checked.js";

export interface Ordered {
  readonly fn: CheckedFn;
  /** Set on the function whose call closes a cycle. */
  readonly cycle?: { readonly names: readonly string[]; readonly at: Span };
}

export function orderFunctions(fns: ReadonlyMap<string, CheckedFn>): Ordered[] {
  const callsOf = new Map<CheckedFn, A.Call[]>();
  for (const fn of fns.values()) {
    const calls: A.Call[] = [];
    for (const e of allExprs([fn.decl.body])) if (e.kind === "call" && fns.has(e.callee.name)) calls.push(e);
    callsOf.set(fn, calls);
  }

  const order: Ordered[] = [];
  const state = new Map<CheckedFn, "active" | "done">();
  for (const root of fns.values()) {
    if (state.has(root)) continue;
    const stack: { fn: CheckedFn; next: number }[] = [{ fn: root, next: 0 }];
    state.set(root, "active");
    let cycle: Ordered["cycle"];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const calls = callsOf.get(frame.fn)!;
      if (frame.next < calls.length) {
        const call = calls[frame.next++]!;
        const callee = fns.get(call.callee.name)!;
        const s = state.get(callee);
        if (s === undefined) {
          state.set(callee, "active");
          stack.push({ fn: callee, next: 0 });
        } else if (s === "active" && cycle === undefined) {
          const from = stack.findIndex((f) => f.fn === callee);
          const names = [...stack.slice(from).map((f) => f.fn.decl.name.name), callee.decl.name.name];
          cycle = { names, at: call.span };
        }
      } else {
        stack.pop();
        state.set(frame.fn, "done");
        order.push(cycle === undefined ? { fn: frame.fn } : { fn: frame.fn, cycle });
        cycle = undefined;
      }
    }
  }
  return order;
}
