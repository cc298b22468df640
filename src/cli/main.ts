#!/usr/bin/env node
// The nndc command line. Every command reads its file once, reports problems
// as diagnostics (docs/language.md, Diagnostics), and exits 0 (success), 1 (a problem in the user's input) or
// 2 (a bad command line): the rule is in exit.ts. Nothing a user types gives a stack trace.

import { TARGET_NAMES } from "../pipeline/targets.js";
import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { checkCommand } from "./commands/check.js";
import { fmtCommand } from "./commands/fmt.js";
import { gradCommand, type GradOptions } from "./commands/grad.js";
import { gradcheckCommand, type GradcheckCommandOptions } from "./commands/gradcheck.js";
import { graphCommand, type GraphOptions } from "./commands/graph.js";
import { explainCommand, type ExplainOptions } from "./commands/explain.js";
import { compileCommand, type CompileCommandOptions } from "./commands/compile.js";
import { evalCommand, type EvalOptions } from "./commands/eval.js";
import { trainCommand, type TrainCommandOptions } from "./commands/train.js";
import { predictCommand, type PredictOptions } from "./commands/predict.js";
import { EXIT, failureStatus } from "./exit.js";
import { HELP, OPTIMIZERS, SCHEDULES } from "./hyperparameters.js";
import { reportedCommandLine } from "./report.js";

const packageJson = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

const modelOption = () => new Option("--model <name>", "the model (default: the file's only model)").conflicts("fn");
const targetOption = () => new Option("--target <t>", "the generated code: TypeScript loops, or WebAssembly run from a TypeScript wrapper").choices(TARGET_NAMES).default("ts");
const fnOption = () => new Option("--fn <name>", "a fn instead of a model");

