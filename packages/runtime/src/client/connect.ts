/**
 * Opening a client connection to an address.
 */
import type { Address } from "../transport/index.js";
import { openStream } from "../transport/index.js";
import type { CallOptions } from "../types.js";
import { VarlinkClient } from "./client.js";
import type { ClientOptions } from "./client.js";

/** Options of `connect`: `signal` and `timeout` bound opening the connection, not later calls. */
export interface ConnectOptions extends CallOptions, ClientOptions {}

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
): Promise<VarlinkClient> {
  const stream = await openStream(address, options);
  return VarlinkClient.fromStream(stream, options);
}
