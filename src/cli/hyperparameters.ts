// The optimizers and learning-rate schedules `nndc train` offers, with their
// hyperparameters and defaults in one table that builds the optimizer,
// checks the command line and writes the --help text, so the three agree.
// Every schedule counts epochs, as the runtime's `schedule` option does.

import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { error } from "../diagnostics/diagnostic.js";
import { adagrad, adam, adamw, rmsprop, sgd, type Optimizer, type Shapes } from "../runtime/optimizers.js";
import { constant, cosine, exponential, stepDecay, warmup, type Schedule } from "../runtime/schedule.js";

const HYPERPARAMETERS = ["lr", "momentum", "beta1", "beta2", "eps", "weightDecay"] as const;
type Hyperparameter = (typeof HYPERPARAMETERS)[number];

/** Per optimizer, the hyperparameters it takes and their defaults (PyTorch's, but for the learning rates). */
export const OPTIMIZERS = {
  sgd: { lr: 0.1, momentum: 0, weightDecay: 0 },
  momentum: { lr: 0.05, momentum: 0.9, weightDecay: 0 },
  nesterov: { lr: 0.05, momentum: 0.9, weightDecay: 0 },
  adagrad: { lr: 0.1, eps: 1e-10, weightDecay: 0 },
  rmsprop: { lr: 0.01, eps: 1e-8, weightDecay: 0 },
  adam: { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 },
  adamw: { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 },
  // Newton's method takes no learning rate: its step is solved for, with damping.
  newton: {},
} satisfies Record<string, Partial<Record<Hyperparameter, number>>>;

export type OptimizerName = keyof typeof OPTIMIZERS;
export type ScheduleName = "constant" | "step" | "exponential" | "cosine";
export const SCHEDULES: readonly ScheduleName[] = ["constant", "step", "exponential", "cosine"];

interface Rule {
  readonly flag: string;
  readonly expected: string;
  readonly ok: (x: number) => boolean;
}

const fraction = (flag: string): Rule => ({ flag, expected: "a number from 0 up to (not including) 1", ok: (x) => x >= 0 && x < 1 });
const whole = (flag: string, least: number): Rule => ({ flag, expected: `a whole number ≥ ${least}`, ok: (x) => Number.isInteger(x) && x >= least });

/** What each value may be. */
const RULES = {
  lr: { flag: "--lr", expected: "a number above 0", ok: (x) => x > 0 },
  momentum: fraction("--momentum"),
  beta1: fraction("--beta1"),
  beta2: fraction("--beta2"),
  eps: { flag: "--eps", expected: "a number above 0", ok: (x) => x > 0 },
  weightDecay: { flag: "--weight-decay", expected: "a number ≥ 0", ok: (x) => x >= 0 },
  stepEvery: whole("--step-every", 1),
  gamma: { flag: "--gamma", expected: "a number above 0", ok: (x) => x > 0 },
  warmup: whole("--warmup", 0),
  logEvery: whole("--log-every", 1),
  patience: whole("--patience", 1),
  clip: { flag: "--clip", expected: "a number above 0", ok: (x) => x > 0 },
} satisfies Record<string, Rule>;

/** Which schedules take --step-every and --gamma, and which need them. */
const SCHEDULE_OPTIONS = {
  stepEvery: { takes: ["step"], needs: ["step"] },
  gamma: { takes: ["step", "exponential"], needs: ["exponential"] },
} as const satisfies Record<string, { takes: readonly ScheduleName[]; needs: readonly ScheduleName[] }>;

/** The command-line text of every option here, as given (undefined when not). */
export type HyperparameterOptions = Partial<Record<Hyperparameter | keyof typeof SCHEDULE_OPTIONS | "schedule" | "warmup" | "logEvery" | "patience" | "clip", string>>;

export interface Hyperparameters {
  readonly optimizer: OptimizerName;
  /** The optimizer's values, defaults filled in. */
  readonly values: Readonly<Partial<Record<Hyperparameter, number>>>;
  /** The learning rate by epoch; undefined for a constant rate. */
  readonly schedule: Schedule | undefined;
  readonly logEvery: number | undefined;
  /** For the first line of output: every value the optimizer uses, and the schedule. */
  readonly description: string;
}