export async function main(argv: readonly string[]): Promise<number> {
  let status: number = EXIT.ok;
  const program = new Command("nndc")
    .description("Symbolic differentiation and code generation for small neural networks (.nnd files).")
    .version(packageJson.version, "-v, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .showHelpAfterError("(run 'nndc --help' for usage)")
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`nndc: ${text.replace(/^error: /, "")}`) });

  program
    .command("check")
    .description("parse, resolve names and check shapes; writes nothing (like tsc --noEmit)")
    .argument("<files...>", ".nnd files")
    .option("--verbose", "also list the models, their shapes and parameter counts, and the fns")
    .action((files: string[], options: { verbose?: boolean }) => {
      status = checkCommand(files, options);
    });

  program
    .command("fmt")
    .description("print files in canonical layout, comments kept")
    .argument("<files...>", ".nnd files")
    .addOption(new Option("--check", "exit 1 if a file is not formatted; change nothing").conflicts("write"))
    .addOption(new Option("--write", "rewrite files in place"))
    .action((files: string[], options: { check?: boolean; write?: boolean }) => {
      status = fmtCommand(files, options);
    });

  program
    .command("grad")
    .description("print the simplified derivatives in matrix form, with the forward definitions they use")
    .argument("<file>", "a .nnd file")
    .addOption(modelOption())
    .addOption(fnOption())
    .option("--wrt <name>", "only the derivative with respect to this variable")
    .option("--latex", "print LaTeX (an aligned block) instead of Unicode")
    .action((file: string, options: GradOptions) => {
      status = gradCommand(file, options);
    });

  program
    .command("gradcheck")
    .description("check every derivative against central finite differences at random points; exit 1 on a mismatch")
    .argument("<file>", "a .nnd file")
    .option("--seed <n>", "seed of the random points", "1")
    .option("--tolerance <x>", "largest relative error accepted", "1e-5")
    .action((file: string, options: GradcheckCommandOptions) => {
      status = gradcheckCommand(file, options);
    });

  program
    .command("graph")
    .description("print the forward and backward computation graph (Graphviz dot or Mermaid)")
    .argument("<file>", "a .nnd file")
    .addOption(modelOption())
    .addOption(fnOption())
    .addOption(new Option("--format <format>", "output format").choices(["dot", "mermaid"]).default("dot"))
    .action((file: string, options: GraphOptions) => {
      status = graphCommand(file, options);
    });

  program
    .command("explain")
    .description("show the derivation step by step, naming the rule applied at each step")
    .argument("<file>", "a .nnd file")
    .addOption(modelOption())
    .addOption(fnOption())
    .option("--wrt <name>", "the variable to differentiate by")
    .action((file: string, options: ExplainOptions) => {
      status = explainCommand(file, options);
    });

  program
    .command("compile")
    .description("write the generated TypeScript module of each file to DIR/<stem>.ts")
    .argument("<files...>", ".nnd files")
    .option("-o, --out <dir>", "output directory", "generated")
    .addOption(new Option("--precision <p>", "number type of the arrays").choices(["f64", "f32"]).default("f64"))
    .addOption(targetOption())
    .option("--wasm-always", "with --target wasm: run every model in WebAssembly, even one too small for a call into it to pay (a browser test, a measurement)")
    .option("--stats", "print flop counts, buffer bytes and time per compiler stage")
    .option("--schedule", "print where each value lives (inline, local, buffer, registers) and when it is computed (hoisted, per example, per chunk)")
    .option("--hessian", "also emit each model's Hessian function (Newton's method)")
    .action(async (files: string[], options: CompileCommandOptions) => {
      status = await compileCommand(files, options);
    });

  program
    .command("eval")
    .description("run the generated code on given values and print JSON (loss, outputs, gradients)")
    .argument("<file>", "a .nnd file")
    .addOption(modelOption())
    .addOption(fnOption())
    .option("--params <file>", "JSON: every param by name (a plain map or a weights file)")
    .option("--example <file>", "JSON: every input and target by name")
    .option("--at <json>", "JSON: every argument of the fn by name")
    .option("--wrt-inputs", "also print the gradient of the loss with respect to the model's inputs (\"inputGrad\")")
    .option("--hessian", "also print the Hessian: of the loss over all parameter entries, or of the fn over all argument entries")
    .addOption(targetOption())
    .action(async (file: string, options: EvalOptions) => {
      status = await evalCommand(file, options);
    });

  program
    .command("train")
    .description("train a model on data (CSV with a header, JSON, or IDX images,labels) and save its weights")
    .argument("<file>", "a .nnd file")
    .addOption(new Option("--model <name>", "the model (default: the file's only model)"))
    .requiredOption("--data <files>", "a .csv or .json file, or IDX images and labels: images.gz,labels.gz")
    .addOption(new Option("--optimizer <name>", "the optimizer").choices(Object.keys(OPTIMIZERS)).default("adam"))
    .option("--lr <rate>", HELP.lr)
    .option("--momentum <m>", HELP.momentum)
    .option("--beta1 <b>", HELP.beta1)
    .option("--beta2 <b>", HELP.beta2)
    .option("--eps <e>", HELP.eps)
    .option("--weight-decay <w>", HELP.weightDecay)
    .addOption(new Option("--schedule <name>", HELP.schedule).choices(SCHEDULES).default("constant"))
    .option("--step-every <n>", HELP.stepEvery)
    .option("--gamma <g>", HELP.gamma)
    .option("--warmup <n>", HELP.warmup)
    .option("--epochs <n>", "passes over the training data (iterations for newton)", "100")
    .option("--batch <n>", "examples per step", "32")
    .option("--seed <n>", "seed for initialisation, shuffling and the split", "1")
    .option("--test-split <fraction>", "fraction of examples held out for testing", "0")
    .option("--columns <map>", "CSV columns by header name for each input and target: 'x=a,b,c;y=label'")
    .option("--standardize", "scale each input entry to mean 0 and deviation 1 (statistics from the training rows; saved with the weights)")
    .option("--scale <factors>", "fixed scaling of inputs, saved with the weights: 'x=1/16' (several as 'x=1/16;z=2')")
    .option("--patience <n>", "stop when the held-out loss has not improved for n epochs, and keep the best epoch's weights")
    .option("--clip <norm>", "clip gradients to this global norm")
    .option("--out <file>", "where to save the weights (default: <stem>.weights.json)")
    .option("--resume <file>", "continue from saved weights and optimizer state")
    .option("--plot <file.svg>", "write the loss curve (train and test) as SVG")
    .option("--log-every <n>", HELP.logEvery)
    .addOption(targetOption())
    .action(async (file: string, options: TrainCommandOptions) => {
      status = await trainCommand(file, options);
    });

  program
    .command("predict")
    .description("run a trained model over every row of a data file; write its outputs (CSV or JSON), print loss and accuracy when the data has targets")
    .argument("<file>", "a .nnd file")
    .addOption(new Option("--model <name>", "the model (default: the file's only model)"))
    .requiredOption("--params <file>", "a weights file written by nndc train (its preprocessing is applied to the inputs)")
    .requiredOption("--data <files>", "a .csv or .json file, or IDX images (and labels): images.gz[,labels.gz]; the targets may be left out")
    .option("--columns <map>", "CSV columns by header name for each input and target: 'x=a,b,c;y=label'")
    .option("--out <file>", "write the predictions to a .csv or .json file (default: CSV on stdout)")
    .addOption(targetOption())
    .action(async (file: string, options: PredictOptions) => {
      status = await predictCommand(file, options);
    });

  for (const command of program.commands) command.exitOverride().showHelpAfterError(`(run 'nndc ${command.name()} --help' for usage)`);

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    const asked = ["commander.helpDisplayed", "commander.version", "commander.help"].includes(e.code);
    return asked ? EXIT.ok : EXIT.commandLine;
  }
  return failureStatus(status, reportedCommandLine());
}

// A reader that stops early (`nndc train ... | head`) closes the pipe: that
// ends the command quietly, as it does for cat or grep, not with a stack trace.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code !== "EPIPE") throw e;
  process.exit(process.exitCode ?? 0);
});

// What no diagnostic foresaw is still not a stack trace for the user: one
// line that says what failed and how to report it (NNDC_DEBUG=1 shows the trace).
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  if (process.env["NNDC_DEBUG"] === "1") throw e;
  const what = e instanceof Error ? `${e.name}: ${e.message.split("\n")[0]!.slice(0, 300)}` : String(e);
  process.stderr.write(`nndc: internal error: ${what}\n(this is a bug in nndc, not in your input; run again with NNDC_DEBUG=1 for the trace, and report it)\n`);
  process.exitCode = EXIT.userError;
}
