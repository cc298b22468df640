// Parameter initialisers (`param W: [4, 2] ~ normal(0, 0.1)`): one entry per
// scheme with its arguments and their constraints. The runtime draws the values.

export interface InitScheme {
  readonly params: readonly string[];
  readonly doc: string;
  /** A problem with the (constant) arguments, or undefined. */
  readonly validate?: (args: readonly number[]) => string | undefined;
}

const entries = {
  zeros: { params: [], doc: "all 0" },
  ones: { params: [], doc: "all 1" },
  const: { params: ["c"], doc: "all c" },
  normal: {
    params: ["mean", "std"],
    doc: "normal distribution",
    validate: ([, std]) => (std! < 0 ? `the std of 'normal' must be at least 0, not ${std}` : undefined),
  },
  uniform: {
    params: ["lo", "hi"],
    doc: "uniform on [lo, hi)",
    validate: ([lo, hi]) => (lo! > hi! ? `'uniform' needs lo ≤ hi, but got ${lo} > ${hi}` : undefined),
  },
  xavier: { params: [], doc: "uniform, ±√(6 / (fan_in + fan_out)) (Glorot)" },
  he: { params: [], doc: "normal, std √(2 / fan_in) (He)" },
} as const satisfies Record<string, InitScheme>;

export type InitName = keyof typeof entries;

export const initSchemes: ReadonlyMap<string, InitScheme> = new Map(Object.entries(entries));

/** The default (docs/language.md, Initialisers): xavier for matrices, zeros otherwise. */
export const defaultInit = (rank: number): InitName => (rank === 2 ? "xavier" : "zeros");
