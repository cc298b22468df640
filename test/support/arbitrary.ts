// fast-check generators of random well-formed programs, as trees, with two
// printers: a messy one (random spacing, comments, redundant parentheses) and
// a fully parenthesised one. Names include keywords and JavaScript's own
// names, which must stay ordinary names.

import fc from "fast-check";

export type Tree =
  | { readonly kind: "number"; readonly text: string }
  | { readonly kind: "name"; readonly name: string }
  | { readonly kind: "neg"; readonly operand: Tree }
  | { readonly kind: "binary"; readonly op: string; readonly left: Tree; readonly right: Tree }
  | { readonly kind: "call"; readonly name: string; readonly args: readonly Tree[] }
  | { readonly kind: "index"; readonly target: Tree; readonly indices: readonly number[] }
  | { readonly kind: "array"; readonly elements: readonly Tree[] };

export const names = [
  "x", "y", "W1", "b_2", "h", "δ", "input", "target", "param", "output", "loss", "model", "fn", "dim",
  "constructor", "__proto__", "toString", "this", "eval", "arguments", "delete", "valueOf", "hasOwnProperty",
];
const numbers = ["0", "1", "2", "0.5", "1e-4", "3.25E+2", ".5", "10"];
const ops = ["+", "-", "*", "/", "@", "^"];

export const tree: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(...numbers).map((text): Tree => ({ kind: "number", text })),
    fc.constantFrom(...names).map((name): Tree => ({ kind: "name", name })),
    tie("tree").map((operand): Tree => ({ kind: "neg", operand })),
    fc.record({ kind: fc.constant("binary" as const), op: fc.constantFrom(...ops), left: tie("tree"), right: tie("tree") }),
    fc.record({ kind: fc.constant("call" as const), name: fc.constantFrom("f", "tanh", "sum", "softmax", "diff", "eval"), args: fc.array(tie("tree"), { maxLength: 3 }) }),
    fc.record({ kind: fc.constant("index" as const), target: tie("tree"), indices: fc.array(fc.nat(9), { minLength: 1, maxLength: 2 }) }),
    fc.record({ kind: fc.constant("array" as const), elements: fc.array(tie("tree"), { maxLength: 3 }) }),
  ),
})).tree;

/** Every compound subexpression in parentheses: the text says exactly which tree it is. */
export function printFull(t: Tree, space: () => string = () => " "): string {
  const p = (s: Tree) => printFull(s, space);
  const s = space;
  switch (t.kind) {
    case "number":
      return t.text;
    case "name":
      return t.name;
    case "neg":
      return `(${s()}-${s()}${p(t.operand)}${s()})`;
    case "binary":
      return `(${s()}${p(t.left)}${s()}${t.op}${s()}${p(t.right)}${s()})`;
    case "call":
      return `${t.name}${s()}(${s()}${t.args.map(p).join(`${s()},${s()}`)}${s()})`;
    case "index":
      return `(${p(t.target)})${s()}[${s()}${t.indices.join(`${s()},${s()}`)}${s()}]`;
    case "array":
      return `[${s()}${t.elements.map(p).join(`${s()},${s()}`)}${s()}]`;
  }
}

/** Random separators between tokens: spaces, tabs, newlines and comments. */
export const spacing = fc
  .array(fc.constantFrom(" ", "", "  ", "\n", "\t", "  # note\n", "\n\n", "\r\n"), { minLength: 1, maxLength: 64 })
  .map((choices) => {
    let i = 0;
    return () => choices[i++ % choices.length]!;
  });

export interface ProgramParts {
  readonly fnName: string;
  readonly body: Tree;
  readonly bindings: readonly { readonly name: string; readonly body: Tree }[];
}

export const program = fc.record({
  fnName: fc.constantFrom(...names),
  body: tree,
  bindings: fc.array(fc.record({ name: fc.constantFrom(...names), body: tree }), { maxLength: 4 }),
});

/** A file with a dim, a fn and a model, laid out at random. */
export function printProgram(p: ProgramParts, space: () => string): string {
  // Separators that may stand between two names must not be empty.
  const gap = () => space() || " ";
  const body = (t: Tree) => printFull(t, space);
  const lines = [
    `# header${gap()}`.replace(/#[^\n]*$/, "# header\n"),
    `dim${gap()}N${space()}=${space()}3${gap()}`,
    `fn${gap()}${p.fnName}${space()}(${space()}x${space()},${space()}v${space()}:${space()}[${space()}N${space()}]${space()})${space()}=${space()}${body(p.body)}${gap()}`,
    `model${gap()}m${space()}{${gap()}`,
    `input${gap()}x${space()}:${space()}[${space()}]${gap()}`,
    `param${gap()}W${space()}:${space()}[${space()}2${space()},${space()}N${space()}]${space()}~${space()}normal${space()}(${space()}0${space()},${space()}0.5${space()})${gap()}`,
    ...p.bindings.map((b) => `${b.name}${space()}=${space()}${body(b.body)}${gap()}`),
    `output${gap()}x${gap()}`,
    `loss${space()}=${space()}${body(p.body)}${gap()}`,
    `}${gap()}`,
  ];
  return lines.join("");
}
