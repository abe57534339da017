/**
 * Finding a service by interface name through the varlink resolver
 * (`org.varlink.resolver.Resolve`).
 */
import { ConnectionError, InterfaceNotFoundError, ProtocolError, VarlinkError } from "../errors.js";
import type { Address } from "../transport/address.js";
import type { CallOptions } from "../types.js";
import type { Connection } from "./connection.js";
import { connect } from "./connect.js";
import type { ConnectOptions } from "./connect.js";

/** Where the system's resolver listens unless told otherwise. */
export const DEFAULT_RESOLVER = "unix:/run/org.varlink.resolver";

const RESOLVER_INTERFACE_NOT_FOUND = "org.varlink.resolver.InterfaceNotFound";

/** Options of `resolve`: `signal` and `timeout` bound the whole lookup. */
export interface ResolveOptions extends CallOptions {
  /** The resolver's address; `unix:/run/org.varlink.resolver` by default. */
  resolver?: string | Address;
}

/**
 * The address of the service that implements `interfaceName`, as the resolver knows it.
 *
 * @throws InterfaceNotFoundError when the resolver knows no such interface.
 * @throws ConnectionError when the resolver cannot be reached or the lookup times out.
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
 * @throws InterfaceNotFoundError when the resolver knows no such interface.
 * @throws ConnectionError when the resolver or the service cannot be reached.
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
