/**
 * `varlink introspect ADDRESS [INTERFACE...]` (also `varlink help`, libvarlink's name): the
 * interface definitions a service implements, in the canonical format.
 */
import {
  getInfo,
  getInterfaceDescription,
  InterfaceNotFoundError,
  VarlinkError,
  VarlinkSyntaxError,
  type Connection,
} from "@varlink-ts/runtime";
import { formatSource } from "@varlink-ts/runtime/idl";
import type { Command } from "commander";
import { fixedEndpoint, globalOptions, type GlobalOptions } from "../address-options.js";
import { openConnection, openService } from "../connection.js";
import type { CommandContext } from "../context.js";
import { reportProblem } from "../diagnostics.js";
import { EXIT_FAILED } from "../exit-codes.js";
import { CommandFailure, replyFailure, runAction, usageError } from "../failures.js";
import { parseInterfaceArguments } from "../targets.js";

const SERVICE_INTERFACE = "org.varlink.service";

/** Adds `introspect` (alias `help`) to the program. */
export function registerIntrospect(program: Command, context: CommandContext): void {
  program
    .command("introspect")
    .alias("help")
    .description("print the interfaces of a service in the canonical format")
    .argument(
      "[targets...]",
      "ADDRESS [INTERFACE...], ADDRESS/INTERFACE, or INTERFACE... (through --bridge, --activate or the resolver)",
    )
    .addHelpText(
      "after",
      `\nWithout an INTERFACE, prints every interface the service lists except ${SERVICE_INTERFACE}.\n` +
        "'varlink help' alone, or 'varlink help COMMAND', shows the usage instead.",
    )
    .action((targets: string[], _options: object, command: Command) =>
      runAction(context, async () => {
        const globals = globalOptions(command);
        if (showsUsage(program, command, targets, globals)) return;
        await introspect(context, globals, targets);
      }),
    );
}

/**
 * `varlink help` keeps commander's meaning when it names no service: usage of the program, or of
 * the command it names.
 */
function showsUsage(program: Command, command: Command, targets: string[], globals: GlobalOptions): boolean {
  if (program.args[0] !== "help" || globals.bridge !== undefined || globals.activate !== undefined) {
    return false;
  }
  const [first] = targets;
  if (first === undefined) {
    program.outputHelp();
    return true;
  }
  const named = program.commands.find((sub) => sub.name() === first || sub.aliases().includes(first));
  if (targets.length === 1 && named !== undefined && named !== command) {
    named.outputHelp();
    return true;
  }
  return false;
}

async function introspect(context: CommandContext, globals: GlobalOptions, targets: string[]): Promise<void> {
  const { address, interfaces } = parseInterfaceArguments(targets);
  const endpoint = fixedEndpoint(globals, address);
  let first = true;
  const print = (text: string): void => {
    context.stdout.write(first ? text : `\n${text}`);
    first = false;
  };
  if (endpoint === undefined) {
    if (interfaces.length === 0) {
      throw usageError("missing ADDRESS or INTERFACE (or --bridge COMMAND, or --activate COMMAND)");
    }
    // Without an address each interface may live in another service: ask the resolver for each.
    for (const name of interfaces) {
      const connection = await openService(globals, undefined, name, EXIT_FAILED);
      try {
        print(await describe(context, connection.client, name, `the service of ${name}`));
      } finally {
        connection.close();
      }
    }
    return;
  }
  const connection = await openConnection(endpoint);
  try {
    const names = interfaces.length > 0 ? interfaces : await listedInterfaces(connection.client);
    for (const name of names) {
      print(await describe(context, connection.client, name, endpoint.label));
    }
  } catch (error) {
    throw connection.relabel(error);
  } finally {
    connection.close();
  }
}

async function listedInterfaces(client: Connection): Promise<string[]> {
  try {
    const info = await getInfo(client);
    return info.interfaces.filter((name) => name !== SERVICE_INTERFACE);
  } catch (error) {
    if (error instanceof VarlinkError) throw replyFailure("org.varlink.service.GetInfo", error);
    throw error;
  }
}

/**
 * The canonical text of one interface. A description this parser refuses (peers accept more, such
 * as references to undefined types) is printed as the service sent it, after a warning.
 */
async function describe(
  context: CommandContext,
  client: Connection,
  name: string,
  label: string,
): Promise<string> {
  let description: string;
  try {
    description = await getInterfaceDescription(client, name);
  } catch (error) {
    if (error instanceof InterfaceNotFoundError) {
      throw new CommandFailure(EXIT_FAILED, `${label} does not implement ${name}`, { cause: error });
    }
    if (error instanceof VarlinkError) {
      throw replyFailure("org.varlink.service.GetInterfaceDescription", error);
    }
    throw error;
  }
  try {
    return formatSource(description, { file: `<${name}>` });
  } catch (error) {
    if (!(error instanceof VarlinkSyntaxError)) throw error;
    reportProblem(context, `warning: ${name} is printed as sent, it does not parse: ${error.message}`);
    return description.endsWith("\n") ? description : `${description}\n`;
  }
}
