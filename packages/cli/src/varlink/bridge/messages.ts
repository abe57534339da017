/**
 * The little the bridge needs to know about the messages it relays: a call's method and flags, a
 * reply's `continues` and `error`, and how to write the replies it makes itself.
 */
import { ProtocolError } from "@varlink-ts/runtime";
import { CALL_SHAPE, decodeMessage, REPLY_SHAPE, type MessageShape } from "@varlink-ts/runtime/wire";

/** A call as the bridge routes it. */
export interface RoutedCall {
  readonly method: string;
  /** `org.example.more` for `org.example.more.Ping`; empty when the name has no dot. */
  readonly interfaceName: string;
  /** `Ping` */
  readonly memberName: string;
  readonly parameters: Record<string, unknown>;
  readonly oneway: boolean;
  readonly upgrade: boolean;
}

/** What a reply says about the call it answers. */
export interface ReplyFlags {
  readonly continues: boolean;
  readonly error: string | undefined;
}

/**
 * Decodes one message, naming who sent it when it is not a JSON object. Calls are held to a
 * call's bounds and replies to a reply's, as a service and a client hold them.
 */
function parseObject(text: string, what: string, shape: MessageShape): Record<string, unknown> {
  try {
    return decodeMessage(text, shape);
  } catch (error) {
    throw new ProtocolError(`${what}: ${(error as Error).message}`);
  }
}

/** Reads a call. @throws ProtocolError when it is not one. */
export function parseCall(text: string): RoutedCall {
  const message = parseObject(text, "a message from the client", CALL_SHAPE);
  const { method, parameters } = message;
  if (typeof method !== "string") throw new ProtocolError('a call from the client has no string "method"');
  const dot = method.lastIndexOf(".");
  return {
    method,
    interfaceName: dot === -1 ? "" : method.slice(0, dot),
    memberName: method.slice(dot + 1),
    parameters:
      typeof parameters === "object" && parameters !== null && !Array.isArray(parameters)
        ? (parameters as Record<string, unknown>)
        : {},
    oneway: message["oneway"] === true,
    upgrade: message["upgrade"] === true,
  };
}

/** Reads what the bridge needs of a reply. @throws ProtocolError when it is not one. */
export function parseReplyFlags(text: string, service: string): ReplyFlags {
  const message = parseObject(text, `a reply from ${service}`, REPLY_SHAPE);
  return {
    continues: message["continues"] === true,
    error: typeof message["error"] === "string" ? message["error"] : undefined,
  };
}

/** A reply the bridge makes itself, with its NUL. */
export function encodeReply(reply: { parameters: object; error?: string }): Buffer {
  const message = reply.error === undefined ? { parameters: reply.parameters } : { error: reply.error, parameters: reply.parameters };
  return Buffer.from(`${JSON.stringify(message)}\0`);
}
