/**
 * What a server accepts as a method call. Anything else is a protocol violation, which closes
 * the connection: the client and the server no longer agree on what the stream carries.
 */
import { ProtocolError } from "../errors.js";

/** A call message whose shape has been checked. */
export interface ParsedCall {
  /** The fully qualified method name as sent: it has a dot. */
  readonly method: string;
  /** The parameters object; `{}` when absent or `null`. */
  readonly parameters: object;
  readonly oneway: boolean;
  readonly more: boolean;
  readonly upgrade: boolean;
  /** The call object as decoded from the wire, extension keys and `false` flags included. */
  readonly message: Readonly<Record<string, unknown>>;
}

/**
 * Checks a decoded message as a call.
 * @throws ProtocolError when it is not one: no string `method` with a dot, `parameters` not an
 * object, a flag that is not a boolean, more than one flag set, or a key that is neither known nor
 * reverse-domain prefixed (extensions must contain a dot).
 */
export function parseCall(message: Record<string, unknown>): ParsedCall {
  let method: unknown;
  let parameters: unknown;
  let oneway = false;
  let more = false;
  let upgrade = false;
  // One pass over the keys the client sent; a switch, as this runs once per call.
  for (const key of Object.keys(message)) {
    switch (key) {
      case "method":
        method = message[key];
        break;
      case "parameters":
        parameters = message[key];
        break;
      case "oneway":
        oneway = flag(message, key);
        break;
      case "more":
        more = flag(message, key);
        break;
      case "upgrade":
        upgrade = flag(message, key);
        break;
      default:
        if (!key.includes(".")) throw new ProtocolError(`unknown key ${JSON.stringify(key)} in call`);
    }
  }
  if (typeof method !== "string") throw new ProtocolError('call has no string "method"');
  if (!method.includes(".")) throw new ProtocolError(`method ${JSON.stringify(method)} is not qualified`);
  if (
    parameters !== undefined &&
    parameters !== null &&
    (typeof parameters !== "object" || Array.isArray(parameters))
  ) {
    throw new ProtocolError(`parameters of ${method} are not an object`);
  }
  if (Number(oneway) + Number(more) + Number(upgrade) > 1) {
    throw new ProtocolError(`call of ${method} sets more than one of oneway, more, upgrade`);
  }
  return {
    method,
    parameters: parameters ?? {},
    oneway,
    more,
    upgrade,
    message,
  };
}

function flag(message: Record<string, unknown>, name: string): boolean {
  const value = message[name];
  if (typeof value !== "boolean") throw new ProtocolError(`"${name}" is not a boolean`);
  return value;
}
