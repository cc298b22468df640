// The names of the graph's ops, by family. Each family's file (elementwise.ts,
// special.ts, ...) has one entry per name, typed so that a name without an
// entry, or an entry without every part, is a type error. The names are
// listed apart from the entries because the derivative rules build nodes of
// other ops by name: listing them here keeps those types from depending on
// the entries themselves.

export const leafOps = ["const", "var", "eye"] as const;

/** One function applied to each entry. */
export const unaryOps = ["neg", "exp", "log", "sqrt", "abs", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "softplus", "sign", "step"] as const;

/** Special functions, entry by entry. */
export const specialOps = ["erf", "gelu"] as const;

/** Two arguments, entry by entry; a scalar argument is broadcast. */
export const binaryOps = ["add", "sub", "mul", "div", "pow", "max", "min", "leaky_relu", "leaky_step", "safe_div", "safe_mul", "pow_log"] as const;

export const shapeOps = ["broadcast", "index", "scatter", "stack", "transpose"] as const;

export const linalgOps = ["matmul", "outer", "trace", "diag", "dot"] as const;

/** Reductions to a scalar, and the vector functions built on them. */
export const reductionOps = ["sum", "mean", "norm2", "logsumexp", "softmax", "log_softmax"] as const;

/** Losses of one example (docs/language.md, Losses). */
export const lossOps = ["mse", "bce", "bce_logits", "cross_entropy", "softmax_cross_entropy", "huber"] as const;

export type UnaryOp = (typeof unaryOps)[number] | (typeof specialOps)[number];
export type BinaryOp = (typeof binaryOps)[number];
export type ElementwiseOp = UnaryOp | BinaryOp;

export type OpName =
  | (typeof leafOps)[number]
  | ElementwiseOp
  | (typeof shapeOps)[number]
  | (typeof linalgOps)[number]
  | (typeof reductionOps)[number]
  | (typeof lossOps)[number];

export const elementwiseOps: readonly ElementwiseOp[] = [...unaryOps, ...specialOps, ...binaryOps];
