/**
 * `varlink validate FILE...`: parse and check interface files, report every invalid one.
 */
import type { Command } from "commander";
import { parseInterface, VarlinkSyntaxError } from "@varlink-ts/runtime/idl";
import type { CommandContext } from "../context.js";
import { reportSyntaxError } from "../diagnostics.js";
import { displayName, readInput } from "../files.js";

/** Adds `validate` to the program. */
export function registerValidate(program: Command, context: CommandContext): void {
  program
    .command("validate")
    .description("check that varlink interface files parse and are consistent")
    .argument("<files...>", "interface files to check ('-' reads standard input)")
    .addHelpText(
      "after",
      "\nExits 0 when every file is valid; otherwise prints each error as FILE:LINE:COL: reason\nwith the offending line, and exits 1.",
    )
    .action(async (files: string[]) => {
      for (const file of files) {
        if (!(await validateFile(context, file))) {
          context.exitCode = 1;
        }
      }
    });
}

async function validateFile(context: CommandContext, file: string): Promise<boolean> {
  const source = await readInput(context, file);
  if (source === undefined) {
    return false;
  }
  try {
    parseInterface(source, { file: displayName(file) });
    return true;
  } catch (error) {
    if (error instanceof VarlinkSyntaxError) {
      reportSyntaxError(context, error);
      return false;
    }
    throw error;
  }
}
