/**
 * Who may use the bridge: bearer tokens, browser origins (with CORS), the `Host` a bridge on
 * loopback answers (against DNS rebinding), and the warning for a bridge that anyone on the
 * network could use.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isIP, isIPv6 } from "node:net";
import { HttpFailure } from "./failure.js";

/** The digests tokens are compared by: equal lengths, so that the comparison takes constant time. */
export function tokenDigests(tokens: readonly string[]): Buffer[] {
  return tokens.map(digest);
}

function digest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

/** `Authorization: Bearer TOKEN` (the scheme is case-insensitive, RFC 7235). */
const BEARER = /^Bearer +([^\s]+) *$/i;

/**
 * Refuses a request without an accepted token: 401 with `WWW-Authenticate: Bearer`.
 * `query` is the request's query, read for `access_token` only for WebSocket upgrades, since
 * browsers cannot set headers on those.
 * @throws HttpFailure (401)
 */
export function checkToken(
  request: IncomingMessage,
  tokens: readonly Buffer[] | undefined,
  query: URLSearchParams | undefined,
): void {
  if (tokens === undefined) return;
  const header = request.headers.authorization;
  const given = header === undefined ? query?.get("access_token") ?? undefined : BEARER.exec(header)?.[1];
  if (given === undefined || given === "") {
    throw new HttpFailure(401, "a bearer token is required", { "WWW-Authenticate": 'Bearer realm="varlink"' });
  }
  const candidate = digest(given);
  // Every token is compared, so the time taken does not tell which one came close.
  let accepted = false;
  for (const token of tokens) accepted = timingSafeEqual(candidate, token) || accepted;
  if (!accepted) {
    throw new HttpFailure(401, "the bearer token is not accepted", {
      "WWW-Authenticate": 'Bearer realm="varlink", error="invalid_token"',
    });
  }
}

/**
 * The request's `Origin` when it is an allowed one, undefined when it has none.
 * @throws HttpFailure (403) when it has one that is not allowed: a page of another site must not
 * drive the services through the user's browser.
 */
export function checkOrigin(request: IncomingMessage, allowed: ReadonlySet<string>): string | undefined {
  const origin = request.headers.origin;
  if (origin === undefined) return undefined;
  if (!allowed.has(origin)) throw new HttpFailure(403, `requests from origin ${JSON.stringify(origin)} are not allowed`);
  return origin;
}

/**
 * `value` as browsers write an origin in `Origin`: `new URL(value).origin`, so scheme and host in
 * lower case and without the scheme's default port or a trailing slash. Undefined when `value` is
 * not an origin: not an http(s) URL, or one with a user, a path, a query or a fragment. The CLI's
 * `--allow-origin` (packages/cli, http-bridge-options.ts) applies the same rules; it keeps its own
 * copy so that every CLI command does not load the HTTP server to parse its options.
 */
export function normalizeOrigin(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  const plain =
    (url.protocol === "http:" || url.protocol === "https:") &&
    url.username === "" &&
    url.password === "" &&
    url.pathname === "/" &&
    url.search === "" &&
    url.hash === "" &&
    !value.endsWith("?") &&
    !value.endsWith("#");
  return plain ? url.origin : undefined;
}

/** A `Host` header: a name or IPv4 address, or an IPv6 address in brackets; then maybe a port. */
const HOST_HEADER = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9_.~%-]+))(?::(\d{0,5}))?$/;

/**
 * The host of a `Host` header, compared as {@link normalizeHost} writes hosts: lower case,
 * without brackets, port or a final dot. Undefined when the header is not a host.
 */
function hostOfHeader(header: string): string | undefined {
  const match = HOST_HEADER.exec(header.trim());
  if (match === null) return undefined;
  const [, v6, name] = match;
  if (v6 !== undefined) return isIPv6(v6) ? v6.toLowerCase() : undefined;
  return name === undefined || name === "" ? undefined : name.toLowerCase().replace(/\.$/, "");
}

