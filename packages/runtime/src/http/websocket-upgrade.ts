/**
 * `GET …/ws/services/{service}` with `Upgrade: websocket`: the checks every request gets, then a
 * connection to the service, and only then the WebSocket. When the service cannot be reached the
 * upgrade is refused with 502 and no WebSocket is made, as UAPI.20 asks.
 *
 * Node hands every request with `Connection: Upgrade` to this handler, those asking for another
 * protocol too (`Upgrade: h2c`): those are answered as plain HTTP/1.1 requests (ignored-upgrade.ts).
 */
import { STATUS_CODES, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { BridgeContext } from "./context.js";
import { HttpFailure } from "./failure.js";
import { matchRoute, parseTarget } from "./routes.js";
import { answerIgnoringUpgrade } from "./ignored-upgrade.js";
import { checkHost, checkOrigin, checkToken } from "./security.js";
import { relayWebSocket } from "./websocket-relay.js";

/** The handler of a server's `upgrade` event. */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Makes the `upgrade` handler of one bridge. */
export function upgradeHandler(context: BridgeContext): UpgradeHandler {
  const server = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    // Compression would let a small frame become a large message: left off.
    perMessageDeflate: false,
    // A largest message with its NUL fits in one frame; longer messages come in several.
    maxPayload: context.settings.maxMessageSize + 1,
    // Text frames are bytes of the stream like binary ones, and may end inside a character.
    skipUTF8Validation: true,
  });
  const answerPlainly = answerIgnoringUpgrade(context);
  return (request, socket, head) => {
    // Until the WebSocket takes the socket over, its errors (a reset) are the end of it, no more.
    socket.on("error", () => socket.destroy());
    if (request.headers.upgrade?.trim().toLowerCase() !== "websocket") {
      // HTTP lets a server ignore an upgrade it does not want (RFC 9110, 7.8).
      answerPlainly(request, socket, head);
      return;
    }
    upgrade(context, server, request, socket, head).catch((error: unknown) => {
      context.settings.log("varlink http bridge: a WebSocket upgrade failed", error);
      refuse(socket, new HttpFailure(500, "the bridge failed"));
    });
  };
}

async function upgrade(
  context: BridgeContext,
  server: WebSocketServer,
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  let service: Duplex;
  try {
    checkHost(request, context.settings.allowHosts);
    checkOrigin(request, context.settings.allowOrigins);
    const url = parseTarget(request.url);
    checkToken(request, context.settings.tokens, url.searchParams);
    const match = matchRoute(url.pathname, context.settings.basePath);
    if (match === undefined) throw new HttpFailure(404, "no such route");
    if (match.route.kind !== "websocket") throw new HttpFailure(400, "only the ws/services/{service} routes upgrade to WebSocket");
    if (request.method !== "GET") throw new HttpFailure(405, "a WebSocket upgrade is a GET request", { Allow: "GET" });
    service = await context.targets.open(match.route.service);
  } catch (error) {
    if (!(error instanceof HttpFailure)) throw error;
    refuse(socket, error);
    return;
  }
  context.resources.addStream(service);
  if (socket.destroyed || context.resources.closed) {
    service.destroy();
    return;
  }
  // A handshake that ws refuses (a bad key) destroys the socket without calling back.
  const abandoned = (): void => {
    service.destroy();
  };
  socket.once("close", abandoned);
  server.handleUpgrade(request, socket, head, (websocket) => {
    socket.off("close", abandoned);
    context.resources.addWebSocket(websocket);
    relayWebSocket(websocket, service, context.settings.maxMessageSize);
  });
}

/** Answers the upgrade request with a failure instead of a WebSocket, and closes the connection. */
function refuse(socket: Duplex, failure: HttpFailure): void {
  if (socket.destroyed) return;
  const body = Buffer.from(failure.body, "utf8");
  const headers: Record<string, string> = {
    Connection: "close",
    "Content-Type": "application/json",
    "Content-Length": String(body.length),
    ...failure.headers,
  };
  const head = [`HTTP/1.1 ${failure.status} ${STATUS_CODES[failure.status] ?? ""}`];
  for (const [name, value] of Object.entries(headers)) head.push(`${name}: ${value}`);
  socket.once("finish", () => socket.destroy());
  socket.end(Buffer.concat([Buffer.from(`${head.join("\r\n")}\r\n\r\n`, "latin1"), body]));
}
