/**
 * What every subcommand of `varlink` works with: the process's streams and environment, and the
 * exit code it sets. Keeping them in one object lets the commands stay free of globals.
 */

/** The streams, environment and exit code of one run of the `varlink` command. */
export interface CommandContext {
  /** Where `-` reads from; `call` reads parameters from it when it is not a terminal. */
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  /** Results: formatted text, lists of files, replies; JSON is pretty-printed when it is a terminal. */
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /** Diagnostics; coloured only when it is a terminal. */
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /** The environment (`NO_COLOR`). */
  readonly env: NodeJS.ProcessEnv;
  /** Set by a command's action; `main` returns it. Starts at 0. */
  exitCode: number;
  /**
   * Stops a command that runs until interrupted (`varlink http-bridge`, `varlink-codegen --watch`)
   * as SIGINT and SIGTERM do, for a program that runs the command in its own process (tests run
   * commands so). The commands listen for those signals themselves, only while they serve.
   */
  readonly signal?: AbortSignal;
}

/**
 * A context on the real process streams. A reader that goes away (`varlink call --more ... | head
 * -1`) ends the process quietly, as SIGPIPE ends C tools, instead of with a stack trace.
 */
export function processContext(): CommandContext {
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit();
  });
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    exitCode: 0,
  };
}
