/**
 * How `varlink` reports problems on stderr: syntax errors with their code frame, and one-line
 * messages for everything else. Colour only when stderr is a terminal and NO_COLOR is unset.
 */
import type { VarlinkSyntaxError } from "@varlink-ts/runtime";
import type { CommandContext } from "./context.js";

const RED = "\u001b[31m";
const BOLD = "\u001b[1m";
const RESET = "\u001b[0m";

/** `text` in red when `enabled`: the one colour the commands use for a word of their own. */
export function red(enabled: boolean, text: string): string {
  return enabled ? `${RED}${text}${RESET}` : text;
}

/** Whether to colour what goes to stderr (see https://no-color.org). */
export function colourEnabled(context: CommandContext): boolean {
  return context.stderr.isTTY === true && context.env["NO_COLOR"] === undefined;
}

/** Prints `FILE:LINE:COL: reason`, then the source line and the caret line. */
export function reportSyntaxError(context: CommandContext, error: VarlinkSyntaxError): void {
  const location = `${error.file ?? "<input>"}:${error.line}:${error.column}:`;
  if (!colourEnabled(context)) {
    context.stderr.write(`${location} ${error.reason}\n${error.frame}\n`);
    return;
  }
  const frame = error.frame.replace(/\^$/, `${BOLD}${RED}^${RESET}`);
  context.stderr.write(`${BOLD}${location}${RESET} ${RED}${error.reason}${RESET}\n${frame}\n`);
}

/** Prints one `varlink: message` line. */
export function reportProblem(context: CommandContext, message: string): void {
  const prefix = colourEnabled(context) ? `${BOLD}${RED}varlink:${RESET}` : "varlink:";
  context.stderr.write(`${prefix} ${message}\n`);
}
