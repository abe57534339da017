/**
 * `varlink introspect ADDRESS [INTERFACE...]` (also `varlink help`, libvarlink's name): the
 * interface definitions a service implements, in the canonical format; with `--save DIR`, written
 * to `DIR/INTERFACE.varlink` exactly as the service sent them.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { ProtocolError, VarlinkSyntaxError } from "@varlink-ts/runtime";
import { formatSource, isInterfaceName, parseInterface } from "@varlink-ts/runtime/idl";
import type { Command } from "commander";
import { globalOptions, type GlobalOptions } from "../address-options.js";
import type { CommandContext } from "../context.js";
import { readDescriptions, SERVICE_INTERFACE, type Description } from "../descriptions.js";
import { reportProblem } from "../diagnostics.js";
import { EXIT_FAILED } from "../exit-codes.js";
import { CommandFailure, runAction } from "../failures.js";

interface IntrospectOptions {
  /** The directory to write `INTERFACE.varlink` files to instead of printing. */
  readonly save?: string;
}

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
    .option(
      "--save <dir>",
      "write each interface to DIR/INTERFACE.varlink, exactly as the service sent it, instead of printing it",
    )
    .addHelpText(
      "after",
      `\nWithout an INTERFACE, prints every interface the service lists except ${SERVICE_INTERFACE}.\n` +
        "With --save, prints the path of each file written.\n" +
        "'varlink help' alone, or 'varlink help COMMAND', shows the usage instead.",
    )
    .action((targets: string[], options: IntrospectOptions, command: Command) =>
      runAction(context, async () => {
        const globals = globalOptions(command);
        if (options.save !== undefined) {
          const descriptions: Description[] = [];
          await readDescriptions(globals, targets, false, (description) => descriptions.push(description));
          await save(context, options.save, descriptions);
          return;
        }
        if (showsUsage(program, command, targets, globals)) return;
        // Each is printed as it arrives, so what came before a failure is still shown.
        let first = true;
        await readDescriptions(globals, targets, false, ({ name, text }) => {
          const printed = canonical(context, name, text);
          context.stdout.write(first ? printed : `\n${printed}`);
          first = false;
        });
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

/**
 * The canonical text of one interface. A description this parser refuses (peers accept more, such
 * as references to undefined types) is printed as the service sent it, after a warning.
 */
function canonical(context: CommandContext, name: string, description: string): string {
  try {
    return formatSource(description, { file: `<${name}>` });
  } catch (error) {
    if (!(error instanceof VarlinkSyntaxError)) throw error;
    reportProblem(context, `warning: ${name} is printed as sent, it does not parse: ${error.message}`);
    return description.endsWith("\n") ? description : `${description}\n`;
  }
}

/**
 * Writes each description to `DIR/INTERFACE.varlink` byte for byte as sent, not reformatted: a
 * service built from the file then answers `GetInterfaceDescription` exactly as this one does, and
 * `varlink-codegen` gives the same code from the file as from the service. Nothing is written
 * until every description has arrived.
 */
async function save(
  context: CommandContext,
  dir: string,
  descriptions: readonly Description[],
): Promise<void> {
  for (const { name, text } of descriptions) {
    // The name becomes a file name: a service must not be able to choose a path through GetInfo.
    if (!isInterfaceName(name)) {
      throw new ProtocolError(`GetInfo lists ${JSON.stringify(name)}, which is not an interface name`);
    }
    let declared: string;
    try {
      declared = parseInterface(text, { file: `<${name}>` }).name;
    } catch (error) {
      if (!(error instanceof VarlinkSyntaxError)) throw error;
      // Saved all the same: the file is still the service's description, for a peer's tools.
      reportProblem(context, `warning: ${name} is saved as sent, it does not parse: ${error.message}`);
      continue;
    }
    if (declared !== name) {
      throw new ProtocolError(`asked for the description of ${name}, the service sent that of ${declared}`);
    }
  }
  try {
    await mkdir(dir, { recursive: true });
    for (const { name, text } of descriptions) {
      const file = path.join(dir, `${name}.varlink`);
      await writeFile(file, text);
      context.stdout.write(`${file}\n`);
    }
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new CommandFailure(EXIT_FAILED, `cannot save to ${dir}: ${code ?? message}`, { cause: error });
  }
}