const list = (names: readonly string[]) => (names.length === 1 ? names[0]! : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`);

type Numbers = Partial<Record<keyof typeof RULES, number>>;

/** Reads and checks the options; a diagnostic (a bad command line) for a bad value or an option the choice does not take. */
export function readHyperparameters(optimizer: OptimizerName, o: HyperparameterOptions, epochs: number): Hyperparameters | Diagnostic {
  const numbers = readNumbers(o);
  if ("code" in numbers) return numbers;
  const defaults: Partial<Record<Hyperparameter, number>> = OPTIMIZERS[optimizer];
  for (const key of HYPERPARAMETERS) {
    if (numbers[key] !== undefined && defaults[key] === undefined) return error("NND3041", undefined, RULES[key].flag, "optimizers", takers(key), optimizer);
  }
  if (optimizer === "nesterov" && numbers.momentum === 0) return error("NND3040", undefined, "--momentum", o.momentum!, "above 0 for nesterov");
  const values = Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, numbers[k as Hyperparameter] ?? v]));
  const schedule = o.schedule ?? "constant";
  const wrong = checkSchedule(optimizer, schedule, numbers);
  if (wrong !== undefined) return wrong;
  const name = schedule as ScheduleName;
  return { optimizer, values, schedule: makeSchedule(name, values["lr"], epochs, numbers), logEvery: numbers.logEvery, description: describe(optimizer, values, name, epochs, numbers) };
}

function readNumbers(o: HyperparameterOptions): Numbers | Diagnostic {
  const numbers: Numbers = {};
  for (const [key, rule] of Object.entries(RULES) as [keyof typeof RULES, Rule][]) {
    const text = o[key];
    if (text === undefined) continue;
    const x = text.trim() === "" ? NaN : Number(text);
    if (!Number.isFinite(x) || !rule.ok(x)) return error("NND3040", undefined, rule.flag, text, rule.expected);
    numbers[key] = x;
  }
  return numbers;
}

/** A known schedule, with the options it needs and none it does not take. */
function checkSchedule(optimizer: OptimizerName, schedule: string, numbers: Numbers): Diagnostic | undefined {
  if (!(SCHEDULES as readonly string[]).includes(schedule)) return error("NND3040", undefined, "--schedule", schedule, `one of ${list(SCHEDULES)}`);
  // A constant schedule is the absence of one, so newton accepts it.
  if (optimizer === "newton" && (schedule !== "constant" || numbers.warmup !== undefined)) {
    return error("NND3041", undefined, schedule !== "constant" ? "--schedule" : "--warmup", "optimizers", takers("lr"), optimizer);
  }
  for (const [key, use] of Object.entries(SCHEDULE_OPTIONS) as [keyof typeof SCHEDULE_OPTIONS, { takes: readonly string[]; needs: readonly string[] }][]) {
    const given = numbers[key] !== undefined;
    if (given && !use.takes.includes(schedule)) return error("NND3041", undefined, RULES[key].flag, "schedules", use.takes, schedule);
    if (!given && use.needs.includes(schedule)) return error("NND3042", undefined, schedule, RULES[key].flag);
  }
  return undefined;
}

/** The optimizers that take a hyperparameter. */
const takers = (key: Hyperparameter): OptimizerName[] => (Object.keys(OPTIMIZERS) as OptimizerName[]).filter((name) => key in OPTIMIZERS[name]);

function makeSchedule(name: ScheduleName, lr: number | undefined, epochs: number, n: Numbers): Schedule | undefined {
  if (lr === undefined) return undefined;
  const base: Schedule | undefined = {
    constant: undefined,
    step: stepDecay(lr, n.stepEvery ?? 1, n.gamma ?? 0.1),
    exponential: exponential(lr, n.gamma ?? 1),
    cosine: cosine(lr, epochs),
  }[name];
  if (n.warmup === undefined || n.warmup === 0) return base;
  return warmup(base ?? constant(lr), n.warmup);
}

function describe(optimizer: OptimizerName, values: Partial<Record<Hyperparameter, number>>, schedule: ScheduleName, epochs: number, n: Numbers): string {
  const parts = Object.entries(values).map(([k, v]) => `${RULES[k as Hyperparameter].flag.slice(2).replace("-", " ")} ${v}`);
  const scheduled = {
    constant: "",
    step: `, × ${n.gamma ?? 0.1} every ${n.stepEvery} epochs`,
    exponential: `, × ${n.gamma} each epoch`,
    cosine: `, cosine down to 0 over ${epochs} epochs`,
  }[schedule];
  const warm = n.warmup === undefined || n.warmup === 0 ? "" : `, warm-up ${n.warmup} epochs`;
  return parts.length === 0 ? optimizer : `${optimizer} (${parts.join(", ")}${scheduled}${warm})`;
}

/** A first-order optimizer (not newton, which needs the model and the data) from checked values. */
export function makeOptimizer(h: Hyperparameters, shapes: Shapes): Optimizer {
  const v = h.values;
  const lr = v.lr!;
  const decay = { weightDecay: v.weightDecay! };
  switch (h.optimizer) {
    case "sgd":
    case "momentum":
    case "nesterov":
      return sgd(shapes, { lr, momentum: v.momentum!, nesterov: h.optimizer === "nesterov", ...decay });
    case "adagrad":
      return adagrad(shapes, { lr, eps: v.eps!, ...decay });
    case "rmsprop":
      return rmsprop(shapes, { lr, eps: v.eps!, ...decay });
    case "adam":
      return adam(shapes, { lr, beta1: v.beta1!, beta2: v.beta2!, eps: v.eps!, ...decay });
    case "adamw":
      return adamw(shapes, { lr, beta1: v.beta1!, beta2: v.beta2!, eps: v.eps!, ...decay });
    case "newton":
      throw new Error("Newton's method is made from the model and the data");
  }
}

/** "0.1 for sgd and adagrad, 0.05 for momentum and nesterov, ...": the defaults of a hyperparameter, from the table. */
function defaults(key: Hyperparameter): string {
  const byValue = new Map<number, string[]>();
  for (const name of takers(key)) {
    const value = (OPTIMIZERS[name] as Partial<Record<Hyperparameter, number>>)[key]!;
    byValue.set(value, [...(byValue.get(value) ?? []), name]);
  }
  if (byValue.size === 1) return String([...byValue.keys()][0]);
  // A long list of names reads better as "the others", last.
  const groups = [...byValue].sort((a, b) => (a[1].length > 3 ? 1 : 0) - (b[1].length > 3 ? 1 : 0));
  return groups.map(([value, names]) => `${value} for ${names.length > 3 ? "the others" : list(names)}`).join(", ");
}

const forWhich = (key: Hyperparameter) => `${list(takers(key))}; default ${defaults(key)}`;

/** The --help text of each option. */
export const HELP = {
  lr: `learning rate (default ${defaults("lr")}; newton takes none)`,
  momentum: `momentum factor (${forWhich("momentum")})`,
  beta1: `decay rate of the first-moment average (${forWhich("beta1")})`,
  beta2: `decay rate of the second-moment average (${forWhich("beta2")})`,
  eps: `term added to the denominator (${forWhich("eps")})`,
  weightDecay: `L2 penalty, decoupled for adamw (${forWhich("weightDecay")})`,
  schedule: "learning rate by epoch: constant; step (× gamma every --step-every epochs); exponential (× gamma each epoch); cosine (down to 0 at the last epoch)",
  stepEvery: "epochs between decays of --schedule step (required by it)",
  gamma: "decay factor of --schedule step (default 0.1) and exponential (required by it)",
  warmup: "raise the learning rate linearly over the first n epochs, then follow the schedule (default: 0)",
  logEvery: "print every n-th epoch's line, and the first and the last (default: every epoch on a terminal; off one, a round n that gives 10 to 20 lines)",
} as const;
