/**
 * Opening a client connection to an address.
 */
import type { Address } from "../transport/address.js";
import { openStream } from "../transport/open-stream.js";
import { openFdStream } from "../fds/connect.js";
import type { WebSocketClientOptions } from "../transport/websocket-url.js";
import type { CallOptions } from "../types.js";
import { Connection } from "./connection.js";
import type { ConnectionOptions } from "./connection.js";

/**
 * Options of `connect`: `signal` and `timeout` bound opening the connection, not later calls.
 *
 * `tls` and `headers` are for `ws://`, `wss://`, `http://` and `https://` addresses (a service
 * behind an HTTP bridge), in Node only: `tls: { ca, cert, key }` trusts a private CA and presents
 * a client certificate (mutual TLS; `wss://` and `https://` only), `headers` go with the
 * WebSocket handshake, such as `{ Authorization: "Bearer TOKEN" }`. Given for any other address,
 * or to `connect` in a browser (whose WebSocket takes neither), they make it throw a TypeError
 * rather than be ignored.
 */
export interface ConnectOptions extends CallOptions, ConnectionOptions, WebSocketClientOptions {
  /**
   * Pass file descriptors both ways (`withFds`, `takeFds` from `@varlink-ts/runtime/fds`): for
   * `unix:` and `unix:@` addresses, through the optional `@varlink-ts/native`, without which the
   * connect rejects with `FdPassingUnavailableError`. Off by default: UAPI.20 wants clients to
   * accept descriptors only when they call a method that returns them.
   */
  fds?: boolean;
}

/**
 * Connects to a varlink service at `address` (`unix:/run/x`, `unix:@name`, `tcp:host:port`,
 * `exec:/path/to/binary`, `wss://host/ws/services/org.example.more`, …).
 *
 * @throws TypeError for an invalid address, or `tls` or `headers` it cannot use.
 * @throws ConnectionError `refused`, `not-found`, `timeout`, `aborted` or `io` when the connection
 * cannot be opened.
 */
export async function connect(
  address: string | Address,
  options: ConnectOptions = {},
): Promise<Connection> {
  const stream = options.fds === true ? await openFdStream(address, options) : await openStream(address, options);
  return Connection.fromStream(stream, options);
}
