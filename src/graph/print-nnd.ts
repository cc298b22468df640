// A formula written back as .nnd source, every operation in parentheses, so
// that what nndc prints can be parsed again and checked against the graph it
// came from (test/simplify/readable.test.ts). Each op's catalog entry says
// how it is written; the ops the language has no name for are written as
// what they compute: step(x) is relu(sign(x)), c eᵢ is c * [0, …, 1, …, 0].

import { opDef, type Node, type SourceForm } from "../ops/index.js";

/** One node as source, given its arguments' texts. */
function sourceOf(n: Node, arg: (i: number) => string): string {
  const form: SourceForm = opDef(n.op).source;
  if (form === "call") return `${n.op}(${n.args.map((_, i) => arg(i)).join(", ")})`;
  if (typeof form === "object") return `(${arg(0)} ${form.infix} ${arg(1)})`;
  return form(n, arg);
}

/** n as .nnd source, written out in full (a shared node is repeated), or undefined past `maxLength` characters. */
export function printNnd(n: Node, maxLength = 100_000): string | undefined {
  const memo = new Map<Node, string>();
  const text = (m: Node): string => {
    const known = memo.get(m);
    if (known !== undefined) return known;
    const out = sourceOf(m, (i) => text(m.args[i]!));
    if (out.length > maxLength) throw new RangeError("too long");
    memo.set(m, out);
    return out;
  };
  try {
    return text(n);
  } catch (e) {
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}
