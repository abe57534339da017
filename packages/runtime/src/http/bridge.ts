/**
 * `serveHttp`: the HTTP server of the bridge, its start and its close.
 */
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { asyncDispose } from "../dispose.js";
import type { BridgeContext } from "./context.js";
import { requestHandler } from "./requests.js";
import { Resources } from "./resources.js";
import { exposureWarning } from "./security.js";
import { ServiceTargets } from "./service-targets.js";
import { settingsFrom } from "./settings.js";
import type { HttpBridge, HttpBridgeOptions } from "./types.js";
import { upgradeHandler } from "./websocket-upgrade.js";

/**
 * Serves varlink services over HTTP and WebSocket, as UAPI.20's "Transport: HTTP" describes:
 * calls as `POST …/call/METHOD` (replies streamed as `application/json-seq` on request),
 * introspection under `GET …/services`, and the raw protocol tunneled through
 * `GET …/ws/services/SERVICE`.
 *
 * Resolves once it listens.
 * @throws TypeError (as a rejection) for invalid options.
 * @throws Error (as a rejection) from `listen`, such as `EADDRINUSE`.
 */
export async function serveHttp(options: HttpBridgeOptions = {}): Promise<HttpBridge> {
  const settings = settingsFrom(options);
  const context: BridgeContext = {
    settings,
    targets: new ServiceTargets(settings.services, settings.resolver, settings.log),
    resources: new Resources(),
  };
  const tls = settings.tls;
  const server: Server =
    tls === undefined
      ? createHttpServer()
      : createHttpsServer({
          cert: tls.cert,
          key: tls.key,
          ...(tls.ca === undefined ? {} : { ca: tls.ca, requestCert: true, rejectUnauthorized: true }),
        });
  // Every accepted connection, upgraded ones and TLS ones still in their handshake included.
  server.on("connection", (socket) => context.resources.addSocket(socket));
  server.on("request", requestHandler(context));
  server.on("upgrade", upgradeHandler(context));
  await listen(server, settings.port, settings.host);
  server.on("error", (error) => settings.log("varlink http bridge: the server failed", error));
  const warning = exposureWarning(settings.host, {
    tls: tls !== undefined,
    clientCertificates: tls?.ca !== undefined,
    tokens: settings.tokens !== undefined,
  });
  if (warning !== undefined) settings.log(warning);
  const port = (server.address() as AddressInfo).port;
  const scheme = tls === undefined ? "http" : "https";
  const host = settings.host.includes(":") && !settings.host.startsWith("[") ? `[${settings.host}]` : settings.host;
  return new RunningBridge(`${scheme}://${host}:${port}${settings.basePath}`, port, server, context);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

class RunningBridge implements HttpBridge {
  readonly url: string;
  readonly port: number;
  private readonly server: Server;
  private readonly context: BridgeContext;
  private closing: Promise<void> | undefined;

  constructor(url: string, port: number, server: Server, context: BridgeContext) {
    this.url = url;
    this.port = port;
    this.server = server;
    this.context = context;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.context.resources.closeAll();
    await closed;
  }

  declare [Symbol.asyncDispose]: () => Promise<void>;
}

if (asyncDispose !== undefined) {
  // Defined on the prototype rather than in the class: Node 20 before 20.4 has no Symbol.asyncDispose.
  Object.defineProperty(RunningBridge.prototype, asyncDispose, {
    value(this: RunningBridge): Promise<void> {
      return this.close();
    },
    writable: true,
    configurable: true,
  });
}
