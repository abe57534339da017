/**
 * What a server accepts as a method call. Anything else is a protocol violation, which closes
 * the connection: the client and the server no longer agree on what the stream carries.
 */
import { ProtocolError } from "../errors.js";

/** A call message whose shape has been checked. */
export interface ParsedCall {
  /** The fully qualified method name as sent. */
  readonly method: string;
  /** Everything before the last dot. */
  readonly interfaceName: string;
  /** Everything after the last dot. */
  readonly methodName: string;
  /** The parameters object; `{}` when absent or `null`. */
  readonly parameters: object;
  readonly oneway: boolean;
  readonly more: boolean;
  readonly upgrade: boolean;
  /** The call object as decoded from the wire, extension keys and `false` flags included. */
  readonly message: Readonly<Record<string, unknown>>;
}

const KNOWN_KEYS = new Set(["method", "parameters", "oneway", "more", "upgrade"]);

/**
 * Checks a decoded message as a call.
 * @throws ProtocolError when it is not one: no string `method` with a dot, `parameters` not an
 * object, a flag that is not a boolean, more than one flag set, or a key that is neither known nor
 * reverse-domain prefixed (extensions must contain a dot).
 */
export function parseCall(message: Record<string, unknown>): ParsedCall {
  for (const key of Object.keys(message)) {
    if (!KNOWN_KEYS.has(key) && !key.includes(".")) {
      throw new ProtocolError(`unknown key ${JSON.stringify(key)} in call`);
    }
  }
  const method = Object.hasOwn(message, "method") ? message["method"] : undefined;
  if (typeof method !== "string") throw new ProtocolError('call has no string "method"');
  const dot = method.lastIndexOf(".");
  if (dot === -1) throw new ProtocolError(`method ${JSON.stringify(method)} is not qualified`);

  const parameters = Object.hasOwn(message, "parameters") ? message["parameters"] : undefined;
  if (
    parameters !== undefined &&
    parameters !== null &&
    (typeof parameters !== "object" || Array.isArray(parameters))
  ) {
    throw new ProtocolError(`parameters of ${method} are not an object`);
  }
  const oneway = flag(message, "oneway");
  const more = flag(message, "more");
  const upgrade = flag(message, "upgrade");
  if (Number(oneway) + Number(more) + Number(upgrade) > 1) {
    throw new ProtocolError(`call of ${method} sets more than one of oneway, more, upgrade`);
  }
  return {
    method,
    interfaceName: method.slice(0, dot),
    methodName: method.slice(dot + 1),
    parameters: parameters ?? {},
    oneway,
    more,
    upgrade,
    message,
  };
}

function flag(message: Record<string, unknown>, name: string): boolean {
  if (!Object.hasOwn(message, name)) return false;
  const value = message[name];
  if (typeof value !== "boolean") throw new ProtocolError(`"${name}" is not a boolean`);
  return value;
}
