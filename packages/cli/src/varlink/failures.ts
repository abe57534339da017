/**
 * Turning what can go wrong while talking to a service into one line on stderr and an exit code,
 * so that no command ever shows a stack trace for a failure the user can act on.
 */
import { ConnectionError, ProtocolError, VarlinkError } from "@varlink-ts/runtime";
import type { CommandContext } from "./context.js";
import { reportProblem } from "./diagnostics.js";
import { EXIT_CONNECTION, EXIT_FAILED, EXIT_USAGE } from "./exit-codes.js";

/** A failure whose message and exit code the command has already decided. */
export class CommandFailure extends Error {
  /** What the process exits with. */
  readonly exitCode: number;

  constructor(exitCode: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CommandFailure";
    this.exitCode = exitCode;
  }
}

/** A failure found before anything was sent (exit 2). */
export function usageError(message: string, options?: ErrorOptions): CommandFailure {
  return new CommandFailure(EXIT_USAGE, message, options);
}

/** `NAME {"param":...}`: an error reply as printed, parameters always shown so scripts can parse them. */
export function describeErrorReply(error: VarlinkError<object>): string {
  return `${error.error} ${JSON.stringify(error.parameters)}`;
}

/** The failure for an error reply to `method` (exit 1). */
export function replyFailure(method: string, error: VarlinkError<object>): CommandFailure {
  return new CommandFailure(EXIT_FAILED, `${method} failed with ${describeErrorReply(error)}`, {
    cause: error,
  });
}

/** The message and exit code for `error`, or undefined for a bug (which keeps its stack trace). */
function classify(error: unknown): { exitCode: number; message: string } | undefined {
  if (error instanceof CommandFailure) {
    return { exitCode: error.exitCode, message: error.message };
  }
  if (error instanceof VarlinkError) {
    return { exitCode: EXIT_FAILED, message: describeErrorReply(error) };
  }
  if (error instanceof ConnectionError) {
    return { exitCode: EXIT_CONNECTION, message: error.message };
  }
  if (error instanceof ProtocolError) {
    return { exitCode: EXIT_CONNECTION, message: `protocol error: ${error.message}` };
  }
  return undefined;
}

/**
 * Runs a command's work; a failure it can explain becomes one `varlink: ...` line on stderr and
 * the command's exit code. Anything else is rethrown for `main` to report as an internal error.
 */
export async function runAction(context: CommandContext, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    const failure = classify(error);
    if (failure === undefined) throw error;
    reportProblem(context, failure.message);
    context.exitCode = failure.exitCode;
  }
}
