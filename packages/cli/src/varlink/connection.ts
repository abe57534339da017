/**
 * Opening the connection a command talks over: to an address, through --bridge or --activate, or
 * to the service the resolver names for an interface.
 */
import type { Duplex } from "node:stream";
import {
  Connection,
  ConnectionError,
  InterfaceNotFoundError,
  VarlinkError,
  type Address,
} from "@varlink-ts/runtime";
import { openStream, parseAddress, resolve } from "@varlink-ts/runtime/transport";
import { FdPassingUnavailableError, openFdStream as openNativeStream } from "@varlink-ts/runtime/fds";
import { fixedEndpoint, parseAddressArgument, type Endpoint, type GlobalOptions } from "./address-options.js";
import { CommandFailure, replyFailure, usageError } from "./failures.js";
import { EXIT_CONNECTION } from "./exit-codes.js";

/** How long `finish` waits for the peer to close before closing anyway. */
const FINISH_GRACE_MS = 5000;

/** A client connection and the stream under it. */
export interface ServiceConnection {
  readonly client: Connection;
  /**
   * `error` with the endpoint named as the user wrote it: a bridge or activated command fails
   * after it has started, so its errors surface from calls, not only from connecting.
   */
  relabel(error: unknown): unknown;
  /** Closes at once; a started command is terminated. */
  close(): void;
  /**
   * Ends our side and waits for the peer to close its side. After a `oneway` call this lets the
   * service (and any bridge or activated command in between) act on the call before it goes away.
   */
  finish(): Promise<void>;
}

/**
 * Connects to `endpoint`.
 * @throws ConnectionError when it cannot, naming the endpoint as the user wrote it.
 */
export async function openConnection(endpoint: Endpoint, fds = false): Promise<ServiceConnection> {
  const relabel = (error: unknown): unknown => {
    const { runtimeLabel } = endpoint;
    if (error instanceof ConnectionError && runtimeLabel !== undefined && error.message.includes(runtimeLabel)) {
      return new ConnectionError(error.code, error.message.replace(runtimeLabel, endpoint.label), { cause: error });
    }
    return error;
  };
  let stream: Duplex;
  try {
    stream = fds ? await openFdStream(endpoint) : await openStream(endpoint.address, endpoint.options);
  } catch (error) {
    throw relabel(error);
  }
  const client = Connection.fromStream(stream);
  return { client, relabel, close: () => client.close(), finish: () => finishStream(stream) };
}

/** A unix socket that passes file descriptors (`--push-fd`); other endpoints are usage errors. */
async function openFdStream(endpoint: Endpoint): Promise<Duplex> {
  if (typeof endpoint.address !== "string" && endpoint.address.kind !== "unix" && endpoint.address.kind !== "abstract") {
    throw usageError(`--push-fd needs a unix: address; ${endpoint.label} cannot carry file descriptors`);
  }
  try {
    return await openNativeStream(endpoint.address);
  } catch (error) {
    if (error instanceof TypeError) throw usageError(`--push-fd needs a unix: address; ${endpoint.label} cannot carry file descriptors`);
    if (error instanceof FdPassingUnavailableError) throw new CommandFailure(EXIT_CONNECTION, error.message, { cause: error });
    throw error;
  }
}

function finishStream(stream: Duplex): Promise<void> {
  if (stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => stream.destroy(), FINISH_GRACE_MS);
    stream.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
    stream.end();
  });
}

/**
 * The address the resolver gives for `interfaceName`.
 *
 * @param notFoundExit what to exit with when the resolver knows no such interface: 1 when that is
 *   the answer the command asked for (`resolve`, `introspect`), 2 when a call could not be sent.
 * @throws CommandFailure for every failure, with a message naming the resolver.
 */
export async function resolveAddress(
  globals: GlobalOptions,
  interfaceName: string,
  notFoundExit: number,
): Promise<string> {
  parseAddressArgument(globals.resolver);
  try {
    return await resolve(interfaceName, { resolver: globals.resolver });
  } catch (error) {
    if (error instanceof InterfaceNotFoundError) {
      throw new CommandFailure(
        notFoundExit,
        `the resolver at ${globals.resolver} knows no service for ${interfaceName}`,
        { cause: error },
      );
    }
    if (error instanceof VarlinkError) throw replyFailure("org.varlink.resolver.Resolve", error);
    if (error instanceof ConnectionError) {
      throw new CommandFailure(EXIT_CONNECTION, `cannot resolve ${interfaceName}: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * Connects to the ADDRESS argument, the --bridge or --activate command, or else the service the
 * resolver gives for `interfaceName`.
 *
 * @throws CommandFailure (exit 2) when there is nowhere to connect to, or as `resolveAddress` does.
 * @throws ConnectionError when the connection cannot be opened.
 */
export async function openService(
  globals: GlobalOptions,
  address: string | undefined,
  interfaceName: string | undefined,
  notFoundExit: number,
): Promise<ServiceConnection> {
  const endpoint = fixedEndpoint(globals, address);
  if (endpoint !== undefined) return openConnection(endpoint);
  if (interfaceName === undefined) {
    throw usageError("missing ADDRESS (or --bridge COMMAND, or --activate COMMAND)");
  }
  const resolved = await resolveAddress(globals, interfaceName, notFoundExit);
  let target: Address;
  try {
    target = parseAddress(resolved);
  } catch (error) {
    throw new CommandFailure(
      EXIT_CONNECTION,
      `the resolver gave an unusable address for ${interfaceName}: ${(error as Error).message}`,
    );
  }
  return openConnection({ address: target, label: resolved });
}
