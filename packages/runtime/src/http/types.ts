/**
 * The public shapes of the HTTP bridge: what `serveHttp` is told and what it returns.
 */
import type { VarlinkService } from "../server/service.js";
import type { ServiceLogger } from "../server/types.js";
import type { Address } from "../transport/address.js";

/** Where the bridge finds one service: an address to connect to, or a service of this process. */
export type HttpServiceTarget = string | Address | VarlinkService;

/** Options of {@link serveHttp}. Every one is optional. */
export interface HttpBridgeOptions {
  /**
   * Host to bind. Default `"127.0.0.1"`: loopback only unless told otherwise. On any other host
   * without client authentication (`tokens` or `tls.ca`), one warning is logged at start.
   */
  host?: string;
  /** Port; 0 (the default) picks a free one, which {@link HttpBridge.port} then tells. */
  port?: number;
  /**
   * Path prefix of every route, default `"/"`: with `"/waldo/"` a call is
   * `POST /waldo/call/METHOD`. A missing leading or trailing slash is added.
   */
  basePath?: string;
  /**
   * Services by the name URLs use (`org.example.more`): an address string or object (`unix:`,
   * `tcp:`, `exec:`, … as `openStream` and `connect` accept them), or a `VarlinkService` of this
   * process, served over an in-memory stream pair through `service.serve(stream)`. Each request
   * of the simple mode, and each WebSocket, gets a connection of its own.
   */
  services?: Readonly<Record<string, HttpServiceTarget>>;
  /**
   * Names not in `services` are looked up through this resolver (`org.varlink.resolver`): `true`
   * for the system's (`unix:/run/org.varlink.resolver`), or its address. Only `unix:` and `tcp:`
   * answers are used, as with `resolve`. Default: no resolver, only `services` are served.
   */
  resolver?: boolean | string | Address;
  /**
   * Serve HTTPS (and WSS) with this certificate and key. With `ca`, every client must present a
   * certificate signed by it (mutual TLS, the mechanism the specification defines); others are
   * refused during the TLS handshake. PEM text or Buffers.
   */
  tls?: {
    readonly cert: string | Buffer;
    readonly key: string | Buffer;
    readonly ca?: string | Buffer;
  };
  /**
   * Bearer tokens accepted: `Authorization: Bearer TOKEN` on every request, or, for WebSocket
   * upgrades only (browsers cannot set headers there), the query parameter `access_token=TOKEN`.
   * Requests without a valid one get 401. Compared in constant time. Default: no tokens needed.
   */
  tokens?: readonly string[];
  /**
   * Origins whose browser requests and WebSocket upgrades are accepted (`"http://localhost:5173"`),
   * compared as browsers write them: scheme and host in lower case, without the default port or a
   * trailing slash (`"HTTPS://App.example:443/"` is `"https://app.example"`). A request whose
   * `Origin` header is not listed is refused with 403; requests without `Origin` (curl, Node,
   * other programs) pass. CORS preflights (`OPTIONS`) from listed origins are answered. Default:
   * none, so browsers of other origins get nothing. A value that is not an origin (a path, a
   * query, a scheme other than http and https) is a TypeError.
   */
  allowOrigins?: readonly string[];
  /**
   * Host names (or IP addresses) a request's `Host` header may name, besides loopback ones, when
   * the bridge listens on loopback (`"bridge.example"`, no port: any port is accepted; compared
   * without regard to case). On loopback every other `Host` is refused with 403, HTTP requests and
   * WebSocket upgrades alike: a page whose name an attacker points at 127.0.0.1 (DNS rebinding)
   * gets nothing. Loopback names are `localhost`, `*.localhost`, `127.0.0.0/8` and `[::1]`. Not
   * checked on other hosts: there, which names reach the bridge is the deployment's to decide.
   * Default: none.
   */
  allowHosts?: readonly string[];
  /**
   * The largest request body and the largest varlink message relayed either way, in bytes.
   * Default `DEFAULT_MAX_MESSAGE_SIZE` (16 MiB). A bigger body gets 413; a bigger message on a
   * WebSocket closes it with 1009.
   */
  maxMessageSize?: number;
  /** Where problems are logged. Default: `console.error`. */
  log?: ServiceLogger;
}

/** A running bridge, from {@link serveHttp}. */
export interface HttpBridge {
  /** The base URL, with the base path: `"http://127.0.0.1:41234/"`. */
  readonly url: string;
  /** The port it listens on (the one picked, when `port` was 0). */
  readonly port: number;
  /**
   * Stops listening and closes every HTTP and WebSocket connection and every connection to a
   * service. Services of this process given in `services` are left running: they are yours.
   * Calling it again returns the same promise.
   */
  close(): Promise<void>;
  /** `await using bridge = await serveHttp(...)` closes it at the end of the block. */
  [Symbol.asyncDispose](): Promise<void>;
}
