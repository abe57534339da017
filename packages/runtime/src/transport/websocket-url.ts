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
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`invalid varlink address ${JSON.stringify(text)}: not a valid URL`);
  }
  const scheme = SCHEMES[url.protocol];
  if (scheme === undefined || !isWebSocketUrl(text)) {
    throw new TypeError(
      `invalid varlink address ${JSON.stringify(text)}: expected a ws://, wss://, http:// or https:// URL`,
    );
  }
  if (url.hash !== "") {
    throw new TypeError(`invalid varlink address ${JSON.stringify(text)}: a URL with a fragment`);
  }
  // A WebSocket handshake carries no user and password; a token goes in ?access_token=.
  if (url.username !== "" || url.password !== "") {
    throw new TypeError(
      `invalid varlink address ${JSON.stringify(text)}: credentials in the URL are not sent; use ?access_token=`,
    );
  }
  url.protocol = scheme;
  return url.href;
}
