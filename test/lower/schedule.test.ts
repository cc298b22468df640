// The printed schedule is what the code does: a value in a buffer is in
// a scratch array of the module, one inline or in registers is in none, and
// a lifted product is computed by a blocked product per chunk.

import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/pipeline/compile.js";
import { front } from "../support/front.js";

const examples = readdirSync("examples").filter((f) => f.endsWith(".nnd"));

describe("the schedule", () => {
  it.each(examples)("of %s agrees with the generated code", async (file) => {
    const checked = front(readFileSync(`examples/${file}`, "utf8"), file).checked!;
    const c = await compile(checked, { precision: "f64", source: file, hessian: true });
    const declared = new Set([...c.code.matchAll(/^const (\w+) = new Float64Array\(\d+\);$/gm)].map((m) => m[1]!));
    for (const s of [...c.models, ...c.fns].flatMap((m) => m.schedule)) {
      for (const p of s.placements) {
        if (p.storage === "buffer") expect(declared, `${s.function}: ${p.array}`).toContain(p.array);
        else expect(p.array).toBeUndefined();
      }
      for (const l of s.lifted) expect(c.code).toContain(`${l.into}[`);
    }
  });

  it("of the Hessian holds what its kernel computed", async () => {
    const checked = front(readFileSync("examples/linear_regression.nnd", "utf8"), "linear_regression.nnd").checked!;
    const c = await compile(checked, { precision: "f64", source: "linear_regression.nnd", hessian: true });
    const hessian = c.models[0]!.schedule.find((s) => s.function === "hessian")!;
    expect(hessian.placements.filter((p) => p.storage === "local").length).toBeGreaterThan(0);
  });

  it("is printed only when asked for", async () => {
    const checked = front(readFileSync("examples/xor.nnd", "utf8"), "xor.nnd").checked!;
    expect((await compile(checked, { precision: "f64", source: "xor.nnd" })).schedules).toEqual([]);
    const asked = await compile(checked, { precision: "f64", source: "xor.nnd", schedule: true });
    expect(asked.schedules.map((t) => t.split("\n")[0])).toEqual(["model xor"]);
  });
});
