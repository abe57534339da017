/**
 * The client side of unix, abstract and TCP connections, with connect errors turned into
 * ConnectionError codes.
 */
import { createConnection } from "node:net";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { connectNative, LIBUV_PADS_ABSTRACT } from "../fds/connect.js";
import { loadNative } from "../fds/native.js";
import { ConnectionError } from "../errors.js";
import { connectFailure, errorCode } from "./connect-failure.js";
import type { AbstractAddress, TcpAddress, UnixAddress } from "./address.js";

/** The path Node takes for a unix or abstract address: abstract names start with a NUL byte. */
export function socketPath(address: UnixAddress | AbstractAddress): string {
  return address.kind === "unix" ? address.path : `\0${address.name}`;
}

/**
 * How long a unix connect keeps retrying while the service's queue of unaccepted connections is
 * full (EAGAIN), when the caller set no shorter timeout.
 */
export const FULL_QUEUE_RETRY_LIMIT = 10_000;

/** The first pause before retrying a connect to a full queue; it doubles up to the next value. */
const FIRST_RETRY_DELAY = 1;
const MAX_RETRY_DELAY = 100;

/**
 * Connects to a unix, abstract or TCP address. Rejects with a ConnectionError, or with
 * `signal.reason` when the signal fires first; the socket is destroyed in both cases.
 *
 * A unix connect fails at once with EAGAIN when the service's queue of connections it has not
 * accepted yet is full, as it is when many clients connect in the same instant (TCP waits in the
 * kernel instead). That is a busy service, not a missing one, so the connect is retried, with a
 * growing pause, for up to {@link FULL_QUEUE_RETRY_LIMIT} milliseconds.
 */
export async function connectSocket(
  address: UnixAddress | AbstractAddress | TcpAddress,
  label: string,
  signal: AbortSignal,
): Promise<Duplex> {
  if (address.kind === "abstract" && LIBUV_PADS_ABSTRACT) {
    // Node 20's libuv pads abstract names; the addon, when installed, uses the exact name.
    const native = await loadNative();
    if (native !== undefined) return connectNative(native, address, label, signal, false);
  }
  const started = Date.now();
  for (let delay = FIRST_RETRY_DELAY; ; delay = Math.min(delay * 2, MAX_RETRY_DELAY)) {
    try {
      return await connectOnce(address, signal);
    } catch (error) {
      if (error === signal.reason) throw error;
      const queueFull = address.kind !== "tcp" && errorCode(error) === "EAGAIN";
      if (!queueFull) throw connectFailure(label, error);
      if (Date.now() - started >= FULL_QUEUE_RETRY_LIMIT) {
        throw new ConnectionError(
          "io",
          `cannot connect to ${label}: the service accepts no connections (its queue stayed full for ${FULL_QUEUE_RETRY_LIMIT} ms)`,
          { cause: error },
        );
      }
      await pause(delay, signal);
    }
  }
}

/** Waits `ms` milliseconds; rejects with `signal.reason` when the signal fires first. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** One connect attempt; rejects with the Node error, or `signal.reason` when the signal fires. */
function connectOnce(
  address: UnixAddress | AbstractAddress | TcpAddress,
  signal: AbortSignal,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const socket =
      address.kind === "tcp"
        ? createConnection({ host: address.host, port: address.port, noDelay: true })
        : createConnection({ path: socketPath(address) });
    const settle = (): void => {
      socket.off("connect", onConnect);
      socket.off("error", onError);
      signal.removeEventListener("abort", onAbort);
    };
    const onConnect = (): void => {
      settle();
      resolve(socket);
    };
    const onError = (error: Error): void => {
      settle();
      socket.destroy();
      reject(error);
    };
    const onAbort = (): void => {
      settle();
      socket.destroy();
      reject(signal.reason);
    };
    socket.once("connect", onConnect);
    socket.once("error", onError);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
