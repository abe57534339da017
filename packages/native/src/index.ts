/**
 * `@varlink-ts/native`: what Node cannot do on unix sockets by itself, for varlink on Linux.
 *
 * - File-descriptor passing (SCM_RIGHTS): {@link FdSocket.writeWithFds} sends fds with the first
 *   byte of a chunk; the `'fds'` event hands over received fds with the stream offset of the
 *   chunk they came with ({@link ReceivedFds}); accepting them is opt-in (`acceptFds`).
 * - Peer credentials: {@link peerCredentials} (SO_PEERCRED) and {@link peerPidfd} (SO_PEERPIDFD),
 *   also for a plain `net.Socket`.
 * - Abstract sockets addressed with their exact length: {@link connectUnix} and
 *   {@link listenUnix} with `@name`.
 *
 * It is an optional native addon (Node-API, one binary for Node 20, 22 and 24, prebuilt for
 * linux-x64). Importing this module never throws; the functions throw
 * {@link NativeUnavailableError} when the addon cannot load, which {@link isNativeAvailable}
 * tells in advance.
 *
 * @packageDocumentation
 */
export { MAX_NAME_BYTES } from "./address.js";
export { peerCredentials, peerPidfd } from "./credentials.js";
export type { PeerCredentials, SocketLike } from "./credentials.js";
export type { SystemError } from "./errors.js";
export {
  NativeUnavailableError,
  isNativeAvailable,
  nativeBinaryPath,
  nativeLoadError,
} from "./native.js";
export { FdServer, listenFd, listenUnix } from "./server.js";
export type { ListenOptions } from "./server.js";
export { FdSocket, connectUnix, pipe, socketPair } from "./socket.js";
export type { FdSocketOptions, ReceivedFds, RefusedFds } from "./socket.js";

/** The most file descriptors one chunk can carry (the kernel's SCM_MAX_FD). */
export const MAX_FDS_PER_CHUNK = 253;
