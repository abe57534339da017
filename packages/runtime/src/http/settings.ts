/**
 * The bridge's options, checked and filled in once at start, so that a mistake in them is a
 * TypeError from `serveHttp` rather than a surprise on some later request.
 */
import { DEFAULT_RESOLVER } from "../client/resolver.js";
import { DEFAULT_MAX_MESSAGE_SIZE } from "../protocol/framing.js";
import type { VarlinkService } from "../server/service.js";
import type { ServiceLogger } from "../server/types.js";
import { toAddress, type Address } from "../transport/address.js";
import { isLoopback, normalizeHost, normalizeOrigin, tokenDigests } from "./security.js";
import type { HttpBridgeOptions, HttpServiceTarget } from "./types.js";

/** The options, checked, with their defaults. */
export interface BridgeSettings {
  readonly host: string;
  readonly port: number;
  /** Starts and ends with `/`. */
  readonly basePath: string;
  readonly services: ReadonlyMap<string, HttpServiceTarget>;
  readonly resolver: string | Address | undefined;
  readonly tls: HttpBridgeOptions["tls"];
  /** SHA-256 digests of the accepted tokens; undefined when none are needed. */
  readonly tokens: readonly Buffer[] | undefined;
  /** Origins as browsers write them (see normalizeOrigin). */
  readonly allowOrigins: ReadonlySet<string>;
  /**
   * The hosts a request's `Host` may name besides loopback ones (see normalizeHost); undefined
   * when the bridge does not listen on loopback, and `Host` is not checked.
   */
  readonly allowHosts: ReadonlySet<string> | undefined;
  readonly maxMessageSize: number;
  readonly log: ServiceLogger;
}

const defaultLog: ServiceLogger = (message, cause) => {
  if (cause === undefined) console.error(message);
  else console.error(message, cause);
};

/** Characters a base path may hold as written: those of a URL path, percent escapes included. */
const PATH_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;

/**
 * Checks `options` and fills in the defaults.
 * @throws TypeError naming the option that is wrong.
 */
export function settingsFrom(options: HttpBridgeOptions): BridgeSettings {
  const { host = "127.0.0.1", port = 0, maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE } = options;
  if (typeof host !== "string" || host === "") throw new TypeError("host must be a non-empty string");
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`port must be an integer from 0 to 65535, got ${String(port)}`);
  }
  if (!Number.isInteger(maxMessageSize) || maxMessageSize < 1) {
    throw new TypeError(`maxMessageSize must be a positive integer, got ${String(maxMessageSize)}`);
  }
  const tls = options.tls;
  if (tls !== undefined && (tls.cert === undefined || tls.key === undefined)) {
    throw new TypeError("tls needs both cert and key");
  }
  return {
    host,
    port,
    basePath: basePathFrom(options.basePath ?? "/"),
    services: servicesFrom(options.services ?? {}),
    resolver: resolverFrom(options.resolver),
    tls,
    tokens: tokensFrom(options.tokens),
    allowOrigins: originsFrom(options.allowOrigins ?? []),
    allowHosts: hostsFrom(options.allowHosts ?? [], isLoopback(host)),
    maxMessageSize,
    log: guarded(options.log ?? defaultLog),
  };
}

/** `log`, made unable to throw: a failing logger must not take a request, or the process, down. */
function guarded(log: ServiceLogger): ServiceLogger {
  return (message, cause) => {
    try {
      if (cause === undefined) log(message);
      else log(message, cause);
    } catch {
      // Nowhere left to report it.
    }
  };
}

function basePathFrom(basePath: string): string {
  if (typeof basePath !== "string" || !PATH_CHARS.test(basePath)) {
    throw new TypeError(`basePath must be a URL path such as "/waldo/", got ${JSON.stringify(basePath)}`);
  }
  let path = basePath.startsWith("/") ? basePath : `/${basePath}`;
  if (!path.endsWith("/")) path += "/";
  return path;
}

function servicesFrom(services: Readonly<Record<string, HttpServiceTarget>>): Map<string, HttpServiceTarget> {
  const map = new Map<string, HttpServiceTarget>();
  for (const [name, target] of Object.entries(services)) {
    // A name is one path segment of the URLs, so it cannot hold a slash.
    if (name === "" || name.includes("/")) {
      throw new TypeError(`service names must be non-empty and without "/", got ${JSON.stringify(name)}`);
    }
    if (typeof target === "string" || !isService(target)) {
      // Parsed now so that a typo is found at start; the string is kept for openStream.
      try {
        toAddress(target);
      } catch (error) {
        throw new TypeError(`the address of service ${name}: ${(error as Error).message}`, { cause: error });
      }
    }
    map.set(name, target);
  }
  return map;
}

/** Whether a target is a service of this process rather than an address object. */
export function isService(target: HttpServiceTarget): target is VarlinkService {
  // Duck-typed: another copy of the runtime makes services of another class.
  return typeof target === "object" && typeof (target as { serve?: unknown }).serve === "function";
}

function resolverFrom(resolver: HttpBridgeOptions["resolver"]): string | Address | undefined {
  if (resolver === undefined || resolver === false) return undefined;
  if (resolver === true) return DEFAULT_RESOLVER;
  try {
    toAddress(resolver);
  } catch (error) {
    throw new TypeError(`the resolver's address: ${(error as Error).message}`, { cause: error });
  }
  return resolver;
}

function tokensFrom(tokens: readonly string[] | undefined): readonly Buffer[] | undefined {
  if (tokens === undefined) return undefined;
  if (!Array.isArray(tokens) || tokens.length === 0) {
    throw new TypeError("tokens must be a non-empty array of strings (leave it out to need none)");
  }
  for (const token of tokens) {
    // An empty token would make `Authorization: Bearer ` pass.
    if (typeof token !== "string" || token === "" || /\s/.test(token)) {
      throw new TypeError("each token must be a non-empty string without whitespace");
    }
  }
  return tokenDigests(tokens);
}

function originsFrom(origins: readonly string[]): Set<string> {
  if (!Array.isArray(origins)) throw new TypeError("allowOrigins must be an array of origins");
  const set = new Set<string>();
  for (const origin of origins) {
    // As browsers write it, so that `https://App.example:443/` matches what they send.
    const normalized = typeof origin === "string" ? normalizeOrigin(origin) : undefined;
    if (normalized === undefined) {
      throw new TypeError(
        `allowOrigins: ${JSON.stringify(origin)} is not an origin: SCHEME://HOST[:PORT] with no path, such as https://example.org`,
      );
    }
    set.add(normalized);
  }
  return set;
}

function hostsFrom(hosts: readonly string[], loopback: boolean): Set<string> | undefined {
  if (!Array.isArray(hosts)) throw new TypeError("allowHosts must be an array of host names");
  const set = new Set<string>();
  for (const host of hosts) {
    const normalized = typeof host === "string" ? normalizeHost(host) : undefined;
    if (normalized === undefined) {
      throw new TypeError(`allowHosts: ${JSON.stringify(host)} is not a host name or IP address without a port, such as bridge.example`);
    }
    set.add(normalized);
  }
  // Checked, and then dropped, on other hosts too: a mistake is found before it matters.
  return loopback ? set : undefined;
}
