/**
 * `varlink list-methods ADDRESS [INTERFACE...]`: the methods of a service's interfaces, one
 * `INTERFACE.METHOD` per line, sorted, as systemd's `varlinkctl list-methods` prints them.
 */
import { parseInterface, VarlinkSyntaxError } from "@varlink-ts/runtime/idl";
import type { Command } from "commander";
import { globalOptions, type GlobalOptions } from "../address-options.js";
import type { CommandContext } from "../context.js";
import { readDescriptions } from "../descriptions.js";
import { reportProblem } from "../diagnostics.js";
import { runAction } from "../failures.js";
import { chosenFormat, formatJson, JSON_FORMATS_HELP, jsonOption, type JsonChoice } from "../output.js";

interface ListMethodsOptions {
  readonly json?: JsonChoice;
}

/** Adds `list-methods` to the program. */
export function registerListMethods(program: Command, context: CommandContext): void {
  program
    .command("list-methods")
    .description("print the methods of a service's interfaces, one INTERFACE.METHOD per line, sorted")
    .argument(
      "[targets...]",
      "ADDRESS [INTERFACE...], or INTERFACE... (through --bridge, --activate or the resolver)",
    )
    .addOption(
      jsonOption(`print the methods as a JSON array: ${JSON_FORMATS_HELP}`),
    )
    .addHelpText("after", "\nWithout an INTERFACE, lists the methods of every interface the service lists.")
    .action((targets: string[], options: ListMethodsOptions, command: Command) =>
      runAction(context, async () => {
        const methods = await listMethods(context, globalOptions(command), targets);
        const sorted = [...new Set(methods)].sort();
        const format = chosenFormat(options.json);
        context.stdout.write(
          format === undefined ? sorted.map((name) => `${name}\n`).join("") : formatJson(sorted, format),
        );
      }),
    );
}

async function listMethods(context: CommandContext, globals: GlobalOptions, targets: string[]): Promise<string[]> {
  const methods: string[] = [];
  // As varlinkctl: without an INTERFACE, every interface the service lists, org.varlink.service too.
  await readDescriptions(globals, targets, true, ({ name, text }) => methods.push(...methodsIn(context, name, text)));
  return methods;
}

/** A method declaration in a description's text: `method Name(`, at the start of a line. */
const METHOD_DECLARATION = /^[ \t]*method[ \t]+([A-Z][A-Za-z0-9]*)[ \t]*\(/gm;

/**
 * The qualified names of the methods in interface `name`'s description. A description this
 * parser refuses (peers accept more, such as references to undefined types) still declares its
 * methods plainly: they are read from its text, after a warning, rather than failing the listing.
 */
function methodsIn(context: CommandContext, name: string, description: string): string[] {
  try {
    return [...parseInterface(description, { file: `<${name}>` }).methods.keys()].map((method) => `${name}.${method}`);
  } catch (error) {
    if (!(error instanceof VarlinkSyntaxError)) throw error;
    reportProblem(context, `warning: ${name} does not parse, its methods are read from its text: ${error.message}`);
    return [...description.matchAll(METHOD_DECLARATION)].map((match) => `${name}.${match[1]}`);
  }
}
