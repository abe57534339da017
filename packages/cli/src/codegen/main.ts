/**
 * The `varlink-codegen` command: a thin layer of flags and messages over {@link runCodegen}.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { Command, CommanderError, Option } from "commander";
import { VarlinkSyntaxError } from "@varlink-ts/runtime";
import { type CommandContext, processContext } from "../varlink/context.js";
import { colourEnabled, red, reportSyntaxError } from "../varlink/diagnostics.js";
import { untilStopped } from "../varlink/until-stopped.js";
import { ConfigError, loadConfig, parseBigintSelector, parseEmit, parseImportExtension } from "./config.js";
import { runCodegen, type CodegenOptions, type CodegenResult } from "./run.js";
import { isServiceInput } from "./service-inputs.js";
import { watchCodegen } from "./watch.js";

/** Exit codes: success; invalid input or stale output; wrong usage. */
const EXIT_OK = 0;
const EXIT_INVALID = 1;
const EXIT_USAGE = 2;

interface Flags {
  out?: string;
  check?: boolean;
  watch?: boolean;
  emit?: string;
  importExtension?: string;
  runtime?: string;
  bigint?: string[];
  config?: string;
}

/**
 * Runs `varlink-codegen` with `argv` (the arguments after the command's name) and resolves to the
 * exit code. `context` is the process's streams unless given (tests run the command in their own
 * process); `--watch` resolves on SIGINT or SIGTERM, or when the context's signal aborts.
 */
export async function main(argv: readonly string[], context: CommandContext = processContext()): Promise<number> {
  const program = new Command("varlink-codegen")
    .description("Generate TypeScript clients, server interfaces, error classes and mocks from varlink interface files.")
    .argument(
      "[inputs...]",
      ".varlink files, directories or glob patterns (quoted globs are expanded here); or running services: ADDRESS or ADDRESS/INTERFACE",
    )
    .option("-o, --out <dir>", "output directory: one module per interface plus index.ts")
    .option("--check", "compare with the files on disk instead of writing; exit 1 if any is stale or missing")
    .option("--watch", "regenerate whenever an input changes")
    .addOption(new Option("--emit <kinds>", "what to emit, comma-separated: types,client,server,mock (default: all)"))
    .option("--import-extension <ext>", 'suffix of relative imports in generated code: ".js", ".ts" or "none"')
    .option("--runtime <module>", "module specifier to import the runtime from (default: @varlink-ts/runtime)")
    .option(
      "--bigint <selector>",
      "generate the ints a selector names as bigint: INTERFACE or INTERFACE.Member.field (repeatable)",
      (selector: string, previous: string[] | undefined) => [...(previous ?? []), selector],
    )
    .option("--config <file>", "config file (default: varlink-codegen.config.json, or the \"varlink-codegen\" key of package.json)")
    .version(readVersion(), "-v, --version")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
      outputError: (text, write) => write(text),
    });

  let inputs: string[];
  let flags: Flags;
  try {
    program.parse([...argv], { from: "user" });
    inputs = program.args;
    flags = program.opts<Flags>();
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    throw error;
  }

  const colour = colourEnabled(context);
  let options: CodegenOptions;
  try {
    options = await resolveOptions(inputs, flags);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    context.stderr.write(`${red(colour, "error:")} ${error.message}\n`);
    return EXIT_USAGE;
  }

  if (flags.watch === true) {
    if (options.check === true) {
      context.stderr.write(`${red(colour, "error:")} --watch and --check cannot be combined\n`);
      return EXIT_USAGE;
    }
    // A socket gives no notice when its interfaces change, so there is nothing to watch.
    const service = options.inputs.find((input) => isServiceInput(input, process.cwd()));
    if (service !== undefined) {
      context.stderr.write(
        `${red(colour, "error:")} --watch cannot watch the service ${service}: generate from it without --watch, or save its interfaces with 'varlink introspect --save DIR ${service}' and watch DIR\n`,
      );
      return EXIT_USAGE;
    }
    const stop = untilStopped(context.signal);
    try {
      await watchCodegen(options, (outcome) => report(outcome, options, context), stop.signal);
    } finally {
      stop.cancel();
    }
    return EXIT_OK;
  }
  try {
    return report(await runCodegen(options), options, context);
  } catch (error) {
    return report(error instanceof Error ? error : new Error(String(error)), options, context);
  }
}

