/**
 * `varlink info ADDRESS`: who a service is and which interfaces it implements
 * (`org.varlink.service.GetInfo`), as libvarlink prints it or as JSON.
 */
import { getInfo, VarlinkError, type GetInfoReply } from "@varlink-ts/runtime";
import type { Command } from "commander";
import { globalOptions, type GlobalOptions } from "../address-options.js";
import { openService } from "../connection.js";
import type { CommandContext } from "../context.js";
import { EXIT_FAILED } from "../exit-codes.js";
import { replyFailure, runAction } from "../failures.js";
import { chosenFormat, formatJson, JSON_FORMATS_HELP, jsonOption, type JsonChoice } from "../output.js";

interface InfoOptions {
  readonly json?: JsonChoice;
}

/** The reply as libvarlink's `varlink info` prints it. */
export function formatInfo(info: GetInfoReply): string {
  const lines = [
    `Vendor: ${info.vendor}`,
    `Product: ${info.product}`,
    `Version: ${info.version}`,
    `URL: ${info.url}`,
    "Interfaces:",
    ...info.interfaces.map((name) => `  ${name}`),
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * The GetInfo reply of the service at `address` (or behind --bridge or --activate).
 *
 * @throws CommandFailure (exit 2) without anywhere to connect to, (exit 1) for an error reply.
 * @throws ConnectionError when the service cannot be reached.
 */
export async function fetchInfo(globals: GlobalOptions, address: string | undefined): Promise<GetInfoReply> {
  const connection = await openService(globals, address, undefined, EXIT_FAILED);
  try {
    return await getInfo(connection.client);
  } catch (error) {
    if (error instanceof VarlinkError) throw replyFailure("org.varlink.service.GetInfo", error);
    throw connection.relabel(error);
  } finally {
    connection.close();
  }
}

/** Adds `info` to the program. */
export function registerInfo(program: Command, context: CommandContext): void {
  program
    .command("info")
    .description("print a service's vendor, product, version, URL and interfaces")
    .argument("[address]", "the service's address (not needed with --bridge or --activate)")
    .addOption(
      jsonOption(`print the GetInfo reply as JSON: ${JSON_FORMATS_HELP}`),
    )
    .action((address: string | undefined, options: InfoOptions, command: Command) =>
      runAction(context, async () => {
        const info = await fetchInfo(globalOptions(command), address);
        const format = chosenFormat(options.json);
        context.stdout.write(format === undefined ? formatInfo(info) : formatJson(info, format));
      }),
    );
}
