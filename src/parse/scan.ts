// A quick pass over the raw text, before Ohm sees it. It finds
//  - the comments, which the grammar skips but `nndc fmt` keeps;
//  - where top-level declarations start, so each is parsed on its own: Ohm's
//    memo table then stays small (a 1 MB file parses in linear time), and a
//    syntax error in one declaration does not hide errors in the next;
//  - bracket nesting deeper than Ohm's recursion can take, which becomes a
//    diagnostic instead of a stack overflow.
// The scan is a loop, never recursive.

export interface Range {
  readonly start: number;
  readonly end: number;
}

export interface ScanResult {
  readonly comments: readonly Range[];
  readonly chunks: readonly Range[];
  /** Per chunk: the offset of the first bracket past the nesting limit. */
  readonly tooDeep: ReadonlyMap<number, number>;
}

/** Deepest nesting of ( and [ the parser accepts; Ohm recurses per level. */
export const MAX_NESTING = 128;

const TOP_KEYWORDS = new Map([
  ["dim", "="],
  ["fn", "("],
  ["model", "{"],
]);
const isIdentStart = (c: string) => /[\p{L}_]/u.test(c);
const isIdentPart = (c: string) => /[\p{L}\p{N}_]/u.test(c);
const isSpace = (c: string) => c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\uFEFF";

export function scan(text: string): ScanResult {
  const comments: Range[] = [];
  const chunks: Range[] = [];
  const tooDeep = new Map<number, number>();
  let chunkStart = 0;
  let brackets = 0; // ( and [
  let braces = 0; // {
  let i = 0;

  const skipBlank = (j: number): number => {
    for (;;) {
      while (j < text.length && isSpace(text[j]!)) j++;
      if (text[j] !== "#") return j;
      while (j < text.length && text[j] !== "\n") j++;
    }
  };

  // `fn f(`, `dim H =`, `model m {`: a keyword, a name and this punctuation
  // only ever begin a top-level declaration (an expression never has two names
  // in a row), so this is a safe place to cut, even where `fn` or `model` is
  // also the last name of the expression before, and even after an unclosed
  // bracket: then the error stays in the declaration that has it.
  const startsDeclaration = (word: string, after: number): boolean => {
    const punctuation = TOP_KEYWORDS.get(word);
    if (punctuation === undefined) return false;
    let j = skipBlank(after);
    if (j >= text.length || !isIdentStart(text[j]!)) return false;
    while (j < text.length && isIdentPart(text[j]!)) j++;
    return text[skipBlank(j)] === punctuation;
  };

  // `import "file"`, which nndc does not support: cut there too, so the
  // parser can say so instead of failing on the word.
  const startsImport = (word: string, after: number): boolean => word === "import" && /["']/.test(text[skipBlank(after)] ?? "");

  while (i < text.length) {
    const c = text[i]!;
    if (c === "#") {
      const start = i;
      while (i < text.length && text[i] !== "\n") i++;
      comments.push({ start, end: i });
    } else if (isIdentStart(c)) {
      const start = i;
      while (i < text.length && isIdentPart(text[i]!)) i++;
      const word = text.slice(start, i);
      // Inside a model body `dim H =` could be a binding `H = ...` after an
      // intermediate named `dim`; `fn f(` and `model m {` never could.
      const cut = start > chunkStart && ((braces === 0 || word !== "dim") && startsDeclaration(word, i) || (braces === 0 && startsImport(word, i)));
      if (cut) {
        chunks.push({ start: chunkStart, end: start });
        chunkStart = start;
        brackets = 0;
        braces = 0;
      }
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(text[i + 1] ?? ""))) {
      i++;
      while (i < text.length) {
        const d = text[i]!;
        const sign = (d === "+" || d === "-") && /[eE]/.test(text[i - 1]!);
        if (!sign && !/[0-9A-Za-z_.]/.test(d)) break;
        i++;
      }
    } else {
      if (c === "(" || c === "[") {
        brackets++;
        if (brackets > MAX_NESTING && !tooDeep.has(chunks.length)) tooDeep.set(chunks.length, i);
      } else if (c === ")" || c === "]") brackets = Math.max(0, brackets - 1);
      else if (c === "{") braces++;
      else if (c === "}") braces = Math.max(0, braces - 1);
      i++;
    }
  }
  chunks.push({ start: chunkStart, end: text.length });
  return { comments, chunks, tooDeep };
}
