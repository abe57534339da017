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
import { isWebSocketUrl, redactUrl, webSocketUrl } from "../transport/websocket-url.js";

/** The options of Node's `connect` that a browser's WebSocket cannot honour, and why. */
const NODE_ONLY = {
  tls: "a browser's WebSocket uses the browser's own certificates and trusted CAs",
  headers: "a browser's WebSocket sends no headers; give a token in the URL as ?access_token=",
} as const;

/**
 * Connects to a varlink service behind an HTTP bridge:
 * `connect("wss://host/base/ws/services/org.example.more")`. A bearer token goes in the URL as
 * `?access_token=…`, since a browser's WebSocket cannot carry headers; messages show the URL with
 * its query values `REDACTED`. The page's TLS is the browser's: `options.tls` and
 * `options.headers`, which Node's `connect` takes, cannot be honoured here and are refused.
 *
 * @throws TypeError (as a rejection) for any other kind of address, or when `options` has `tls`
 *   or `headers`.
 * @throws ConnectionError (as a rejection): `io` when the WebSocket cannot be opened (browsers do
 *   not say why), `timeout` or `aborted`.
 */
export async function connect(
  address: string | Address,
  options: ConnectOptions = {},
): Promise<Connection> {
  const url = urlOf(address);
  for (const [name, why] of Object.entries(NODE_ONLY)) {
    if (options[name as keyof typeof NODE_ONLY] !== undefined) {
      throw new TypeError(`connect in a browser cannot use options.${name}: ${why}`);
    }
  }
  const WebSocketClass = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (WebSocketClass === undefined) throw new TypeError("this JavaScript runtime has no WebSocket");
  const label = redactUrl(url);
  const stream = await withDeadline(`connecting to ${label}`, options, (signal) =>
    openWebSocket(url, label, signal, WebSocketClass),
  );
  return Connection.fromByteStream(stream, options);
}

function urlOf(address: string | Address): string {
  if (typeof address === "string" && isWebSocketUrl(address)) return webSocketUrl(address);
  if (typeof address === "object" && address !== null && address.kind === "websocket") {
    return webSocketUrl(address.url);
  }
  const text = typeof address === "string" ? redactUrl(address) : JSON.stringify(address);
  throw new TypeError(
    `cannot connect to ${text} from a browser: only ws://, wss://, http:// and https:// addresses (an HTTP bridge) can be reached`,
  );
}
