// nndc graph FILE --model M [--format dot|mermaid]: the forward and backward
// computation graph.

import { toDot, toMermaid } from "../../graph/render-graph.js";
import { loadTarget, type TargetOptions } from "../target.js";
import { EXIT } from "../exit.js";

export interface GraphOptions extends TargetOptions {
  readonly format: "dot" | "mermaid";
}

export function graphCommand(file: string, options: GraphOptions): number {
  const loaded = loadTarget(file, options);
  if (typeof loaded === "number") return loaded;
  const { target, derived } = loaded;
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
