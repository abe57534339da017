/**
 * Opening a client connection to an address.
 */
import type { Address } from "../transport/address.js";
import { openStream } from "../transport/open-stream.js";
import type { CallOptions } from "../types.js";
import { Connection } from "./connection.js";
import type { ConnectionOptions } from "./connection.js";

/** Options of `connect`: `signal` and `timeout` bound opening the connection, not later calls. */
export interface ConnectOptions extends CallOptions, ConnectionOptions {}

/**
 * Connects to a varlink service at `address` (`unix:/run/x`, `unix:@name`, `tcp:host:port`,
 * `exec:/path/to/binary`, …).
 *
 * @throws ConnectionError `refused`, `not-found`, `timeout`, `aborted` or `io` when the connection
 * cannot be opened.
 */
export async function connect(
  address: string | Address,
  options: ConnectOptions = {},
): Promise<Connection> {
  const stream = await openStream(address, options);
  return Connection.fromStream(stream, options);
}
