// PyTorch's derivatives of functions written as Python lambdas (float64),
// computed live, many jobs per Python process:
//   grad:  the value of f(args) and its gradient with respect to each argument
//          (a scalar f), or its Jacobian (a tensor f; a tuple of scalars
//          is stacked, each entry differentiated on its own);
//   second: d = ∂f/∂(first argument) by backward with create_graph (as a
//          user's double backward does), and the Jacobian of d with respect
//          to each argument: second derivatives, kinks and all.

import { runTorch } from "./python.js";

export type Value = number | Value[];

export interface TorchJob {
  readonly mode: "grad" | "second";
  /** A Python lambda over torch tensors, e.g. "lambda x, y: x ** y". */
  readonly f: string;
  readonly args: readonly Value[];
}

export interface TorchResult {
  /** f's value (grad), or ∂f/∂(first argument) (second). */
  readonly value: Value;
  /** Per argument: the derivative of `value` with respect to it, shape(value) ++ shape(argument). */
  readonly grads: readonly Value[];
}

const SCRIPT = `
def derivative(y, x):
    """dy/dx with shape y.shape + x.shape; zeros where y does not depend on x."""
    rows = []
    for i in range(y.numel()):
        if not y.requires_grad:
            rows.append(torch.zeros_like(x))
            continue
        g, = torch.autograd.grad(y.reshape(-1)[i], x, retain_graph=True, allow_unused=True)
        rows.append(torch.zeros_like(x) if g is None else g)
    return torch.stack(rows).reshape(tuple(y.shape) + tuple(x.shape))

def run(job):
    xs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in job["args"]]
    f = eval(job["f"])
    y = f(*xs)
    if isinstance(y, (list, tuple)):
        # Entries computed apart: no zero gradient flows into another entry's
        # backward (where it would meet an infinite local derivative).
        return {"value": torch.stack(list(y)), "grads": [torch.stack([derivative(e, x) for e in y]) for x in xs]}
    if job["mode"] == "second":
        g, = torch.autograd.grad(y, xs[0], create_graph=True, allow_unused=True)
        y = torch.zeros_like(xs[0]) if g is None else g
    return {"value": y, "grads": [derivative(y, x) for x in xs]}

F = torch.nn.functional
out([run(job) for job in data])
`;

export function torchDerivatives(python: string, jobs: readonly TorchJob[]): TorchResult[] {
  return runTorch(python, SCRIPT, jobs) as TorchResult[];
}

/** A nested array (or a number) as a flat list, row-major. */
export const flat = (v: Value | Float64Array | Float32Array): number[] =>
  typeof v === "number" ? [v] : Array.from(v as ArrayLike<Value>).flatMap((x) => flat(x as Value));
