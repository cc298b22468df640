// nndc graph FILE --model M [--format dot|mermaid]: the forward and backward
// computation graph.

import { Deriver } from "../../derive.js";
import { hasErrors } from "../../diagnostics/diagnostic.js";
import { toDot, toMermaid } from "../../graph/render-graph.js";
import { checkFile } from "../frontend.js";
import { report } from "../report.js";
import { selectTarget, type TargetOptions } from "../target.js";
import { EXIT } from "../exit.js";

export interface GraphOptions extends TargetOptions {
  readonly format: "dot" | "mermaid";
}

export function graphCommand(file: string, options: GraphOptions): number {
  const result = checkFile(file);
  report(result.diagnostics, result.source);
  if (result.checked === undefined || hasErrors(result.diagnostics)) return EXIT.userError;
  const target = selectTarget(result.checked, options, file);
  if ("code" in target) return report([target]), EXIT.userError;
  const deriver = new Deriver(result.checked);
  const derived = target.kind === "model" ? deriver.model(target.name) : deriver.fn(target.name);
  const of = target.kind === "model" ? "L" : target.name;
  const picture = {
    title: target.name,
    forward: derived.forward.map((f) => f.node),
    results: derived.wrt.flatMap((w, i) => {
      const node = derived.grads[i];
      return node === null || node === undefined ? [] : [{ label: `∂${of}/∂${w.attrs.name}`, node }];
    }),
    names: derived.names,
  };
  process.stdout.write(options.format === "mermaid" ? toMermaid(picture) : toDot(picture));
  return EXIT.ok;
}
