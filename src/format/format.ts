// `nndc fmt`: a program in canonical layout, comments kept.
//
// Layout rules (the examples in README.md and docs/ are written in this layout):
// - one statement per line, model bodies indented by two spaces;
// - runs of like statements are aligned: `input`/`target` keywords, the `~`
//   of params, the `=` of bindings and dims;
// - at most one blank line is kept where the source had blank lines, and a
//   model is set apart from its neighbours by one;
// - a comment after a statement stays on its line, and a run of such comments
//   is aligned; a comment inside a multi-line statement moves above it.
// fmt(fmt(x)) = fmt(x), and fmt(x) parses to the same tree as x.

import type * as A from "../parse/ast.js";
import type { SourceFile } from "../diagnostics/source.js";
import { printExpr, printShape } from "./print-expr.js";

const INDENT = "  ";

interface Line {
  indent: number;
  /** The statement, split where its group aligns: `head` is padded. Empty for a comment line. */
  head: string;
  rest: string;
  alignGroup?: string;
  comment?: string;
  blankBefore: boolean;
}

interface Element {
  readonly span: { readonly start: number; readonly end: number };
  readonly lines: (indent: number) => Line[];
  /** Statements of one kind in a row are aligned. */
  readonly align?: string;
  readonly isModel?: boolean;
}

export function format(program: A.Program, source: SourceFile): string {
  const ctx = new Layout(source, program.comments);
  const lines = ctx.block(program.decls.map((d) => ctx.decl(d)), 0, 0, source.text.length, true);
  alignStatements(lines);
  return render(lines);
}

class Layout {
  constructor(
    private readonly source: SourceFile,
    private readonly comments: readonly A.Comment[],
  ) {}

  private line(offset: number): number {
    return this.source.position(offset).line;
  }

  private commentsIn(start: number, end: number): A.Comment[] {
    return this.comments.filter((c) => c.span.start >= start && c.span.start < end);
  }

  decl(d: A.TopDecl): Element {
    switch (d.kind) {
      case "dim":
        return this.simple(d.span, `dim ${d.name.name}`, `= ${d.value.text}`, "dim");
      case "fn": {
        const args = d.args.map((a) => (a.shape ? `${a.name.name}: ${printShape(a.shape)}` : a.name.name));
        return this.simple(d.span, `fn ${d.name.name}(${args.join(", ")}) = ${printExpr(d.body)}`, "");
      }
      case "model":
        return this.model(d);
    }
  }

  private item(item: A.ModelItem): Element {
    switch (item.kind) {
      case "input":
      case "target":
        return this.simple(item.span, item.kind, `${item.name.name}: ${item.kind === "target" && item.classes ? `class${printShape(item.shape)}` : printShape(item.shape)}`, "data");
      case "param": {
        const head = `param ${item.name.name}: ${printShape(item.shape)}`;
        if (item.init === undefined) return this.simple(item.span, head, "", "param");
        const args = item.init.args === undefined ? "" : `(${item.init.args.map(printExpr).join(", ")})`;
        return this.simple(item.span, head, `~ ${item.init.name.name}${args}`, "param");
      }
      case "output":
        return this.simple(item.span, `output ${item.name.name}`, "");
      case "loss":
        return this.simple(item.span, "loss", `= ${printExpr(item.expr)}`, "let");
      case "let":
        return this.simple(item.span, item.name.name, `= ${printExpr(item.expr)}`, "let");
    }
  }

  private simple(span: A.Comment["span"], head: string, rest: string, align?: string): Element {
    const element: Element = {
      span,
      align,
      lines: (indent) => [{ indent, head, rest, alignGroup: align, blankBefore: false }],
    };
    return element;
  }

  private model(d: A.ModelDecl): Element {
    return {
      span: d.span,
      isModel: true,
      lines: (indent) => {
        const open = d.bodySpan.start;
        const close = d.bodySpan.end - 1;
        const header: Line = { indent, head: `model ${d.name.name} {`, rest: "", blankBefore: false };
        // Comments between `model` and `{` move above the header; one after
        // `{` on its line stays there.
        const above = this.commentsIn(d.span.start, open).map(
          (c): Line => ({ indent, head: "", rest: "", comment: c.text, blankBefore: false }),
        );
        const onHeader = this.commentsIn(open, this.lineEnd(open)).filter((c) => this.firstItemAfter(d, c));
        if (onHeader[0] !== undefined) header.comment = onHeader[0].text;
        const inner = this.block(
          d.items.map((i) => this.item(i)),
          indent + 1,
          open + 1,
          close,
          false,
          new Set(onHeader.slice(0, 1)),
        );
        return [...above, header, ...inner, { indent, head: "}", rest: "", blankBefore: false }];
      },
    };
  }

  private lineEnd(offset: number): number {
    const nl = this.source.text.indexOf("\n", offset);
    return nl === -1 ? this.source.text.length : nl;
  }

