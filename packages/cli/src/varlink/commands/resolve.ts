/**
 * `varlink resolve INTERFACE`: the address of the service the resolver gives for an interface.
 */
import { isInterfaceName } from "@varlink-ts/runtime/idl";
import type { Command } from "commander";
import { globalOptions } from "../address-options.js";
import { resolveAddress } from "../connection.js";
import type { CommandContext } from "../context.js";
import { EXIT_FAILED } from "../exit-codes.js";
import { runAction, usageError } from "../failures.js";

/** Adds `resolve` to the program. */
export function registerResolve(program: Command, context: CommandContext): void {
  program
    .command("resolve")
    .description("print the address of the service that implements an interface, as the resolver knows it")
    .argument("<interface>", "an interface name, such as org.example.more")
    .action((name: string, _options: object, command: Command) =>
      runAction(context, async () => {
        if (!isInterfaceName(name)) {
          throw usageError(`"${name}" is not an interface name such as org.example.more`);
        }
        const globals = globalOptions(command);
        if (globals.bridge !== undefined || globals.activate !== undefined) {
          throw usageError("resolve asks the resolver (--resolver), not --bridge or --activate");
        }
        context.stdout.write(`${await resolveAddress(globals, name, EXIT_FAILED)}\n`);
      }),
    );
}
