/**
 * Checking a call against the interface the service describes, before it is sent, so that a typo
 * in a field name is reported by name instead of as a bare InvalidParameter from the service.
 */
import {
  InterfaceNotFoundError,
  openInterface,
  type CallOptions as RuntimeCallOptions,
  ProtocolError,
  VarlinkError,
  VarlinkSyntaxError,
  type JsonObject,
  type Connection,
} from "@varlink-ts/runtime";
import { checkParameters } from "@varlink-ts/runtime/idl";
import type { CommandContext } from "./context.js";
import { reportProblem } from "./diagnostics.js";
import { describeErrorReply, usageError } from "./failures.js";
import type { MethodTarget } from "./targets.js";

/**
 * The errors a service answers for the mistakes {@link checkCall} finds before sending. A user who
 * names one in `--graceful` expects the service's answer, so `call` sends such calls unchecked.
 */
export const CHECKED_ERRORS: ReadonlySet<string> = new Set([
  "org.varlink.service.InterfaceNotFound",
  "org.varlink.service.MethodNotFound",
  "org.varlink.service.InvalidParameter",
]);

/**
 * Fetches the interface of `target` from the service and checks the method and its parameters.
 * When the service cannot describe the interface in a way this parser accepts, it warns and lets
 * the call go unchecked: the service still checks it.
 *
 * @throws CommandFailure (exit 2) when the service does not implement the interface or method,
 *   or the parameters do not fit; the message names the offending field.
 * @throws ConnectionError when the connection fails.
 */
export async function checkCall(
  context: CommandContext,
  client: Connection,
  target: MethodTarget,
  parameters: JsonObject,
  label: string,
  options: RuntimeCallOptions = {},
): Promise<void> {
  const { interfaceName, memberName, method } = target;
  let definition;
  try {
    definition = (await openInterface(client, interfaceName, options)).descriptor.definition;
  } catch (error) {
    if (error instanceof InterfaceNotFoundError) {
      throw usageError(`${label} does not implement ${interfaceName}`, { cause: error });
    }
    const reason =
      error instanceof VarlinkSyntaxError || error instanceof ProtocolError
        ? error.message
        : error instanceof VarlinkError
          ? describeErrorReply(error)
          : undefined;
    if (reason === undefined) throw error;
    reportProblem(context, `warning: calling ${method} unchecked, its interface is not usable: ${reason}`);
    return;
  }
  const member = definition.methods.get(memberName);
  if (member === undefined) {
    throw usageError(`${interfaceName} has no method ${memberName}`);
  }
  const issue = checkParameters(definition, member.input, parameters);
  if (issue === undefined) return;
  const where = issue.path === "" ? "the parameters" : `parameter "${issue.path}"`;
  throw usageError(`invalid ${where} for ${method}: ${issue.message} (nothing was sent)`);
}
