// nndc/runtime: train generated models. Imports nothing from the compiler.

export * from "./optimizers.js";
export { newton, type NewtonProblem, type NewtonOptions } from "./newton.js";
export * from "./schedule.js";
export * from "./data.js";
export * from "./train.js";
export * from "./weights.js";
export * from "./preprocess.js";
export * from "./files.js";
