// Compile time: every example, and files of 75, 150 and 300 random functions
// (the time per function should stay flat: compile time grows linearly).

import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { check } from "../src/check/check.js";
import { compile } from "../src/compile.js";
import { parse } from "../src/parse/parse.js";
import { ARGS, expressions } from "../test/support/random-expr.js";

async function timeCompile(text: string, name: string, runs = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const { checked } = check(parse(text, name).program);
    await compile(checked, { precision: "f64", source: name });
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

console.log("| file | compile time (median of 5) |");
console.log("| --- | --- |");
for (const file of readdirSync("examples").filter((f) => f.endsWith(".nnd"))) {
  console.log(`| examples/${file} | ${(await timeCompile(readFileSync(`examples/${file}`, "utf8"), file)).toFixed(0)} ms |`);
}
const bodies = fc.sample(expressions.S, { numRuns: 300, seed: 9 });
for (const n of [75, 150, 300]) {
  const text = bodies.slice(0, n).map((b, i) => `fn f${i}(${ARGS}) = ${b}`).join("\n");
  const ms = await timeCompile(text, `${n} fns`, 3);
  console.log(`| ${n} random fns (${(text.length / 1024).toFixed(0)} KiB) | ${ms.toFixed(0)} ms, ${(ms / n).toFixed(1)} ms per fn |`);
}
