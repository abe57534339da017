/**
 * The `varlink` command: a registry of subcommands, one module each under commands/.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { registerFormat } from "./commands/format.js";
import { registerValidate } from "./commands/validate.js";
import { processContext, type CommandContext } from "./context.js";
import { reportProblem } from "./diagnostics.js";

/** Exit code for a command line that does not parse (unknown option, missing file, ...). */
const USAGE_ERROR = 2;

/** Each subcommand, in the order `--help` lists them. */
const SUBCOMMANDS: readonly ((program: Command, context: CommandContext) => void)[] = [
  registerValidate,
  registerFormat,
];

function packageVersion(): string {
  const manifest = JSON.parse(
    readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
  ) as { version?: unknown };
  return typeof manifest.version === "string" ? manifest.version : "unknown";
}

/**
 * Runs `varlink` with `argv` (the arguments after the node binary and the script) and resolves to
 * the exit code: 0 success, 1 failure of the work itself, 2 a usage error.
 */
export async function main(argv: string[]): Promise<number> {
  const context = processContext();
  const program = new Command("varlink")
    .description("Validate and format varlink interface definitions")
    .version(packageVersion(), "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
    })
    .showHelpAfterError("(run 'varlink --help' for usage)");
  for (const register of SUBCOMMANDS) {
    register(program, context);
  }
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : USAGE_ERROR;
    }
    reportProblem(
      context,
      `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return 1;
  }
  return context.exitCode;
}
