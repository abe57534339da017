/**
 * The `varlink` command: a registry of subcommands, one module each under commands/, and the
 * global options that say how to reach a service. Its verbs and options are libvarlink's and
 * systemd varlinkctl's (see docs/varlink.md, "varlinkctl → varlink").
 */
import { Command, CommanderError } from "commander";
import { addGlobalOptions } from "./address-options.js";
import { adaptArguments } from "./command-line.js";
import { registerBridge } from "./commands/bridge.js";
import { registerCall } from "./commands/call.js";
import { registerFormat } from "./commands/format.js";
import { registerHttpBridge } from "./commands/http-bridge.js";
import { registerInfo } from "./commands/info.js";
import { registerIntrospect } from "./commands/introspect.js";
import { registerListInterfaces } from "./commands/list-interfaces.js";
import { registerListMethods } from "./commands/list-methods.js";
import { registerResolve } from "./commands/resolve.js";
import { registerValidate } from "./commands/validate.js";
import { processContext, type CommandContext } from "./context.js";
import { reportProblem } from "./diagnostics.js";
import { EXIT_FAILED, EXIT_USAGE } from "./exit-codes.js";
import { defaultJsonFormat } from "./output.js";
import { packageVersion } from "./version.js";

/** Each subcommand, in the order `--help` lists them. */
const SUBCOMMANDS: readonly ((program: Command, context: CommandContext) => void)[] = [
  registerInfo,
  registerListInterfaces,
  registerListMethods,
  registerIntrospect,
  registerCall,
  registerResolve,
  registerBridge,
  registerHttpBridge,
  registerValidate,
  registerFormat,
];

/**
 * Runs `varlink` with `argv` (the arguments after the node binary and the script) and resolves to
 * the exit code: 0 success, 1 failure of the work itself (an invalid file, an error reply),
 * 2 a usage error or a call that was not sent, 3 a connection failure (see exit-codes.ts).
 * `context` is the process's streams and environment unless given (tests run the command in
 * their own process on streams of their own).
 */
export async function main(argv: readonly string[], context: CommandContext = processContext()): Promise<number> {
  const program = new Command("varlink")
    .description("Talk to varlink services; validate and format varlink interface definitions")
    .version(packageVersion(), "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    // `help` is introspect's alias, as in libvarlink; introspect shows usage when it names no service.
    .helpCommand(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
    })
    // Without a command the usage goes to stderr: say first, like every failure, what is wrong.
    .addHelpText("before", ({ error }) => {
      if (error) reportProblem(context, "missing COMMAND (see 'varlink --help')");
      return "";
    });
  addGlobalOptions(program);
  for (const register of SUBCOMMANDS) {
    register(program, context);
  }
  // varlinkctl's name for `validate`.
  program.commands.find((command) => command.name() === "validate")?.alias("validate-idl");
  for (const command of [program, ...program.commands]) {
    reportUsageErrors(command, context);
  }
  try {
    await program.parseAsync(adaptArguments(program, argv, defaultJsonFormat(context.stdout)), { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    reportProblem(
      context,
      `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return EXIT_FAILED;
  }
  return context.exitCode;
}

/**
 * Commander's own errors (unknown option, missing argument, ...) as every other failure: one line
 * on stderr starting with `varlink:`, here with where to find the usage.
 */
function reportUsageErrors(command: Command, context: CommandContext): void {
  const usage = command.parent === null ? "varlink --help" : `varlink ${command.name()} --help`;
  command.configureOutput({
    outputError: (text) => {
      const message = text.trim().replace(/^error: /, "").split("\n").join(" ");
      reportProblem(context, `${message} (see '${usage}')`);
    },
  });
}
