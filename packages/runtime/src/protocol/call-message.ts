/**
 * The two message shapes a client handles: the call it writes and the reply it reads.
 *
 * Calls carry only the flags that are true, because the reference Python server compares whole
 * call objects and fails on `"more": false`. Replies are checked for shape before the client
 * trusts them, since a peer may send anything.
 */
import { ProtocolError } from "../errors.js";
import type { CallMessage, JsonObject } from "../types.js";

/** How a call wants to be answered; at most one is set. */
export type CallMode = "call" | "more" | "oneway" | "upgrade";

/**
 * The call object for `method`. Absent or `null` parameters become `{}` so that every peer sees
 * the same thing.
 * @throws TypeError when `method` is not a qualified name or `parameters` is not an object.
 */
export function buildCallMessage(
  method: string,
  parameters: object | null | undefined,
  mode: CallMode,
): CallMessage {
  if (typeof method !== "string" || !isQualified(method)) {
    throw new TypeError(
      `method must be fully qualified, like "org.example.ping.Ping", got ${JSON.stringify(method)}`,
    );
  }
  if (parameters !== undefined && parameters !== null) {
    if (typeof parameters !== "object" || Array.isArray(parameters)) {
      throw new TypeError(`parameters of ${method} must be an object`);
    }
  }
  const message: CallMessage = { method, parameters: parameters ?? {} };
  if (mode === "more") message.more = true;
  else if (mode === "oneway") message.oneway = true;
  else if (mode === "upgrade") message.upgrade = true;
  return message;
}

function isQualified(method: string): boolean {
  const dot = method.lastIndexOf(".");
  return dot > 0 && dot < method.length - 1;
}

/** A reply whose shape has been checked. */
export interface Reply {
  /** The reply's parameters; `{}` when the peer sent none or `null`. */
  readonly parameters: JsonObject;
  /** True when more replies to the same call follow. */
  readonly continues: boolean;
  /** The qualified error name of an error reply. */
  readonly error: string | undefined;
}

/**
 * Checks a decoded message as a reply. Unknown keys are ignored, as peers may add extensions.
 * @throws ProtocolError when `parameters`, `continues` or `error` have the wrong type.
 */
export function parseReply(message: Record<string, unknown>): Reply {
  const { parameters, continues, error } = message;
  if (
    parameters !== undefined &&
    parameters !== null &&
    (typeof parameters !== "object" || Array.isArray(parameters))
  ) {
    throw new ProtocolError("reply parameters are not a JSON object");
  }
  if (continues !== undefined && continues !== null && typeof continues !== "boolean") {
    throw new ProtocolError('reply "continues" is not a boolean');
  }
  if (error !== undefined && error !== null && (typeof error !== "string" || error === "")) {
    throw new ProtocolError('reply "error" is not an error name');
  }
  return {
    parameters: (parameters ?? {}) as JsonObject,
    continues: continues === true,
    error: typeof error === "string" ? error : undefined,
  };
}
