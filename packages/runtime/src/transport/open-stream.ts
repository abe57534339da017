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
import type { WebSocketClientOptions } from "./websocket-url.js";

/**
 * Options of {@link openStream}: `signal` and `timeout` bound the opening; `tls` and `headers`
 * are for WebSocket addresses only.
 */
export interface OpenStreamOptions extends CallOptions, WebSocketClientOptions {}

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
 *   WebSocket mode (UAPI.20); the stream carries the raw protocol. `options.tls` (a private CA,
 *   a client certificate) and `options.headers` (`Authorization: Bearer …`) go to the handshake.
 *   When the bridge closes the WebSocket with a code other than 1000 (1009 message too big, 1014
 *   bad gateway, …), the stream is destroyed with a ConnectionError `closed` that says the code,
 *   its meaning and the reason, once the data received before it have been read.
 *
 * When an `exec:`, bridge or ssh child dies with a failing status, the stream is destroyed with a
 * ConnectionError (`closed`) that names the program and the status.
 *
 * `options.signal` and `options.timeout` bound the opening only, not the stream's later life.
 *
 * Messages name the address with `describeAddress`: a WebSocket URL's query values (the
 * `access_token`) are never shown.
 *
 * @throws TypeError (as a rejection) for an invalid address, or `tls` or `headers` given for an
 *   address that is not a WebSocket one (or `tls` for a `ws://` one).
 * @throws ConnectionError (as a rejection): `refused` when nothing listens (or the service closed
 *   its socket before accepting the connection), `not-found` when the socket or program does not
 *   exist, `timeout`, `aborted`, or `io` for anything else (see `cause`).
 */
export async function openStream(
  address: string | Address,
  options?: OpenStreamOptions,
): Promise<Duplex> {
  const target = toAddress(address);
  const label = describeAddress(target);
  checkWebSocketOptions(target, label, options);
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
        return openWebSocketStream(target, label, signal, options ?? {});
      }
    }
  });
}

/**
 * Refuses `tls` and `headers` where they would be ignored: a program that asked for a client
 * certificate or a token must not talk without them unawares.
 * @throws TypeError
 */
function checkWebSocketOptions(target: Address, label: string, options: WebSocketClientOptions | undefined): void {
  const { tls, headers } = options ?? {};
  if (tls === undefined && headers === undefined) return;
  if (target.kind !== "websocket") {
    throw new TypeError(
      `tls and headers apply to ws://, wss://, http:// and https:// addresses only, not to ${label}`,
    );
  }
  if (tls !== undefined && !target.url.startsWith("wss:")) {
    throw new TypeError(`tls applies to wss:// and https:// addresses only, not to ${label}`);
  }
  if (tls !== undefined && (tls.cert === undefined) !== (tls.key === undefined)) {
    throw new TypeError("tls.cert and tls.key go together: give both or neither");
  }
}
