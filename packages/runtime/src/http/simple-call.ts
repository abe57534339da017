/**
 * `POST …/call/{method}` and `POST …/call/{service}/{method}`: one HTTP request, one varlink call
 * on a connection of its own. The body is the parameters; the answer is the reply's parameters
 * (200), an error reply (`{"error", "parameters"}`, status by errorStatus), 204 for a oneway
 * call, or a JSON text sequence when the client accepts one (json-seq.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { isInterfaceName, isMemberName } from "../idl/names.js";
import { openExchange, type BridgeContext } from "./context.js";
import { gatewayFailure, HttpFailure } from "./failure.js";
import { streamReplies, wantsJsonSeq } from "./json-seq.js";
import { parametersJson, readBody } from "./request-body.js";
import { errorBody, sendJson, sendNoContent } from "./responses.js";
import type { Route } from "./routes.js";
import { callText } from "./service-call.js";
import { errorStatus } from "./status.js";

/** Answers a call route. */
export async function handleCall(
  context: BridgeContext,
  request: IncomingMessage,
  response: ServerResponse,
  route: Extract<Route, { kind: "call" }>,
  query: URLSearchParams,
): Promise<void> {
  const { method } = route;
  const interfaceName = interfaceOf(method);
  // The path names the service when it has three segments; `?service=` is for the short form.
  const service = route.service ?? query.get("service") ?? interfaceName;
  if (service === "") throw new HttpFailure(400, "the service parameter is empty");
  const oneway = onewayFlag(query);
  const streaming = !oneway && wantsJsonSeq(request.headers.accept);
  // The body is checked before a connection is opened for it.
  const parameters = parametersJson(await readBody(request, context.settings.maxMessageSize));
  const exchange = await openExchange(context, service, response);
  if (streaming) {
    await streamReplies(response, exchange, callText(method, parameters, "more"));
    return;
  }
  if (oneway) {
    // Bound to the response until the call is written: a service that stops reading leaves the
    // write pending, and the connection must go with the client that gives up waiting.
    await exchange.send(callText(method, parameters, "oneway"));
    // Then it outlives the response: ended, not destroyed, so that the service reads the call
    // before it sees the connection close (finish() destroys it if the service takes too long).
    exchange.release();
    exchange.finish();
    sendNoContent(response);
    return;
  }
  await exchange.send(callText(method, parameters));
  const reply = await exchange.next();
  exchange.close();
  if (reply.error !== undefined) {
    sendJson(response, errorStatus(reply.error), errorBody(reply.error, reply.parameters));
  } else if (reply.continues) {
    throw gatewayFailure(`the service ${service} answered ${method} with "continues", which only a call with more may get`);
  } else {
    sendJson(response, 200, reply.parameters);
  }
}

/**
 * The interface of a fully qualified method name.
 * @throws HttpFailure (400) when `method` is not one.
 */
function interfaceOf(method: string): string {
  const dot = method.lastIndexOf(".");
  const interfaceName = method.slice(0, Math.max(dot, 0));
  if (dot === -1 || !isInterfaceName(interfaceName) || !isMemberName(method.slice(dot + 1))) {
    throw new HttpFailure(400, `${JSON.stringify(method)} is not a fully qualified method name such as org.example.ping.Ping`);
  }
  return interfaceName;
}

/**
 * `?oneway=true`. UAPI.20 has clients send it only when true; `false` is taken too.
 * @throws HttpFailure (400) for any other value.
 */
function onewayFlag(query: URLSearchParams): boolean {
  const value = query.get("oneway");
  if (value === null || value === "false") return false;
  if (value === "true") return true;
  throw new HttpFailure(400, `oneway must be true or false, got ${JSON.stringify(value)}`);
}
