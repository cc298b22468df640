// The functions a generated module may define besides its models' and fns':
// the ops' helpers (scalar-ops.ts) and the seeded generator (init.ts); and,
// for some code, which of them it needs, the helpers' own calls included.

import { callsIn, helperAsFunc, type Helper, type Stmt } from "../ir/ir.js";
import { generator } from "./init.js";
import { helpers } from "./scalar-ops.js";

const all: ReadonlyMap<string, Helper> = new Map([...generator, ...helpers]);

/** The helpers `stmts` call (and those named in `also`), with the helpers they call, in the registry's order. */
export function helpersNeeded(stmts: readonly Stmt[], also: Iterable<string> = []): Helper[] {
  const needed = new Set([...callsIn(stmts), ...also].filter((n) => all.has(n)));
  // A Set visits what is added while it is iterated: the helpers' helpers too.
  for (const n of needed) {
    const h = all.get(n)!;
    for (const c of callsIn(helperAsFunc(h).body)) if (all.has(c)) needed.add(c);
  }
  return [...all.values()].filter((h) => needed.has(h.name));
}
