/**
 * Finding a service by interface name through the varlink resolver
 * (`org.varlink.resolver.Resolve`).
 */
import { ConnectionError, InterfaceNotFoundError, ProtocolError, VarlinkError } from "../errors.js";
import { parseAddress, type Address } from "../transport/address.js";
import type { CallOptions } from "../types.js";
import type { Connection } from "./connection.js";
import { connect } from "./connect.js";
import type { ConnectOptions } from "./connect.js";

/** Where the system's resolver listens unless told otherwise. */
export const DEFAULT_RESOLVER = "unix:/run/org.varlink.resolver";

const RESOLVER_INTERFACE_NOT_FOUND = "org.varlink.resolver.InterfaceNotFound";

/** How much of an answer a message quotes: a hostile resolver's answer may be any size. */
const QUOTED_ANSWER_LIMIT = 200;

/** `text`, cut at `QUOTED_ANSWER_LIMIT` characters. */
function cut(text: string): string {
  return text.length > QUOTED_ANSWER_LIMIT ? `${text.slice(0, QUOTED_ANSWER_LIMIT)}…` : text;
}

/**
 * `text` with control characters, line separators and bidirectional overrides escaped, so that an
 * answer printed in a message cannot drive the user's terminal or disguise itself.
 */
function escapeControls(text: string): string {
  return text.replace(
    /[\u0000-\u001f\u007f-\u009f\u2028-\u202e\u2066-\u2069]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * Refuses an answer that is not a socket address. An `exec:` address runs a program and a bridge
 * runs a command: those are honoured only where the user wrote them, never from a resolver.
 */
function checkResolvedAddress(address: string, interfaceName: string): void {
  const quoted = escapeControls(JSON.stringify(cut(address)));
  const answer = `the resolver answered ${quoted} for ${interfaceName}`;
  let parsed: Address;
  try {
    parsed = parseAddress(address);
  } catch (error) {
    // The parser's message repeats the whole address; keep only what is wrong with it.
    const prefix = `invalid varlink address ${JSON.stringify(address)}: `;
    const message = (error as Error).message;
    const problem = message.startsWith(prefix) ? message.slice(prefix.length) : message;
    throw new ProtocolError(
      `${answer}, which is not a valid varlink address: ${escapeControls(cut(problem))}`,
      { cause: error },
    );
  }
  if (parsed.kind !== "unix" && parsed.kind !== "abstract" && parsed.kind !== "tcp") {
    throw new ProtocolError(`${answer}; only unix: and tcp: addresses are accepted from a resolver`);
  }
}

/** Options of `resolve`: `signal` and `timeout` bound the whole lookup. */
export interface ResolveOptions extends CallOptions {
  /** The resolver's address; `unix:/run/org.varlink.resolver` by default. */
  resolver?: string | Address;
}

/**
 * The address of the service that implements `interfaceName`, as the resolver knows it.
 *
 * Only socket addresses are accepted from a resolver: `unix:` (abstract `unix:@name` included)
 * and `tcp:`. An `exec:` answer would make the caller run a program the resolver chose, so it is
 * refused like any other answer that is not a socket address; `exec:` and bridge addresses work
 * only where the caller passes them itself (to `connect` or `openStream`).
 *
 * @throws InterfaceNotFoundError when the resolver knows no such interface.
 * @throws ConnectionError when the resolver cannot be reached or the lookup times out.
 * @throws ProtocolError when the reply has no string `address`, or its address is not a valid
 *   `unix:` or `tcp:` address; the message quotes the answer (cut short if long).
 */
export async function resolve(interfaceName: string, options: ResolveOptions = {}): Promise<string> {
  const { resolver = DEFAULT_RESOLVER, signal, timeout } = options;
  const deadline = timeout === undefined ? undefined : Date.now() + timeout;
  // One budget for connecting and calling: each step gets what the one before left.
  const budget = (): CallOptions => {
    const left: CallOptions = {};
    if (signal !== undefined) left.signal = signal;
    if (deadline !== undefined) left.timeout = Math.max(0, deadline - Date.now());
    return left;
  };
  let client: Connection | undefined;
  try {
    client = await connect(resolver, budget());
    const reply = await client.call("org.varlink.resolver.Resolve", { interface: interfaceName }, budget());
    if (typeof reply.address !== "string") {
      throw new ProtocolError('Resolve reply has no string "address"');
    }
    checkResolvedAddress(reply.address, interfaceName);
    return reply.address;
  } catch (error) {
    // The resolver's error has its own name; callers get the one class for "no such interface".
    if (error instanceof VarlinkError && error.error === RESOLVER_INTERFACE_NOT_FOUND) {
      throw new InterfaceNotFoundError({ interface: interfaceName }, { cause: error });
    }
    if (error instanceof ConnectionError && error.code === "timeout" && timeout !== undefined) {
      throw new ConnectionError("timeout", `resolving ${interfaceName} timed out after ${timeout} ms`, {
        cause: error,
      });
    }
    throw error;
  } finally {
    client?.close();
  }
}

/** Options of `connectInterface`: `signal` and `timeout` bound the lookup and the connect together. */
export interface ConnectInterfaceOptions extends ConnectOptions {
  /** The resolver's address; `unix:/run/org.varlink.resolver` by default. */
  resolver?: string | Address;
}

/**
 * Resolves `interfaceName` and connects to the service that implements it.
 *
 * As with `resolve`, only a `unix:` or `tcp:` answer is connected to: an `exec:` answer is
 * refused before anything is started, so a resolver can never make this run a program.
 *
 * @throws InterfaceNotFoundError when the resolver knows no such interface.
 * @throws ConnectionError when the resolver or the service cannot be reached.
 * @throws ProtocolError when the resolver's answer is not a valid `unix:` or `tcp:` address.
 */
export async function connectInterface(
  interfaceName: string,
  options: ConnectInterfaceOptions = {},
): Promise<Connection> {
  const { timeout } = options;
  const started = Date.now();
  const address = await resolve(interfaceName, options);
  const rest: ConnectOptions = { ...options };
  if (timeout !== undefined) rest.timeout = Math.max(0, timeout - (Date.now() - started));
  return connect(address, rest);
}
