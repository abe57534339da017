/**
 * `varlink list-interfaces ADDRESS`: the interfaces a service implements, one per line, as
 * systemd's `varlinkctl list-interfaces` prints them.
 */
import type { Command } from "commander";
import { globalOptions } from "../address-options.js";
import type { CommandContext } from "../context.js";
import { runAction } from "../failures.js";
import { chosenFormat, formatJson, JSON_FORMATS_HELP, jsonOption, type JsonChoice } from "../output.js";
import { fetchInfo } from "./info.js";

interface ListInterfacesOptions {
  readonly json?: JsonChoice;
}

/** Adds `list-interfaces` to the program. */
export function registerListInterfaces(program: Command, context: CommandContext): void {
  program
    .command("list-interfaces")
    .description("print the interfaces a service implements, one per line, sorted")
    .argument("[address]", "the service's address (not needed with --bridge or --activate)")
    .addOption(
      jsonOption(`print the interfaces as a JSON array, in the service's order: ${JSON_FORMATS_HELP}`),
    )
    .action((address: string | undefined, options: ListInterfacesOptions, command: Command) =>
      runAction(context, async () => {
        const { interfaces } = await fetchInfo(globalOptions(command), address);
        const format = chosenFormat(options.json);
        // varlinkctl sorts the lines but prints the JSON array as the service sent it.
        const lines = [...interfaces].sort().map((name) => `${name}\n`).join("");
        context.stdout.write(format === undefined ? lines : formatJson(interfaces, format));
      }),
    );
}
