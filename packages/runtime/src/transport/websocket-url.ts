/**
 * Addresses of services behind an HTTP bridge (UAPI.20, WebSocket mode): `ws://` and `wss://`
 * URLs, and `http://`/`https://` ones with the same path, which imply the WebSocket upgrade. Kept
 * apart from address.ts, which needs `node:net`, so that browsers can read them too.
 */

const SCHEMES: Readonly<Record<string, string>> = {
  "ws:": "ws:",
  "wss:": "wss:",
  "http:": "ws:",
  "https:": "wss:",
};

/** True when `text` starts with one of the four schemes, so that it is meant as such a URL. */
export function isWebSocketUrl(text: string): boolean {
  return /^(?:wss?|https?):\/\//i.test(text);
}

/**
 * The `ws:`/`wss:` URL that `text` names, normalized (`http:` becomes `ws:`, `https:` `wss:`).
 * @throws TypeError when it is not a valid URL of those schemes, or has a fragment or credentials.
 */
export function webSocketUrl(text: string): string {
  // Messages never show the token the text may carry.
  const shown = JSON.stringify(redactUrl(text));
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`invalid varlink address ${shown}: not a valid URL`);
  }
  const scheme = SCHEMES[url.protocol];
  if (scheme === undefined || !isWebSocketUrl(text)) {
    throw new TypeError(
      `invalid varlink address ${shown}: expected a ws://, wss://, http:// or https:// URL`,
    );
  }
  if (url.hash !== "") {
    throw new TypeError(`invalid varlink address ${shown}: a URL with a fragment`);
  }
  // A WebSocket handshake carries no user and password; a token goes in ?access_token=.
  if (url.username !== "" || url.password !== "") {
    throw new TypeError(
      `invalid varlink address ${shown}: credentials in the URL are not sent; use ?access_token=`,
    );
  }
  url.protocol = scheme;
  return url.href;
}

/** What stands in messages for a secret taken out of a URL. */
const REDACTED = "REDACTED";

/**
 * `text`, a URL, as messages show it: without the secrets it may carry. The value of every query
 * parameter becomes `REDACTED` (`?access_token=REDACTED`): `access_token` is a bearer token, and
 * the others, which the bridge does not read, are for whatever sits in front of it (a proxy's
 * signature, say), so none is shown. A user and password before the host, and the values in a
 * fragment, are replaced too. Works on any text, a valid URL or not.
 */
export function redactUrl(text: string): string {
  let shown = text.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#]*@/, `$1${REDACTED}@`);
  const query = shown.search(/[?#]/);
  if (query === -1) return shown;
  const head = shown.slice(0, query);
  shown = shown.slice(query).replace(/([?#&])([^=&#]*)=[^&#]*/g, `$1$2=${REDACTED}`);
  return head + shown;
}

/**
 * How Node's client opens `ws://`, `wss://`, `http://` and `https://` addresses: what a program
 * can give a WebSocket handshake and a browser's page cannot. Other addresses take none of it
 * (`openStream` and `connect` throw a TypeError), nor does the browser build of `connect`,
 * whose WebSocket cannot be told any of it.
 */
export interface WebSocketClientOptions {
  /**
   * TLS of `wss://` and `https://` addresses (a `ws://` one throws a TypeError): PEM text or its
   * bytes (a Buffer). `ca` replaces the system's trusted roots with a private CA (one or several
   * concatenated certificates); `cert` and `key`, given together, are the client certificate a
   * bridge with mutual TLS asks for.
   */
  tls?: {
    readonly ca?: string | Uint8Array;
    readonly cert?: string | Uint8Array;
    readonly key?: string | Uint8Array;
  };
  /**
   * Headers sent with the WebSocket handshake, such as
   * `{ Authorization: "Bearer TOKEN" }`, which a bridge with tokens reads in preference to
   * `?access_token=` (and which, unlike the URL, no log or message shows). The handshake's own
   * headers (`Upgrade`, `Sec-WebSocket-*`) cannot be replaced.
   */
  headers?: Readonly<Record<string, string>>;
}
