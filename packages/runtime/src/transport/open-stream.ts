/**
 * The client side of a connection to any address, as a raw byte stream.
 */
import type { Duplex } from "node:stream";
import type { CallOptions } from "../types.js";
import { describeAddress, toAddress } from "./address.js";
import type { Address } from "./address.js";
import { openBridgeStream } from "./bridge.js";
import { connectSocket } from "./connect-socket.js";
import { withDeadline } from "./deadline.js";
import { openExecStream } from "./exec.js";
import { openSshStream } from "./ssh.js";

/**
 * Opens a connection to `address` and resolves with it as a byte stream, ready to carry varlink
 * messages (or anything else).
 *
 * - `unix:`, `unix:@` and `tcp:` connect a `net.Socket` (TCP with Nagle's algorithm off).
 * - `exec:` starts the program with socket activation and connects to it. Closing the stream
 *   terminates the program (SIGTERM, then SIGKILL) and removes its socket; "close" is emitted
 *   once it has exited.
 * - A bridge starts its command; the stream writes to its stdin and reads its stdout. Ending the
 *   stream closes its stdin; destroying it also terminates it; its exit ends the stream.
 * - `ssh-unix:` and `ssh-exec:` start the system's `ssh` (or `$SYSTEMD_SSH`) as a bridge, with
 *   the command lines systemd uses (see ssh.ts); a missing ssh is `not-found`.
 * - `ws://`, `wss://` (and `http://`, `https://`) reach a service through an HTTP bridge's
 *   WebSocket mode (UAPI.20); the stream carries the raw protocol.
 *
 * When an `exec:`, bridge or ssh child dies with a failing status, the stream is destroyed with a
 * ConnectionError (`closed`) that names the program and the status.
 *
 * `options.signal` and `options.timeout` bound the opening only, not the stream's later life.
 *
 * @throws TypeError (as a rejection) for an invalid address.
 * @throws ConnectionError (as a rejection): `refused` when nothing listens, `not-found` when the
 *   socket or program does not exist, `timeout`, `aborted`, or `io` for anything else (see `cause`).
 */
export async function openStream(
  address: string | Address,
  options?: CallOptions,
): Promise<Duplex> {
  const target = toAddress(address);
  const label = describeAddress(target);
  return withDeadline(`connecting to ${label}`, options, async (signal): Promise<Duplex> => {
    switch (target.kind) {
      case "unix":
      case "abstract":
      case "tcp":
        return connectSocket(target, label, signal);
      case "exec":
        return openExecStream(target, label, signal);
      case "bridge":
        return openBridgeStream(target, label, signal);
      case "ssh-unix":
      case "ssh-exec":
        return openSshStream(target, label, signal);
      case "websocket": {
        // Loaded on first use: programs that never reach a bridge do not load the `ws` package.
        const { openWebSocketStream } = await import("./websocket-node.js");
        return openWebSocketStream(target, label, signal);
      }
    }
  });
}
