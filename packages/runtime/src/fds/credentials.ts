/**
 * Who is at the other end of a client's unix connection: what SO_PEERCRED reports (the service
 * side has it in `context.peer`).
 */
import type { Connection } from "../client/connection.js";
import { requireNative } from "./native.js";

/** A unix peer's process and user, as the kernel saw them when the connection was made. */
export interface PeerCredentials {
  readonly uid: number;
  readonly gid: number;
  readonly pid: number;
}

/**
 * The credentials of the service at the other end of `connection`, to check that it is who it
 * should be (for example, that it runs as root) before sending it anything that matters.
 *
 * @throws FdPassingUnavailableError (as a rejection) without `@varlink-ts/native`.
 * @throws TypeError (as a rejection) when the connection is not a unix socket.
 */
export async function peerCredentials(connection: Connection): Promise<PeerCredentials> {
  const native = await requireNative("reading peer credentials");
  const stream = connection.rawStream();
  try {
    const { uid, gid, pid } = native.peerCredentials(stream);
    return { uid, gid, pid };
  } catch (cause) {
    throw new TypeError("the connection is not a unix socket, which alone tells its peer's credentials", { cause });
  }
}
