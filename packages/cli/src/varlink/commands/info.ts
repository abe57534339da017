/**
 * `varlink info ADDRESS`: who a service is and which interfaces it implements
 * (`org.varlink.service.GetInfo`), as libvarlink prints it or as JSON.
 */
import { getInfo, VarlinkError, type GetInfoReply } from "@varlink-ts/runtime";
import type { Command } from "commander";
import { globalOptions } from "../address-options.js";
import { openService } from "../connection.js";
import type { CommandContext } from "../context.js";
import { EXIT_FAILED } from "../exit-codes.js";
import { replyFailure, runAction } from "../failures.js";
import { defaultJsonFormat, formatJson } from "../output.js";

interface InfoOptions {
  readonly json?: boolean;
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

/** Adds `info` to the program. */
export function registerInfo(program: Command, context: CommandContext): void {
  program
    .command("info")
    .description("print a service's vendor, product, version, URL and interfaces")
    .argument("[address]", "the service's address (not needed with --bridge or --activate)")
    .option("-j, --json", "print the GetInfo reply as JSON (pretty on a terminal, one line otherwise)")
    .action((address: string | undefined, options: InfoOptions, command: Command) =>
      runAction(context, async () => {
        const connection = await openService(globalOptions(command), address, undefined, EXIT_FAILED);
        let info: GetInfoReply;
        try {
          info = await getInfo(connection.client);
        } catch (error) {
          if (error instanceof VarlinkError) throw replyFailure("org.varlink.service.GetInfo", error);
          throw connection.relabel(error);
        } finally {
          connection.close();
        }
        context.stdout.write(
          options.json === true ? formatJson(info, defaultJsonFormat(context.stdout)) : formatInfo(info),
        );
      }),
    );
}
