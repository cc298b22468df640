// Picking what to derive: a model or fn by name (or the file's only model),
// and one of its variables. Mistakes are diagnostics, for the command line
// (--model, --fn, --wrt) and the library alike.

import type { CheckedProgram } from "../check/checked.js";
import { suggest } from "../check/suggest.js";
import { Deriver, type DerivedFn, type DerivedModel } from "../pipeline/derive.js";
import type { Node } from "../graph/node.js";
import { error, type Diagnostic } from "../diagnostics/diagnostic.js";

export interface TargetOptions {
  readonly model?: string;
  readonly fn?: string;
}

export type Target = { readonly kind: "model" | "fn"; readonly name: string };

export function selectTarget(checked: CheckedProgram, options: TargetOptions, file: string): Target | Diagnostic {
  if (options.model !== undefined) return lookup("model", options.model, [...checked.models.keys()], file);
  if (options.fn !== undefined) return lookup("fn", options.fn, [...checked.fns.keys()], file);
  const models = [...checked.models.keys()];
  if (models.length === 1) return { kind: "model", name: models[0]! };
  const what = models.length === 0 ? `it has no model; name a fn with --fn (it has: ${[...checked.fns.keys()].join(", ") || "none"})` : `it has ${models.length} models; name one with --model (${models.join(", ")})`;
  return error("NND3007", undefined, file, what);
}

function lookup(kind: "model" | "fn", name: string, known: string[], file: string): Target | Diagnostic {
  if (known.includes(name)) return { kind, name };
  return error("NND3005", undefined, kind, name, file, known, suggest(name, known));
}

/** The index of `--wrt` among the variables, all of them when absent, or a diagnostic. */
export function selectWrt(variables: readonly string[], wrt: string | undefined, owner: string): number[] | Diagnostic {
  if (wrt === undefined) return variables.map((_, i) => i);
  const i = variables.indexOf(wrt);
  if (i >= 0) return [i];
  return error("NND3006", undefined, wrt, owner, variables, suggest(wrt, variables));
}

/**
 * A model's derivatives with those by its inputs and targets added after the
 * parameters', when `--wrt` names one of them (saliency, adversarial
 * examples); otherwise the derivatives as loaded.
 */
export function withDataGradients(loaded: Loaded, wrt: string | undefined): DerivedModel | DerivedFn {
  const d = loaded.derived;
  if (loaded.target.kind !== "model" || wrt === undefined || d.wrt.some((w) => w.attrs.name === wrt)) return d;
  const data = loaded.deriver.dataGradients(loaded.target.name);
  return { ...(d as DerivedModel), wrt: [...d.wrt, ...data.wrt], grads: [...(d as DerivedModel).grads, ...data.grads] };
}

export interface Loaded {
  readonly checked: CheckedProgram;
  readonly target: Target;
  readonly deriver: Deriver;
  readonly derived: DerivedModel | DerivedFn;
}

/** The model or fn derived, with the program it is in. */
export function derivation(checked: CheckedProgram, target: Target, deriver = new Deriver(checked)): Loaded {
  const derived = target.kind === "model" ? deriver.model(target.name) : deriver.fn(target.name);
  return { checked, target, deriver, derived };
}

/** The variables of a model's class targets (`target y: class[n]`), known to be one-hot. */
export function classTargets(loaded: Loaded): Set<Node> {
  if (loaded.target.kind !== "model") return new Set();
  const model = loaded.checked.models.get(loaded.target.name)!;
  const named = new Set(model.targets.flatMap((t) => (t.kind === "target" && t.decl.classes === true ? [t.decl.name.name] : [])));
  return new Set((loaded.derived as DerivedModel).model.targets.filter((t) => named.has(t.attrs.name!)));
}
