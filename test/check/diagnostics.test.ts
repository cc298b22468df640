// Golden diagnostics. Each file in test/fixtures/errors/ states what it must
// produce in comments (`# expect error: NND2001 at 3:15`); the runner checks
// exactly those codes at exactly those places, then compares the full printed
// output (message, code frame, caret) with the stored `.out` file.
// UPDATE_GOLDEN=1 rewrites the `.out` files; review the diff before committing.

import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { messages, type Code } from "../../src/diagnostics/messages.js";
import { renderDiagnostic } from "../../src/diagnostics/render.js";
import { front } from "../support/front.js";

const dir = "test/fixtures/errors";
const fixtures = readdirSync(dir).filter((f) => f.endsWith(".nnd")).sort();

function expectations(text: string): string[] {
  return [...text.matchAll(/# expect (error|warning): (NND\d{4}) at (\d+):(\d+)/g)]
    .map(([, severity, code, line, column]) => `${severity} ${code} at ${line}:${column}`)
    .sort();
}

describe.each(fixtures)("%s", (file) => {
  const path = `${dir}/${file}`;
  const text = readFileSync(path, "utf8");
  const result = front(text, path);

  it("reports exactly the expected diagnostics", () => {
    const got = result.all.map((d) => `${d.severity} ${d.code} at ${d.span?.line}:${d.span?.column}`).sort();
    expect(got).toEqual(expectations(text));
  });

  it("prints them as stored", () => {
    const printed = `${result.all.map((d) => renderDiagnostic(d, result.source)).join("\n\n")}\n`;
    const golden = path.replace(/\.nnd$/, ".out");
    if (process.env["UPDATE_GOLDEN"] || !existsSync(golden)) writeFileSync(golden, printed);
    expect(printed).toBe(readFileSync(golden, "utf8"));
  });
});

it("every code a file can cause has a fixture", () => {
  const covered = new Set(fixtures.flatMap((f) => expectations(readFileSync(`${dir}/${f}`, "utf8")).map((e) => e.split(" ")[1])));
  // NND3xxx are about the command line and files, tested end to end in test/cli.
  const fileCodes = (Object.keys(messages) as Code[]).filter((c) => !c.startsWith("NND3"));
  expect(fileCodes.filter((c) => !covered.has(c))).toEqual([]);
});
