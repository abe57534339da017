/**
 * Who may use the bridge: bearer tokens, browser origins (with CORS), and the warning for a
 * bridge that anyone on the network could use.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isIP } from "node:net";
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
