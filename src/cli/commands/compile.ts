// nndc compile FILE [-o DIR] [--precision f64|f32] [--target ts|wasm [--wasm-always]] [--stats] [--schedule]: writes DIR/<stem>.ts.

import { basename, join } from "node:path";
import { compile, type Precision } from "../../pipeline/compile.js";
import { targetNamed, type TargetName } from "../../pipeline/targets.js";
import { runsAsTypeScript, SMALL_MODEL_FLOPS } from "../../emit/wasm/target.js";
import { error, hasErrors } from "../../diagnostics/diagnostic.js";
import { checkFile } from "../frontend.js";
import { report } from "../report.js";
import { writeOutput } from "../files.js";
import { EXIT } from "../exit.js";

export interface CompileCommandOptions {
  readonly out: string;
  readonly precision: Precision;
  readonly stats?: boolean;
  readonly schedule?: boolean;
  readonly hessian?: boolean;
  readonly target: TargetName;
  readonly wasmAlways?: boolean;
}

export async function compileCommand(files: readonly string[], options: CompileCommandOptions): Promise<number> {
  if (options.wasmAlways === true && options.target !== "wasm") {
    report([error("NND3010", undefined, "--target", "wasm when --wasm-always is given", options.target)]);
    return EXIT.userError;
  }
  let status: number = EXIT.ok;
  for (const file of files) {
    const started = performance.now();
    const result = checkFile(file);
    report(result.diagnostics, result.source);
    if (result.checked === undefined || hasErrors(result.diagnostics)) {
      status = EXIT.userError;
      continue;
    }
    const frontEnd = performance.now() - started;
    const compiled = await compile(result.checked, { precision: options.precision, source: file, target: targetNamed(options.target, options), hessian: options.hessian === true, schedule: options.schedule === true, ...(result.source === undefined ? {} : { sourceFile: result.source }) });
    report(compiled.diagnostics, result.source);
    if (hasErrors(compiled.diagnostics)) {
      status = EXIT.userError;
      continue;
    }
    const target = join(options.out, `${basename(file).replace(/\.nnd$/, "")}.ts`);
    const failed = writeOutput(target, compiled.code);
    if (failed !== undefined) {
      report([failed]);
      status = EXIT.userError;
      continue;
    }
    process.stdout.write(`wrote ${target}\n`);
    if (options.stats) {
      const lines: string[] = [];
      for (const m of compiled.models) {
        const { forwardFlops: f, backwardFlops: b } = m.stats;
        lines.push(`  model ${m.name}: forward ${f} flops, backward ${b} flops per example (ratio ${(b / f).toFixed(2)})`);
        if (options.target === "wasm" && options.wasmAlways !== true && runsAsTypeScript(m)) lines.push(`    runs as TypeScript loops in this file: below ${SMALL_MODEL_FLOPS} flops per example, a call into WebAssembly costs more than its step`);
      }
      if (compiled.fns.length > 0) lines.push(`  ${compiled.fns.length} fn${compiled.fns.length === 1 ? "" : "s"}`);
      lines.push(`  scratch buffers: ${compiled.bufferBytes} bytes, allocated once`);
      const stages = [{ stage: "parse + check", ms: frontEnd }, ...compiled.timings];
      lines.push(`  time: ${stages.map((t) => `${t.stage} ${t.ms.toFixed(1)} ms`).join(", ")}`);
      process.stdout.write(`${lines.join("\n")}\n`);
    }
    for (const table of compiled.schedules) process.stdout.write(`${table}\n`);
  }
  return status;
}
