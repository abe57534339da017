/**
 * Peer credentials of a connected unix socket: SO_PEERCRED and SO_PEERPIDFD.
 */
import type { Socket } from "node:net";
import { constants } from "node:os";
import { systemError } from "./errors.js";
import { native } from "./native.js";
import type { FdSocket } from "./socket.js";

const { EINVAL, ENOPROTOOPT, EOPNOTSUPP, ENODATA, ESRCH } = constants.errno;

/** Who is at the other end of a unix socket, as of its connect() (or listen()). */
export interface PeerCredentials {
  /** The peer's process id (0 when the peer is in another PID namespace the kernel cannot map). */
  pid: number;
  /** Its effective user id. */
  uid: number;
  /** Its effective group id. */
  gid: number;
}

/**
 * A socket to ask about: an {@link FdSocket}, a `net.Socket` connected over a unix socket (its
 * fd is read from Node's internal `_handle.fd`, present on Linux), or a descriptor number.
 */
export type SocketLike = FdSocket | Socket | number;

function fdOf(target: SocketLike): number {
  if (typeof target === "number") {
    if (!Number.isInteger(target) || target < 0) {
      throw new TypeError(`not a file descriptor: ${String(target)}`);
    }
    return target;
  }
  // A net.Socket keeps its fd on Node's internal handle; an FdSocket (from any copy of this
  // module) has an fd property.
  const handle = (target as unknown as { _handle?: { fd?: unknown } | null })._handle;
  const fd = handle !== undefined ? handle?.fd : (target as { fd?: unknown }).fd;
  if (typeof fd !== "number" || fd < 0) {
    throw new TypeError(
      "the socket has no file descriptor (not connected, closed, or not a unix socket)",
    );
  }
  return fd;
}

/**
 * The peer's pid, uid and gid (getsockopt SO_PEERCRED), taken by the kernel when the connection
 * was made: the recommended way for a varlink service to check who calls it.
 *
 * @throws a system error (ENOTSOCK, EBADF, ENOTCONN, …) or TypeError for a closed socket.
 */
export function peerCredentials(target: SocketLike): PeerCredentials {
  const fd = fdOf(target);
  const result = native().peerCred(fd);
  if (typeof result === "number") throw systemError(result, "getsockopt");
  const [pid, uid, gid] = result;
  return { pid, uid, gid };
}

/**
 * A pidfd for the peer process (getsockopt SO_PEERPIDFD, Linux 6.5+): unlike the pid in
 * {@link peerCredentials} it cannot come to name another process once the peer exits. The
 * caller owns it: close it with `fs.closeSync`. `undefined` when the kernel cannot give one
 * (older kernels, a peer that has exited or lives in another PID namespace).
 *
 * @throws a system error for other failures (ENOTSOCK, EBADF, …).
 */
export function peerPidfd(target: SocketLike): number | undefined {
  const fd = fdOf(target);
  const result = native().peerPidfd(fd);
  if (result >= 0) return result;
  if (
    result === -ENOPROTOOPT ||
    result === -EINVAL ||
    result === -EOPNOTSUPP ||
    result === -ENODATA ||
    result === -ESRCH
  ) {
    return undefined;
  }
  throw systemError(result, "getsockopt");
}
