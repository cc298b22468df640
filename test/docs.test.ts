// The repository stands alone: a user's clone has only what is in it, so no
// file may send a reader to a design brief outside it, and docs/commands.md
// names every flag that `nndc <command> --help` prints.

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { builtins } from "../src/check/builtins.js";
import { format } from "../src/format/format.js";
import { front } from "./support/front.js";

const BIN = "dist/cli/main.js";

function* files(path: string): Generator<string> {
  if (!statSync(path).isDirectory()) {
    yield path;
    return;
  }
  for (const entry of readdirSync(path)) {
    if (entry === "node_modules" || entry === ".cache") continue;
    yield* files(join(path, entry));
  }
}

const text = (path: string) => (/\.(ts|ohm|md|nnd|json|js)$/.test(path) ? readFileSync(path, "utf8") : "");

// Spelled in pieces so that this file does not match itself.
const briefs = [["DESIGN", "md"].join("."), ["STYLE", "md"].join(".")];
/** The data directory benchmarks and tests may read (when it is there) is fine; anything else there is not the user's. */
const outside = new RegExp(`\\.\\./${"shared"}(?!/data)`);

describe("the repository stands alone", () => {
  const roots = ["src", "grammar", "docs", "test", "bench", "examples", "README.md"].filter((p) => existsSync(p));

  it("no file mentions a brief the user cannot open", () => {
    const mentions: string[] = [];
    for (const root of roots) {
      for (const file of files(root)) {
        text(file)
          .split("\n")
          .forEach((line, i) => {
            if (briefs.some((b) => line.includes(b)) || outside.test(line)) mentions.push(`${file}:${i + 1}: ${line.trim()}`);
          });
      }
    }
    expect(mentions).toEqual([]);
  });

  it("the documentation the README lists is there", () => {
    const readme = readFileSync("README.md", "utf8");
    for (const doc of ["language", "commands", "module", "weights", "library"]) {
      expect(existsSync(`docs/${doc}.md`)).toBe(true);
      expect(readme).toContain(`docs/${doc}.md`);
    }
  });
});

describe("the .nnd examples in the documentation", () => {
  const docs = ["README.md", ...readdirSync("docs").filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
  const blocks = docs.flatMap((doc) => [...readFileSync(doc, "utf8").matchAll(/```nnd\n([\s\S]*?)```/g)].map((m, i) => ({ name: `${doc} #${i + 1}`, text: m[1]! })));

  it("there are some", () => expect(blocks.length).toBeGreaterThanOrEqual(3));

  it.each(blocks)("$name checks clean and is in nndc fmt's layout", ({ text }) => {
    const r = front(text);
    expect(r.all.map((d) => `${d.code}: ${d.message}`)).toEqual([]);
    expect(format(r.program, r.source)).toBe(text);
  });
});

describe("docs/language.md", () => {
  it("lists every diagnostic code of the catalog", () => {
    const catalog = readFileSync("src/diagnostics/messages.ts", "utf8");
    const codes = [...catalog.matchAll(/^\s+(NND\d{4}):/gm)].map((m) => m[1]!);
    expect(codes.length).toBeGreaterThan(40);
    const doc = readFileSync("docs/language.md", "utf8");
    expect(codes.filter((code) => !new RegExp(`^\\| ${code} \\|`, "m").test(doc))).toEqual([]);
  });

  it("documents every built-in function in a table row", () => {
    const doc = readFileSync("docs/language.md", "utf8");
    const rows = doc.split("\n").filter((line) => line.startsWith("| `"));
    // diff has a section of its own.
    expect([...builtins.keys()].filter((name) => name !== "diff" && !rows.some((row) => row.includes(`\`${name}(`)))).toEqual([]);
  });
});

describe("docs/commands.md", () => {
  const printed = new Map<string, string>();
  /** `nndc ... --help`, run once per command. */
  const help = (args: string[]) => {
    const key = args.join(" ");
    if (!printed.has(key)) {
      const r = spawnSync(process.execPath, [BIN, ...args, "--help"], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
      expect(r.status).toBe(0);
      printed.set(key, r.stdout);
    }
    return printed.get(key)!;
  };
  const commands = () => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'npm run build' (npm test does it)`);
    const section = help([]).split(/^Commands:$/m)[1] ?? "";
    return [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]!).filter((c) => c !== "help");
  };
  const doc = () => (existsSync("docs/commands.md") ? readFileSync("docs/commands.md", "utf8") : "");

  it("documents every command", () => {
    const missing = commands().filter((c) => !doc().includes(`nndc ${c}`));
    expect(missing).toEqual([]);
  });

  it("documents every flag that --help prints", () => {
    const missing: string[] = [];
    const text = doc();
    for (const command of commands()) {
      const flags = new Set([...help([command]).matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)].map((m) => m[0]));
      flags.delete("--help");
      for (const flag of flags) if (!new RegExp(`${flag}(?![a-z0-9-])`).test(text)) missing.push(`nndc ${command} ${flag}`);
    }
    expect(missing).toEqual([]);
  });
});
