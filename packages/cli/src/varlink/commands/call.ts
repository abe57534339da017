/**
 * `varlink call [ADDRESS/]INTERFACE.METHOD [PARAMETERS]`: call a method and print its replies.
 */
import { VarlinkError, type CallOptions as RuntimeCallOptions, type JsonObject } from "@varlink-ts/runtime";
import { InvalidArgumentError, Option, type Command } from "commander";
import { fixedEndpoint, globalOptions } from "../address-options.js";
import { checkCall } from "../call-check.js";
import { openConnection, openService, type ServiceConnection } from "../connection.js";
import type { CommandContext } from "../context.js";
import { EXIT_USAGE } from "../exit-codes.js";
import { replyFailure, runAction, usageError } from "../failures.js";
import { defaultJsonFormat, formatJson, JSON_FORMATS, type JsonFormat } from "../output.js";
import { readParameters } from "../parameters.js";
import { parseCallArguments, type MethodTarget } from "../targets.js";

interface CallOptions {
  readonly more?: boolean;
  readonly oneway?: boolean;
  readonly json?: JsonFormat;
  readonly timeout?: number;
}

/** Adds `call` to the program. */
export function registerCall(program: Command, context: CommandContext): void {
  program
    .command("call")
    .description("call a method and print its reply parameters as JSON")
    .usage("[options] [ADDRESS/]INTERFACE.METHOD [PARAMETERS]")
    .argument("<method>", "[ADDRESS/]INTERFACE.METHOD, or ADDRESS then INTERFACE.METHOD as varlinkctl takes them")
    .argument(
      "[parameters...]",
      "a JSON object; '-', or nothing when standard input is not a terminal, reads it from standard input",
    )
    .addOption(new Option("-m, --more", "ask for several replies and print each as it arrives"))
    .addOption(new Option("-o, --oneway", "ask for no reply and print nothing").conflicts("more"))
    .addOption(
      new Option("-t, --timeout <seconds>", "give up (exit 3) when the service has not answered in time; with --more, the whole stream")
        .argParser(parseSeconds),
    )
    .addOption(
      new Option("-j, --json <format>", "how to print replies (default: pretty on a terminal, short otherwise)").choices(
        JSON_FORMATS,
      ),
    )
    .addHelpText(
      "after",
      "\nWithout an ADDRESS, --bridge or --activate, the resolver gives the service of INTERFACE.\n" +
        "Exit codes: 0 done, 1 error reply (printed on stderr), 2 nothing sent (usage, bad JSON,\n" +
        "unknown interface or method, invalid parameters), 3 connection failed.",
    )
    .action((method: string, rest: string[], options: CallOptions, command: Command) =>
      runAction(context, async () => {
        if (rest.length > 2) throw usageError(`unexpected argument "${rest[2]}"`);
        const { target, parameters: text } = parseCallArguments(method, rest[0], rest[1]);
        const globals = globalOptions(command);
        const endpoint = fixedEndpoint(globals, target.address);
        const parameters = await readParameters(context, text);
        const connection =
          endpoint !== undefined
            ? await openConnection(endpoint)
            : await openService(globals, undefined, target.interfaceName, EXIT_USAGE);
        const label = endpoint?.label ?? `the service of ${target.interfaceName}`;
        const callOptions: RuntimeCallOptions = options.timeout === undefined ? {} : { timeout: options.timeout * 1000 };
        try {
          await checkCall(context, connection.client, target, parameters, label, callOptions);
          await makeCall(context, connection, target, parameters, options, callOptions);
        } catch (error) {
          throw connection.relabel(error);
        } finally {
          connection.close();
        }
      }),
    );
}

async function makeCall(
  context: CommandContext,
  connection: ServiceConnection,
  target: MethodTarget,
  parameters: JsonObject,
  options: CallOptions,
  callOptions: RuntimeCallOptions,
): Promise<void> {
  const { client } = connection;
  const format = options.json ?? defaultJsonFormat(context.stdout);
  try {
    if (options.oneway === true) {
      await client.callOneway(target.method, parameters, callOptions);
      await connection.finish();
    } else if (options.more === true) {
      for await (const reply of client.callMore(target.method, parameters, callOptions)) {
        context.stdout.write(formatJson(reply, format));
      }
    } else {
      context.stdout.write(formatJson(await client.call(target.method, parameters, callOptions), format));
    }
  } catch (error) {
    if (error instanceof VarlinkError) throw replyFailure(target.method, error);
    throw error;
  }
}

/** `--timeout`: a positive number of seconds. */
function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new InvalidArgumentError(`"${value}" is not a positive number of seconds`);
  }
  return seconds;
}
