/**
 * The parameters of `varlink call`: a JSON object from the command line or from standard input.
 */
import type { JsonObject } from "@varlink-ts/runtime";
import type { CommandContext } from "./context.js";
import { usageError } from "./failures.js";
import { readStream } from "./files.js";

/**
 * The call's parameters. `argument` is the JSON text, `-` for standard input, or undefined: then
 * standard input is read unless it is a terminal (nobody would know they are expected to type).
 * Empty text and `null` mean no parameters, as on the wire.
 *
 * @throws CommandFailure (exit 2) for text that is not JSON or not a JSON object.
 */
export async function readParameters(
  context: CommandContext,
  argument: string | undefined,
): Promise<JsonObject> {
  let text: string;
  let origin: string;
  if (argument === "-" || (argument === undefined && context.stdin.isTTY !== true)) {
    text = await readStream(context.stdin);
    origin = "the parameters on standard input";
  } else {
    text = argument ?? "";
    origin = "the parameters";
  }
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw usageError(`${origin} are not valid JSON: ${reason}`);
  }
  if (value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    const kind = Array.isArray(value) ? "an array" : `a ${typeof value}`;
    throw usageError(`${origin} must be a JSON object, got ${kind}`);
  }
  return value as JsonObject;
}
