/**
 * The handler of every plain HTTP request: the host, origin and token checks, then the route.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { BridgeContext } from "./context.js";
import { ClientGone, HttpFailure } from "./failure.js";
import { handleInterfaceMethods, handleServiceInfo, handleServices } from "./introspection.js";
import { sendFailure, sendJson } from "./responses.js";
import { matchRoute, parseTarget } from "./routes.js";
import { allowOrigin, answerOptions, checkHost, checkOrigin, checkToken } from "./security.js";
import { handleCall } from "./simple-call.js";

/** The handler of a server's `request` event. */
export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

/** Makes the `request` handler of one bridge. */
export function requestHandler(context: BridgeContext): RequestHandler {
  return (request, response) => {
    handle(context, request, response).catch((error: unknown) => {
      if (error instanceof HttpFailure) {
        sendFailure(response, error);
        return;
      }
      // A client that went away (mid-body, or its socket failed) has nobody left to answer.
      if (error instanceof ClientGone || response.destroyed) return;
      // The path only: a query may hold a token.
      const path = (request.url ?? "").replace(/\?.*$/s, "");
      context.settings.log(`varlink http bridge: ${request.method ?? "?"} ${path} failed`, error);
      sendFailure(response, new HttpFailure(500, "the bridge failed"));
    });
  };
}

async function handle(context: BridgeContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const { settings } = context;
  checkHost(request, settings.allowHosts);
  const origin = checkOrigin(request, settings.allowOrigins);
  allowOrigin(response, origin);
  // A preflight never carries credentials, so it is answered before the token check.
  if (request.method === "OPTIONS") {
    answerOptions(response, origin);
    return;
  }
  checkToken(request, settings.tokens, undefined);
  const url = parseTarget(request.url);
  const match = matchRoute(url.pathname, settings.basePath);
  if (match === undefined) throw new HttpFailure(404, `no route ${url.pathname}`);
  const { route, methods } = match;
  if (!methods.includes(request.method ?? "")) {
    throw new HttpFailure(405, `${url.pathname} takes ${methods.join(" or ")}`, { Allow: methods.join(", ") });
  }
  switch (route.kind) {
    case "health":
      sendJson(response, 200, '{"status":"ok"}');
      return;
    case "services":
      await handleServices(context, response);
      return;
    case "service-info":
      await handleServiceInfo(context, response, route.service);
      return;
    case "interface-methods":
      await handleInterfaceMethods(context, response, route.service, route.interfaceName);
      return;
    case "call":
      await handleCall(context, request, response, route, url.searchParams);
      return;
    case "websocket":
      // A GET without `Upgrade: websocket` (those reach the upgrade handler instead).
      throw new HttpFailure(426, `${url.pathname} is a WebSocket endpoint`, { Upgrade: "websocket", Connection: "Upgrade" });
  }
}