  /** True if the comment comes before the model's first item (so it belongs to the header). */
  private firstItemAfter(d: A.ModelDecl, c: A.Comment): boolean {
    const first = d.items[0];
    return first === undefined ? this.line(c.span.start) === this.line(d.bodySpan.start) : c.span.start < first.span.start;
  }

  /**
   * Lays out a sequence of statements and the comments among them, between
   * offsets start and end of the source.
   */
  block(
    elements: readonly Element[],
    indent: number,
    start: number,
    end: number,
    topLevel: boolean,
    taken: ReadonlySet<A.Comment> = new Set(),
  ): Line[] {
    const comments = this.commentsIn(start, end).filter((c) => !taken.has(c));
    const out: Line[] = [];
    let previousEnd: number | undefined; // source offset where the last thing placed ends
    let previousWasModel = false;
    let ci = 0;

    const gapBefore = (offset: number) =>
      previousEnd !== undefined && this.line(offset) - this.line(Math.max(previousEnd - 1, 0)) > 1;

    const commentLine = (c: A.Comment, blank: boolean) => {
      out.push({ indent, head: "", rest: "", comment: c.text, blankBefore: blank && out.length > 0 });
      previousEnd = c.span.end;
    };

    for (const [index, element] of elements.entries()) {
      const nextStart = elements[index + 1]?.span.start ?? end;
      // Comments before this element: each on its own line.
      let first = true;
      while (ci < comments.length && comments[ci]!.span.start < element.span.start) {
        const c = comments[ci++]!;
        const forceBlank = topLevel && first && (previousWasModel || element.isModel === true);
        commentLine(c, gapBefore(c.span.start) || forceBlank);
        first = false;
        previousWasModel = false;
      }
      // Comments inside a one-line-per-statement element move above it; a
      // model places the comments of its body itself.
      const inside: A.Comment[] = [];
      while (ci < comments.length && comments[ci]!.span.start < element.span.end) inside.push(comments[ci++]!);
      const forceBlank = topLevel && first && (previousWasModel || element.isModel === true);
      let blank = out.length > 0 && (gapBefore(element.span.start) || forceBlank);
      if (!element.isModel) {
        for (const c of inside) {
          commentLine(c, blank);
          blank = false;
        }
      }

      const lines = element.lines(indent);
      lines[0]!.blankBefore = blank;
      out.push(...lines);
      previousEnd = element.span.end;
      previousWasModel = element.isModel === true;

      // A comment on the line where the element ends stays there, unless it
      // is already inside the next element (`h = x  output y  # c`).
      const next = comments[ci];
      if (
        next !== undefined &&
        next.span.start < nextStart &&
        this.line(next.span.start) === this.line(element.span.end - 1)
      ) {
        lines[lines.length - 1]!.comment = next.text;
        previousEnd = next.span.end;
        ci++;
      }
    }
    // Comments after the last statement.
    let first = true;
    while (ci < comments.length) {
      const c = comments[ci++]!;
      commentLine(c, gapBefore(c.span.start) || (topLevel && first && previousWasModel));
      first = false;
    }
    return out;
  }
}

/** Pads the `head` of like statements in a row so that their `rest` lines up. */
function alignStatements(lines: Line[]): void {
  let i = 0;
  while (i < lines.length) {
    const group = lines[i]!.alignGroup;
    let j = i + 1;
    if (group !== undefined) {
      while (
        j < lines.length &&
        lines[j]!.alignGroup === group &&
        lines[j]!.indent === lines[i]!.indent &&
        !lines[j]!.blankBefore
      ) {
        j++;
      }
      const width = Math.max(...lines.slice(i, j).filter((l) => l.rest !== "").map((l) => l.head.length), 0);
      for (const l of lines.slice(i, j)) if (l.rest !== "") l.head = l.head.padEnd(width);
    }
    i = j;
  }
}

function render(lines: readonly Line[]): string {
  const code = lines.map((l) => INDENT.repeat(l.indent) + (l.rest === "" ? l.head : `${l.head} ${l.rest}`));
  // Trailing comments on consecutive lines share one column.
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const l = lines[i]!;
    if (l.comment === undefined || l.head === "") {
      if (l.blankBefore) out.push("");
      out.push(l.comment !== undefined ? INDENT.repeat(l.indent) + l.comment : code[i]!);
      i++;
      continue;
    }
    let j = i + 1;
    while (j < lines.length && lines[j]!.comment !== undefined && lines[j]!.head !== "" && !lines[j]!.blankBefore) j++;
    const column = Math.max(...code.slice(i, j).map((c) => c.length)) + 2;
    for (let k = i; k < j; k++) {
      if (lines[k]!.blankBefore) out.push("");
      out.push(`${code[k]!.padEnd(column)}${lines[k]!.comment}`);
    }
    i = j;
  }
  return out.length === 0 ? "" : `${out.join("\n")}\n`;
}
