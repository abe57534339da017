/**
 * `varlink format FILE...`: print interface files in the canonical style, rewrite them in place
 * (`--write`) or list those that are not canonical (`--check`).
 */
import { Option, type Command } from "commander";
import { formatSource, VarlinkSyntaxError } from "@varlink-ts/runtime/idl";
import type { CommandContext } from "../context.js";
import { reportProblem, reportSyntaxError } from "../diagnostics.js";
import { displayName, readInput, writeOutput } from "../files.js";

interface FormatOptions {
  readonly write?: boolean;
  readonly check?: boolean;
}

/** Adds `format` to the program. */
export function registerFormat(program: Command, context: CommandContext): void {
  program
    .command("format")
    .description("print varlink interface files in the canonical style")
    .argument("<files...>", "interface files to format ('-' reads standard input)")
    .addOption(new Option("-w, --write", "rewrite the files that are not canonical, in place"))
    .addOption(
      new Option(
        "-c, --check",
        "list the files that are not canonical and exit 1 if any",
      ).conflicts("write"),
    )
    .action(async (files: string[], options: FormatOptions) => {
      if (options.write === true && files.includes("-")) {
        reportProblem(context, "--write cannot rewrite standard input");
        context.exitCode = 2;
        return;
      }
      for (const file of files) {
        if (!(await formatFile(context, file, options))) {
          context.exitCode = 1;
        }
      }
    });
}

/** Formats one file as the options say; false when it failed or (with `--check`) is not canonical. */
async function formatFile(
  context: CommandContext,
  file: string,
  options: FormatOptions,
): Promise<boolean> {
  const source = await readInput(context, file);
  if (source === undefined) {
    return false;
  }
  let formatted: string;
  try {
    formatted = formatSource(source, { file: displayName(file) });
  } catch (error) {
    if (error instanceof VarlinkSyntaxError) {
      reportSyntaxError(context, error);
      return false;
    }
    throw error;
  }
  if (options.check === true) {
    if (formatted !== source) {
      context.stdout.write(`${displayName(file)}\n`);
      return false;
    }
    return true;
  }
  if (options.write === true) {
    return formatted === source || (await writeOutput(context, file, formatted));
  }
  context.stdout.write(formatted);
  return true;
}
