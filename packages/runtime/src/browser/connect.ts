/**
 * `connect` in a browser: the only way out of a page is the network, so the addresses are those
 * of services behind an HTTP bridge (UAPI.20's WebSocket mode): `ws://`, `wss://`, `http://` and
 * `https://` URLs, over the page's own `WebSocket`.
 */
import type { ConnectOptions } from "../client/connect.js";
import { Connection } from "../client/connection.js";
import type { Address } from "../transport/address.js";
import { withDeadline } from "../transport/deadline.js";
import { openWebSocket, type WebSocketConstructor } from "../transport/websocket-stream.js";
import { isWebSocketUrl, webSocketUrl } from "../transport/websocket-url.js";

/**
 * Connects to a varlink service behind an HTTP bridge:
 * `connect("wss://host/base/ws/services/org.example.more")`. A bearer token goes in the URL as
 * `?access_token=…`, since a browser's WebSocket cannot carry headers.
 *
 * @throws TypeError (as a rejection) for any other kind of address.
 * @throws ConnectionError (as a rejection): `io` when the WebSocket cannot be opened (browsers do
 *   not say why), `timeout` or `aborted`.
 */
export async function connect(
  address: string | Address,
  options: ConnectOptions = {},
): Promise<Connection> {
  const url = urlOf(address);
  const WebSocketClass = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (WebSocketClass === undefined) throw new TypeError("this JavaScript runtime has no WebSocket");
  const stream = await withDeadline(`connecting to ${url}`, options, (signal) =>
    openWebSocket(url, url, signal, WebSocketClass),
  );
  return Connection.fromByteStream(stream, options);
}

function urlOf(address: string | Address): string {
  if (typeof address === "string" && isWebSocketUrl(address)) return webSocketUrl(address);
  if (typeof address === "object" && address !== null && address.kind === "websocket") {
    return webSocketUrl(address.url);
  }
  const text = typeof address === "string" ? address : JSON.stringify(address);
  throw new TypeError(
    `cannot connect to ${text} from a browser: only ws://, wss://, http:// and https:// addresses (an HTTP bridge) can be reached`,
  );
}
