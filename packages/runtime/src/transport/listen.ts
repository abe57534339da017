/**
 * The server side: listening on unix, abstract and TCP addresses.
 */
import { createConnection, createServer } from "node:net";
import type { AddressInfo, ListenOptions, Server, Socket } from "node:net";
import { chmod, lstat, stat, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import type { Duplex } from "node:stream";
import { ConnectionError } from "../errors.js";
import { describeAddress, formatAddress, toAddress } from "./address.js";
import type { Address, UnixAddress } from "./address.js";
import { errorCode, nothingAccepted } from "./connect-failure.js";
import { socketPath } from "./connect-socket.js";
import { ServerListener } from "./listener.js";
import type { Listener } from "./listener.js";
import { LIBUV_PADS_ABSTRACT } from "../fds/connect.js";
import { listenNative } from "../fds/listen.js";
import { loadNative, requireNative } from "../fds/native.js";

/**
 * Listens on a `unix:`, `unix:@` or `tcp:` address and calls `onConnection` with every accepted
 * connection. Give each connection an "error" listener: a reset connection emits one.
 *
 * For `unix:` paths, a leftover socket file that nothing listens on is replaced, and `;mode=`
 * is applied to the new file. Errors on the listening socket after it started (such as a failed
 * accept) are ignored: Node keeps accepting.
 *
 * @throws TypeError (as a rejection) for an invalid address or one that cannot be listened on
 *   (`exec:`, bridge).
 * @throws ConnectionError (as a rejection): `not-found` when the socket's directory does not
 *   exist, `io` when the address is in use (the message says so) or cannot be bound.
 */
export async function listen(
  address: string | Address,
  onConnection: (stream: Duplex) => void,
  options: ListenerOptions = {},
): Promise<Listener> {
  const target = toAddress(address);
  const label = describeAddress(target);
  if (options.fds === true) {
    if (target.kind !== "unix" && target.kind !== "abstract") {
      throw new TypeError(`cannot pass file descriptors on ${label}: they travel over unix sockets only`);
    }
    const native = await requireNative("passing file descriptors");
    if (target.kind === "unix") await removeStaleSocket(target.path, label);
    return listenNative(native, target, label, onConnection, true);
  }
  switch (target.kind) {
    case "unix":
      return listenUnix(target, label, onConnection);
    case "abstract": {
      // Node 20's libuv pads abstract names; the addon, when installed, binds the exact name.
      const native = LIBUV_PADS_ABSTRACT ? await loadNative() : undefined;
      if (native !== undefined) return listenNative(native, target, label, onConnection, false);
      const server = await startServer({ path: socketPath(target) }, label, onConnection);
      return new ServerListener(label, server);
    }
    case "tcp": {
      const server = await startServer(
        { host: target.host, port: target.port },
        label,
        onConnection,
      );
      const { port } = server.address() as AddressInfo;
      return new ServerListener(formatAddress({ ...target, port }), server);
    }
    default:
      throw new TypeError(
        `cannot listen on ${label}: only unix:, unix:@ and tcp: addresses can be listened on`,
      );
  }
}

/** Options of {@link listen}. */
export interface ListenerOptions {
  /**
   * Accept file descriptors on the connections (unix sockets only; needs the optional
   * `@varlink-ts/native`).
   */
  fds?: boolean;
}

async function listenUnix(
  target: UnixAddress,
  label: string,
  onConnection: (stream: Duplex) => void,
): Promise<Listener> {
  let server: Server;
  try {
    server = await startServer({ path: target.path }, label, onConnection);
  } catch (error) {
    if (!(error instanceof ConnectionError) || errorCode(error.cause) !== "EADDRINUSE") {
      // Node reports a bind in a missing directory as EACCES; say what is really wrong.
      if (!(await exists(dirname(target.path)))) {
        throw new ConnectionError(
          "not-found",
          `cannot listen on ${label}: its directory does not exist`,
          { cause: error },
        );
      }
      throw error;
    }
    await removeStaleSocket(target.path, label);
    server = await startServer({ path: target.path }, label, onConnection);
  }
  try {
    if (target.mode !== undefined) await chmod(target.path, target.mode);
    const { dev, ino } = await lstat(target.path);
    return new ServerListener(formatAddress({ kind: "unix", path: target.path }), server, {
      path: target.path,
      dev,
      ino,
    });
  } catch (error) {
    server.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConnectionError("io", `cannot set up ${label}: ${reason}`, { cause: error });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes a socket file left behind by a server that is gone; refuses (rejects with a
 * ConnectionError) to touch a live one or a file that is not a socket.
 */
export async function removeStaleSocket(path: string, label: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch (error) {
    if (errorCode(error) === "ENOENT") return;
    throw listenFailure(label, error);
  }
  if (!isSocket) {
    throw new ConnectionError(
      "io",
      `cannot listen on ${label}: ${path} exists and is not a socket`,
    );
  }
  if (await acceptsConnections(path, label)) {
    throw new ConnectionError(
      "io",
      `cannot listen on ${label}: another process is already listening there`,
    );
  }
  try {
    await unlink(path);
  } catch (error) {
    if (errorCode(error) !== "ENOENT") throw listenFailure(label, error);
  }
}

/** Whether something listens on the socket file: connect and see. */
function acceptsConnections(path: string, label: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe: Socket = createConnection({ path });
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", (error) => {
      probe.destroy();
      if (nothingAccepted(error) || errorCode(error) === "ENOENT") resolve(false);
      else reject(listenFailure(label, error));
    });
  });
}

function startServer(
  options: ListenOptions,
  label: string,
  onConnection: (stream: Duplex) => void,
): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer({ noDelay: options.path === undefined }, onConnection);
    const onError = (error: Error): void => {
      server.close();
      reject(listenFailure(label, error));
    };
    server.once("error", onError);
    server.listen(options, () => {
      server.off("error", onError);
      server.on("error", ignore);
      resolve(server);
    });
  });
}

function ignore(): void {}

/** The ConnectionError for a failure to listen, keeping the Node error as `cause`. */
function listenFailure(label: string, error: unknown): ConnectionError {
  const code = errorCode(error);
  const reason = error instanceof Error ? error.message : String(error);
  switch (code) {
    case "EADDRINUSE":
      return new ConnectionError("io", `cannot listen on ${label}: the address is already in use`, {
        cause: error,
      });
    case "ENOENT":
      return new ConnectionError(
        "not-found",
        `cannot listen on ${label}: its directory does not exist`,
        { cause: error },
      );
    case "EACCES":
    case "EPERM":
      return new ConnectionError("io", `cannot listen on ${label}: permission denied`, {
        cause: error,
      });
    case "EADDRNOTAVAIL":
      return new ConnectionError(
        "io",
        `cannot listen on ${label}: the address is not available on this machine`,
        { cause: error },
      );
    default:
      return new ConnectionError("io", `cannot listen on ${label}: ${reason}`, { cause: error });
  }
}
