/**
 * `varlink list-methods ADDRESS [INTERFACE...]`: the methods of a service's interfaces, one
 * `INTERFACE.METHOD` per line, sorted, as systemd's `varlinkctl list-methods` prints them.
 */
import {
  getInfo,
  getInterfaceDescription,
  InterfaceNotFoundError,
  VarlinkError,
  type Connection,
} from "@varlink-ts/runtime";
import { parseInterface, VarlinkSyntaxError } from "@varlink-ts/runtime/idl";
import type { Command } from "commander";
import { fixedEndpoint, globalOptions, type GlobalOptions } from "../address-options.js";
import { openConnection, openService } from "../connection.js";
import type { CommandContext } from "../context.js";
import { reportProblem } from "../diagnostics.js";
import { EXIT_FAILED } from "../exit-codes.js";
import { CommandFailure, replyFailure, runAction, usageError } from "../failures.js";
import { chosenFormat, formatJson, JSON_FORMATS_HELP, jsonOption, type JsonChoice } from "../output.js";
import { parseInterfaceArguments } from "../targets.js";

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
  const { address, interfaces } = parseInterfaceArguments(targets);
  const endpoint = fixedEndpoint(globals, address);
  const methods: string[] = [];
  if (endpoint === undefined) {
    if (interfaces.length === 0) {
      throw usageError("missing ADDRESS or INTERFACE (or --bridge COMMAND, or --activate COMMAND)");
    }
    // Without an address each interface may live in another service: ask the resolver for each.
    for (const name of interfaces) {
      const connection = await openService(globals, undefined, name, EXIT_FAILED);
      try {
        methods.push(...(await methodsOf(context, connection.client, name, `the service of ${name}`)));
      } finally {
        connection.close();
      }
    }
    return methods;
  }
  const connection = await openConnection(endpoint);
  try {
    // As varlinkctl: every interface the service lists, org.varlink.service included.
    const names = interfaces.length > 0 ? interfaces : await listedInterfaces(connection.client);
    for (const name of names) {
      methods.push(...(await methodsOf(context, connection.client, name, endpoint.label)));
    }
  } catch (error) {
    throw connection.relabel(error);
  } finally {
    connection.close();
  }
  return methods;
}

async function listedInterfaces(client: Connection): Promise<string[]> {
  try {
    return (await getInfo(client)).interfaces;
  } catch (error) {
    if (error instanceof VarlinkError) throw replyFailure("org.varlink.service.GetInfo", error);
    throw error;
  }
}

/** A method declaration in a description's text: `method Name(`, at the start of a line. */
const METHOD_DECLARATION = /^[ \t]*method[ \t]+([A-Z][A-Za-z0-9]*)[ \t]*\(/gm;

/**
 * The qualified names of the methods of interface `name`. A description this parser refuses (peers
 * accept more, such as references to undefined types) still declares its methods plainly: they
 * are read from its text, after a warning, rather than failing the whole listing.
 */
async function methodsOf(context: CommandContext, client: Connection, name: string, label: string): Promise<string[]> {
  let description: string;
  try {
    description = await getInterfaceDescription(client, name);
  } catch (error) {
    if (error instanceof InterfaceNotFoundError) {
      throw new CommandFailure(EXIT_FAILED, `${label} does not implement ${name}`, { cause: error });
    }
    if (error instanceof VarlinkError) throw replyFailure("org.varlink.service.GetInterfaceDescription", error);
    throw error;
  }
  try {
    return [...parseInterface(description, { file: `<${name}>` }).methods.keys()].map((method) => `${name}.${method}`);
  } catch (error) {
    if (!(error instanceof VarlinkSyntaxError)) throw error;
    reportProblem(context, `warning: ${name} does not parse, its methods are read from its text: ${error.message}`);
    return [...description.matchAll(METHOD_DECLARATION)].map((match) => `${name}.${match[1]}`);
  }
}
