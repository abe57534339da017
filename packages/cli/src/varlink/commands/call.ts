/**
 * `varlink call [ADDRESS/]INTERFACE.METHOD [PARAMETERS]`: call a method and print its replies,
 * with libvarlink's options and systemd varlinkctl's (`--collect`, `--graceful`, `-E`, `-q`).
 */
import { openSync } from "node:fs";
import { VarlinkError, type CallOptions as RuntimeCallOptions, type JsonObject } from "@varlink-ts/runtime";
import { withFds } from "@varlink-ts/runtime/fds";
import { InvalidArgumentError, Option, type Command } from "commander";
import { fixedEndpoint, globalOptions } from "../address-options.js";
import { CHECKED_ERRORS, checkCall } from "../call-check.js";
import { openConnection, openService, type ServiceConnection } from "../connection.js";
import type { CommandContext } from "../context.js";
import { reportProblem } from "../diagnostics.js";
import { FOREVER, parseTimeout } from "../durations.js";
import { EXIT_USAGE } from "../exit-codes.js";
import { replyFailure, runAction, usageError } from "../failures.js";
import { chosenFormat, defaultJsonFormat, formatJson, jsonOption, type JsonChoice } from "../output.js";
import { readParameters } from "../parameters.js";
import { parseCallArguments, splitMethodName, type MethodTarget } from "../targets.js";

interface CallOptions {
  readonly more?: boolean;
  readonly collect?: boolean;
  readonly oneway?: boolean;
  readonly json?: JsonChoice;
  /** Milliseconds, or FOREVER. */
  readonly timeout?: number;
  readonly graceful?: readonly string[];
  readonly quiet?: boolean;
  readonly unchecked?: boolean;
  readonly pushFd?: readonly string[];
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
    .addOption(new Option("--collect", "ask for several replies and print them as one JSON array").conflicts("oneway"))
    // Before --oneway, so that `-E --oneway` is reported as such, not as the --more -E implies.
    .addOption(
      new Option("-E", "--more without a time limit (as varlinkctl's -E)")
        .implies({ more: true, timeout: FOREVER })
        .conflicts("oneway"),
    )
    .addOption(new Option("-o, --oneway", "ask for no reply and print nothing").conflicts("more"))
    .addOption(
      new Option(
        "-t, --timeout <time>",
        "give up (exit 3) when the service has not answered in time; with --more, the whole stream. " +
          "Seconds, or a number with a unit (500ms, 2min); empty or 'infinity' waits forever (the default)",
      ).argParser(parseTimeout),
    )
    .addOption(
      new Option("--graceful <error>", "treat this error reply as success (exit 0); may be repeated").argParser(
        collectErrorName,
      ),
    )
    .addOption(new Option("-q, --quiet", "print no replies (failures are still reported)"))
    .addOption(new Option("--unchecked", "send the call without checking it against the service's interface first"))
    .addOption(
      new Option(
        "--push-fd <fd|path>",
        "send this file descriptor (a number) or file (opened read-only) with the call, as index 0, 1, ... (unix sockets; may be repeated)",
      ).argParser((value: string, previous: string[] = []) => [...previous, value]),
    )
    .addOption(
      jsonOption("how to print replies: pretty, short, seq; off or absent: pretty on a terminal, short otherwise"),
    )
    .addHelpText(
      "after",
      "\nWithout an ADDRESS, --bridge or --activate, the resolver gives the service of INTERFACE.\n" +
        "Exit codes: 0 done (or a --graceful error), 1 error reply (printed on stderr), 2 nothing\n" +
        "sent (usage, bad JSON, unknown interface or method, invalid parameters; --unchecked sends\n" +
        "those), 3 connection failed.",
    )
    .action((method: string, rest: string[], options: CallOptions, command: Command) =>
      runAction(context, async () => {
        if (rest.length > 2) throw usageError(`unexpected argument "${rest[2]}"`);
        const { target, parameters: text } = parseCallArguments(method, rest[0], rest[1]);
        const globals = globalOptions(command);
        const endpoint = fixedEndpoint(globals, target.address);
        const parameters = await readParameters(context, text);
        if (options.pushFd !== undefined && endpoint === undefined) {
          throw usageError("--push-fd needs an ADDRESS (a unix: socket)");
        }
        const fds = options.pushFd === undefined ? undefined : pushedFds(options.pushFd);
        const connection =
          endpoint !== undefined
            ? await openConnection(endpoint, fds !== undefined)
            : await openService(globals, undefined, target.interfaceName, EXIT_USAGE);
        if (fds !== undefined) withFds(parameters, fds);
        const label = endpoint?.label ?? `the service of ${target.interfaceName}`;
        const timeout = options.timeout ?? FOREVER;
        const callOptions: RuntimeCallOptions = timeout === FOREVER ? {} : { timeout };
        try {
          if (isChecked(options)) {
            await checkCall(context, connection.client, target, parameters, label, callOptions);
          }
          await makeCall(context, connection, target, parameters, options, callOptions);
        } catch (error) {
          throw connection.relabel(error);
        } finally {
          connection.close();
        }
      }),
    );
}

/**
 * The descriptors of `--push-fd`: numbers as they are (inherited from the shell, `3<file`),
 * paths opened read-only, as varlinkctl opens them.
 */
function pushedFds(values: readonly string[]): number[] {
  return values.map((value) => {
    if (/^[0-9]+$/.test(value)) return Number(value);
    try {
      return openSync(value, "r");
    } catch (error) {
      throw usageError(`--push-fd ${value}: ${(error as Error).message}`);
    }
  });
}

/**
 * Whether to check the call against the service's interface first: not with `--unchecked`, nor
 * when `--graceful` names an error the check would pre-empt (the user expects the service's answer).
 */
function isChecked(options: CallOptions): boolean {
  if (options.unchecked === true) return false;
  return !(options.graceful ?? []).some((name) => CHECKED_ERRORS.has(name));
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
  const format = chosenFormat(options.json) ?? defaultJsonFormat(context.stdout);
  const print = (value: unknown): void => {
    if (options.quiet !== true) context.stdout.write(formatJson(value, format));
  };
  try {
    if (options.oneway === true) {
      await client.callOneway(target.method, parameters, callOptions);
      await connection.finish();
    } else if (options.collect === true) {
      const replies: JsonObject[] = [];
      for await (const reply of client.callMore(target.method, parameters, callOptions)) replies.push(reply);
      print(replies);
    } else if (options.more === true) {
      for await (const reply of client.callMore(target.method, parameters, callOptions)) print(reply);
    } else {
      print(await client.call(target.method, parameters, callOptions));
    }
  } catch (error) {
    if (!(error instanceof VarlinkError)) throw error;
    if (!(options.graceful ?? []).includes(error.error)) throw replyFailure(target.method, error);
    // As varlinkctl does: the expected error is success, said on stderr, and its parameters are
    // printed as the reply (for --collect instead of the replies so far, like sd_varlink_collect).
    if (options.quiet === true) return;
    reportProblem(context, `${target.method} failed with ${error.error}, expected (--graceful)`);
    print(error.parameters);
  }
}

/** `--graceful`: a qualified error name, added to those given before. */
function collectErrorName(value: string, previous: readonly string[] | undefined): readonly string[] {
  if (splitMethodName(value) === undefined) {
    throw new InvalidArgumentError(`"${value}" is not an error name such as org.varlink.service.InvalidParameter`);
  }
  return [...(previous ?? []), value];
}
