// Source text and positions. Every AST node carries a Span, so any stage can
// point at the text a user wrote.

export interface Span {
  readonly file: string;
  /** Offsets into the file's text, end exclusive. */
  readonly start: number;
  readonly end: number;
  /** 1-based, in UTF-16 code units like the editors and tsc. */
  readonly line: number;
  readonly column: number;
}

export class SourceFile {
  private readonly lineStarts: number[] = [0];

  constructor(
    readonly name: string,
    readonly text: string,
  ) {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    }
  }

  span(start: number, end: number): Span {
    const { line, column } = this.position(start);
    return { file: this.name, start, end, line, column };
  }

  position(offset: number): { line: number; column: number } {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  }

  /** The text of a 1-based line, without its line break. */
  lineText(line: number): string {
    const start = this.lineStarts[line - 1] ?? this.text.length;
    const next = this.lineStarts[line];
    const end = next === undefined ? this.text.length : next - 1;
    return this.text.slice(start, end).replace(/\r$/, "");
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }
}

export function spanCovering(a: Span, b: Span): Span {
  return { ...a, end: b.end };
}