async function resolveOptions(inputs: string[], flags: Flags): Promise<CodegenOptions> {
  const config = await loadConfig(process.cwd(), flags.config);
  const chosenInputs = inputs.length > 0 ? inputs : config.inputs;
  const out = flags.out ?? config.out;
  if (chosenInputs === undefined || chosenInputs.length === 0) {
    throw new ConfigError("no inputs: name .varlink files, directories or globs (or set \"inputs\" in the config)");
  }
  if (out === undefined) throw new ConfigError("no output directory: pass -o DIR (or set \"out\" in the config)");
  const emit = flags.emit !== undefined ? parseEmit(flags.emit, "--emit") : config.emit;
  const importExtension =
    flags.importExtension !== undefined ? parseImportExtension(flags.importExtension, "--import-extension") : config.importExtension;
  const runtimeModule = flags.runtime ?? config.runtimeModule;
  const bigint = flags.bigint !== undefined ? flags.bigint.map((selector) => parseBigintSelector(selector, "--bigint")) : config.bigint;
  return {
    inputs: chosenInputs,
    out,
    ...(emit !== undefined && { emit }),
    ...(importExtension !== undefined && { importExtension }),
    ...(runtimeModule !== undefined && { runtimeModule }),
    ...(bigint !== undefined && { bigint }),
    ...(flags.check === true && { check: true }),
  };
}

/** Prints one run's outcome and returns its exit code. */
function report(outcome: CodegenResult | Error, options: CodegenOptions, context: CommandContext): number {
  const colour = colourEnabled(context);
  if (outcome instanceof VarlinkSyntaxError) {
    reportSyntaxError(context, outcome);
    return EXIT_INVALID;
  }
  // Every invalid file of the run, each with its frame, as `varlink validate` lists them.
  if (outcome instanceof AggregateError && outcome.errors.every((error) => error instanceof VarlinkSyntaxError)) {
    for (const error of outcome.errors as VarlinkSyntaxError[]) reportSyntaxError(context, error);
    context.stderr.write(`${red(colour, "error:")} ${outcome.message}\n`);
    return EXIT_INVALID;
  }
  if (outcome instanceof Error) {
    context.stderr.write(`${red(colour, "error:")} ${outcome.message}\n`);
    return EXIT_INVALID;
  }
  const shown = (file: string): string => path.relative(process.cwd(), file) || file;
  const services = outcome.services.length;
  const summary = `${outcome.interfaces} interface${outcome.interfaces === 1 ? "" : "s"} from ${outcome.inputs.length} file${
    outcome.inputs.length === 1 ? "" : "s"
  }${services > 0 ? ` and ${services} service${services === 1 ? "" : "s"}` : ""} in ${Math.round(outcome.durationMs)} ms`;
  if (options.check === true) {
    const problems = outcome.files.filter((file) => file.status !== "unchanged");
    for (const file of problems) {
      context.stderr.write(`${red(colour, `${file.status}:`)} ${shown(file.path)}\n`);
      if (file.diff !== undefined) context.stderr.write(`${indent(file.diff)}\n`);
    }
    if (problems.length > 0) {
      context.stderr.write(
        `varlink-codegen: ${problems.length} file${problems.length === 1 ? " is" : "s are"} out of date (${summary}); run without --check to update\n`,
      );
      return EXIT_INVALID;
    }
    context.stdout.write(`varlink-codegen: ${outcome.files.length} files up to date (${summary})\n`);
    return EXIT_OK;
  }
  const count = (status: string): number => outcome.files.filter((file) => file.status === status).length;
  const removed = count("removed");
  context.stdout.write(
    `varlink-codegen: ${summary} → ${shown(path.resolve(options.out))} (${count("written")} written, ${count("unchanged")} unchanged${
      removed > 0 ? `, ${removed} removed` : ""
    })\n`,
  );
  return EXIT_OK;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}

function readVersion(): string {
  const url = new URL("../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(url, "utf8")) as { version: string }).version;
}
