/**
 * Listening through the addon: unix sockets whose connections pass file descriptors (a service
 * made with `fds: true`), and abstract sockets with their exact length on Node 20.
 */
import type { Duplex } from "node:stream";
import type { Listener } from "../transport/listener.js";
import { ConnectionError } from "../errors.js";
import { formatAddress, type AbstractAddress, type UnixAddress } from "../transport/address.js";
import { nativePath } from "./connect.js";
import type { NativeModule, NativeServer } from "./native.js";

/** Listens on `target` with the addon; the socket file of a path is removed on close. */
export async function listenNative(
  native: NativeModule,
  target: UnixAddress | AbstractAddress,
  label: string,
  onConnection: (stream: Duplex) => void,
  acceptFds: boolean,
): Promise<Listener> {
  let server: NativeServer;
  try {
    server = await native.listenUnix(nativePath(target), onConnection, {
      acceptFds,
      ...(target.kind === "unix" && target.mode !== undefined ? { mode: target.mode } : {}),
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason =
      code === "EADDRINUSE" ? "the address is already in use" : error instanceof Error ? error.message : String(error);
    throw new ConnectionError(code === "ENOENT" ? "not-found" : "io", `cannot listen on ${label}: ${reason}`, {
      cause: error,
    });
  }
  server.on("error", () => undefined);
  const address = target.kind === "unix" ? formatAddress({ kind: "unix", path: target.path }) : label;
  let closing: Promise<void> | undefined;
  return {
    address,
    close: () => (closing ??= server.close()),
  };
}
