// The front end never throws, whatever the text: random token soup, random
// characters, and seeded mutations of every example all end in diagnostics
// (or a clean parse), each with a valid code and a span inside the file.

import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { messages } from "../../src/diagnostics/messages.js";
import { renderDiagnostic } from "../../src/diagnostics/render.js";
import { format } from "../../src/format/format.js";
import { front } from "../support/front.js";

const tokens = [
  "dim", "fn", "model", "input", "target", "param", "output", "loss", "pi", "diff",
  "x", "y", "W", "H", "f", "g", "constructor", "__proto__", "toString", "this", "eval", "arguments", "delete",
  "exp", "tanh", "sum", "softmax", "mse", "transpose", "xavier", "normal",
  "0", "1", "2", "3.5", "1e-4", "1e999", ".5",
  "+", "-", "*", "/", "@", "^", "=", "~", ":", ",", "(", ")", "[", "]", "{", "}",
  " ", "\n", "\t", "# comment\n", "é", "\u0000", "\r\n", "'", "\"",
];

/** Runs the whole front end; throws only if it misbehaves. */
function survives(text: string): void {
  const result = front(text, "fuzz.nnd");
  for (const d of result.all) {
    expect(messages).toHaveProperty(d.code);
    expect(d.message.length).toBeGreaterThan(0);
    if (d.span !== undefined) {
      expect(d.span.start).toBeGreaterThanOrEqual(0);
      expect(d.span.end).toBeLessThanOrEqual(text.length + 1);
      expect(d.span.start).toBeLessThanOrEqual(d.span.end);
    }
    renderDiagnostic(d, result.source);
  }
  // A file that parses can be formatted, and the result parses the same way.
  if (!result.all.some((d) => d.code.startsWith("NND1"))) {
    const formatted = format(result.program, result.source);
    expect(front(formatted).all.filter((d) => d.code.startsWith("NND1"))).toEqual([]);
  }
}

describe("fuzzing the front end", () => {
  it("survives random token sequences", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tokens), { maxLength: 80 }), (parts) => survives(parts.join(" "))),
      { numRuns: 1500, seed: 1 },
    );
  });

  it("survives random token sequences without spaces", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tokens), { maxLength: 60 }), (parts) => survives(parts.join(""))),
      { numRuns: 1000, seed: 2 },
    );
  });

  it("survives arbitrary strings", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 200 }), survives), { numRuns: 1000, seed: 3 });
  });

  const examples = readdirSync("examples").filter((f) => f.endsWith(".nnd"));
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ kind: fc.constant("duplicate" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant("swap" as const), at: fc.nat(), other: fc.nat() }),
    fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), token: fc.constantFrom(...tokens) }),
  );
  type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

  function mutate(text: string, m: Mutation): string {
    const at = m.at % (text.length + 1);
    switch (m.kind) {
      case "delete":
        return text.slice(0, at) + text.slice(at + m.length);
      case "duplicate":
        return text.slice(0, at) + text.slice(at, at + m.length) + text.slice(at);
      case "swap": {
        const j = m.other % text.length;
        const chars = [...text];
        [chars[at % text.length], chars[j]] = [chars[j]!, chars[at % text.length]!];
        return chars.join("");
      }
      case "insert":
        return text.slice(0, at) + m.token + text.slice(at);
    }
  }

  it.each(examples)("survives seeded mutations of %s", (file) => {
    const text = readFileSync(`examples/${file}`, "utf8");
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 5 }), (ms) => survives(ms.reduce(mutate, text))),
      { numRuns: 300, seed: 4 },
    );
  });
});