/**
 * An entry of `allowHosts` (`--allow-host`) as the `Host` check compares it: a host name or IP
 * address without a port (an IPv6 address with or without brackets), in lower case and without a
 * final dot. Undefined when it is not one. The CLI's `--allow-host` applies the same rules.
 */
export function normalizeHost(value: string): string | undefined {
  if (isIPv6(value)) return value.toLowerCase();
  if (/^\[[^\]]*\]$/.test(value)) return isIPv6(value.slice(1, -1)) ? value.slice(1, -1).toLowerCase() : undefined;
  if (!/^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(value) || value.includes("..")) return undefined;
  return value.toLowerCase().replace(/\.$/, "");
}

/**
 * Refuses a request whose `Host` is neither a loopback name or address nor in `allowed`: 403.
 * `allowed` is undefined when the bridge listens on an address other machines can reach; no
 * `Host` is checked then, since which names reach the bridge is the deployment's to decide.
 *
 * A bridge on loopback is safe from other machines but not from the pages a browser on this
 * machine opens: a page of `evil.example` whose name then resolves to 127.0.0.1 (DNS rebinding)
 * is same-origin with it, so the browser sends no `Origin` where the origin check would stop
 * it. Its requests do carry `Host: evil.example`, though, and that is what is refused here.
 * A request without `Host` (HTTP/1.0) passes: browsers always send one.
 * @throws HttpFailure (403)
 */
export function checkHost(request: IncomingMessage, allowed: ReadonlySet<string> | undefined): void {
  if (allowed === undefined) return;
  const header = request.headers.host;
  if (header === undefined) return;
  const host = hostOfHeader(header);
  if (host !== undefined && (isLoopback(host) || allowed.has(host))) return;
  throw new HttpFailure(
    403,
    `requests for the host ${JSON.stringify(header)} are not allowed: a bridge listening on loopback answers only loopback ` +
      "names and addresses, and the hosts given with the option allowHosts (varlink http-bridge --allow-host HOST)",
  );
}

/** The methods the bridge's routes take, as a preflight answers them. */
const CORS_METHODS = "GET, HEAD, POST";
/** The request headers a page may send: those the bridge reads. */
const CORS_HEADERS = "Authorization, Content-Type, Accept";

/** Lets an allowed origin's page read the response. */
export function allowOrigin(response: ServerResponse, origin: string | undefined): void {
  if (origin === undefined) return;
  response.setHeader("Access-Control-Allow-Origin", origin);
  response.setHeader("Vary", "Origin");
}

/** Answers an `OPTIONS` request: a CORS preflight when it comes from an allowed origin. */
export function answerOptions(response: ServerResponse, origin: string | undefined): void {
  response.setHeader("Allow", `${CORS_METHODS}, OPTIONS`);
  if (origin !== undefined) {
    response.setHeader("Access-Control-Allow-Methods", CORS_METHODS);
    response.setHeader("Access-Control-Allow-Headers", CORS_HEADERS);
    response.setHeader("Access-Control-Max-Age", "600");
  }
  response.writeHead(204);
  response.end();
}

/** Whether `host` can only be reached from this machine. */
export function isLoopback(host: string): boolean {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (bare === "localhost" || bare.endsWith(".localhost")) return true;
  switch (isIP(bare)) {
    case 4:
      return bare.startsWith("127.");
    case 6:
      return bare === "::1" || /^::ffff:127\./i.test(bare);
    default:
      return false;
  }
}

/**
 * The warning for a bridge on a host other machines can reach, when clients are not
 * authenticated or tokens travel in clear text; undefined when there is nothing to warn about.
 */
export function exposureWarning(
  host: string,
  options: { readonly tls: boolean; readonly clientCertificates: boolean; readonly tokens: boolean },
): string | undefined {
  if (isLoopback(host)) return undefined;
  if (!options.tokens && !options.clientCertificates) {
    return `varlink http bridge: listening on ${host}, which is not loopback, without tokens or client certificates: anyone who can reach it can call the services`;
  }
  if (!options.tls) {
    return `varlink http bridge: listening on ${host}, which is not loopback, without TLS: tokens and calls travel in clear text`;
  }
  return undefined;
}
