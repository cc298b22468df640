// Safe, unique identifiers for generated code (esbuild's renamer in small).
// A user's name is kept where it is a valid identifier that the target
// reserves for nothing (Target.reserved: for TypeScript, `eval`,
// `arguments`, `constructor`, `__proto__`, reserved words and the globals the
// code uses); otherwise it gets a suffix.

/**
 * Names for one module. The module's own names (helpers, exports, scratch
 * arrays) are reserved once; each function gets a scope of its own
 * (`scope(owner)`), whose locals are unique in it and numbered from its own
 * counter, so that the text of one function does not depend on any other
 * (adding a fn renames nothing elsewhere).
 */
export class Renamer {
  private readonly used: Set<string>;
  /** Module-level names made by moduleLevel, and the base each was made from. */
  private readonly bases: Map<string, string>;
  private temporaries = 0;

  /** `reserved`: the names the target's language keeps for itself. */
  constructor(reserved: Iterable<string> = [], private readonly module?: Renamer, private readonly owner?: string) {
    this.used = new Set(module === undefined ? reserved : module.used);
    this.bases = module === undefined ? new Map() : module.bases;
  }

  /** A scope for one model or fn: it sees the module's names and adds its locals to no other scope. */
  scope(owner: string): Renamer {
    return new Renamer([], this, owner);
  }

  /** Reserve names the module (or this scope) defines itself: helpers, exports, the generated functions' parameters. */
  reserve(...names: string[]): void {
    for (const n of names) this.used.add(n);
  }

  fresh(base: string): string {
    return this.take(identifier(base), [this.used]);
  }

  /** t1, t2, …: an unnamed temporary, numbered in this scope (never after a node's id, which depends on the rest of the file). */
  temporary(prefix: string): string {
    return this.fresh(`${prefix}${++this.temporaries}`);
  }

  /** A name the whole module sees (a scratch array), after its owner: unique in the module and in this scope. */
  moduleLevel(base: string): string {
    const name = identifier(this.owner === undefined ? base : `${this.owner}_${base}`);
    const taken = this.take(name, this.module === undefined ? [this.used] : [this.used, this.module.used]);
    this.bases.set(taken, identifier(base));
    return taken;
  }

  /** What the entries of a module-level array are named after when they become locals: its base, without the owner. */
  baseOf(name: string): string {
    return this.bases.get(name) ?? name;
  }

  private take(name: string, sets: readonly Set<string>[]): string {
    const free = (n: string) => sets.every((set) => !set.has(n));
    // i0, i1, ... are the loop counters of generated loops.
    let candidate = name;
    for (let i = 2; !free(candidate) || /^i\d+$/.test(candidate); i++) candidate = `${name}_${i}`;
    for (const set of sets) set.add(candidate);
    return candidate;
  }
}

function identifier(base: string): string {
  const name = base.replace(/[^\p{L}\p{N}_$]/gu, "_");
  return /^[\p{L}_$]/u.test(name) ? name : `_${name}`;
}
