// Safe, unique JavaScript identifiers for generated code (esbuild's renamer
// in small). A user's name is kept where it is a valid identifier that means
// nothing special to JavaScript; otherwise it gets a suffix. `eval`,
// `arguments`, `this`, `constructor`, `__proto__` and reserved words never
// reach the output as bindings.

const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield " +
    "let static implements interface package private protected public await async of get set arguments eval undefined NaN Infinity " +
    "constructor prototype __proto__ toString valueOf hasOwnProperty Object Math Number Array Float64Array Float32Array globalThis"
  ).split(" "),
);

export class Renamer {
  private readonly used = new Set<string>(RESERVED);

  /** Reserve names the module defines itself (helpers, exports). */
  reserve(...names: string[]): void {
    for (const n of names) this.used.add(n);
  }

  fresh(base: string): string {
    let name = base.replace(/[^\p{L}\p{N}_$]/gu, "_");
    if (!/^[\p{L}_$]/u.test(name)) name = `_${name}`;
    // i0, i1, ... are the loop counters of generated loops.
    if (!this.used.has(name) && !/^i\d+$/.test(name)) {
      this.used.add(name);
      return name;
    }
    for (let i = 2; ; i++) {
      const candidate = `${name}_${i}`;
      if (!this.used.has(candidate)) {
        this.used.add(candidate);
        return candidate;
      }
    }
  }
}
