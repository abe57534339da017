/**
 * The introspection routes: `GET …/services` (the names), `GET …/services/{service}` (its
 * `GetInfo`), `GET …/services/{service}/{interface}` (the interface's method names, from the
 * definition `GetInterfaceDescription` returns).
 */
import type { ServerResponse } from "node:http";
import { isInterfaceName } from "../idl/names.js";
import { parseInterface } from "../idl/parser.js";
import { parseJson } from "../protocol/parse-json.js";
import { openExchange, type BridgeContext } from "./context.js";
import { gatewayFailure, HttpFailure } from "./failure.js";
import { errorBody, sendJson } from "./responses.js";
import { callText, type ServiceReply } from "./service-call.js";
import { errorStatus } from "./status.js";

const SERVICE = "org.varlink.service";

/** `GET …/services`: `{"services": [...]}`. */
export async function handleServices(context: BridgeContext, response: ServerResponse): Promise<void> {
  sendJson(response, 200, JSON.stringify({ services: await context.targets.names() }));
}

/** `GET …/services/{service}`: the parameters of the service's `GetInfo`, as it sent them. */
export async function handleServiceInfo(context: BridgeContext, response: ServerResponse, service: string): Promise<void> {
  const reply = await callOnce(context, response, service, `${SERVICE}.GetInfo`, "{}");
  if (reply.error !== undefined) sendJson(response, errorStatus(reply.error), errorBody(reply.error, reply.parameters));
  else sendJson(response, 200, reply.parameters);
}

/** `GET …/services/{service}/{interface}`: `{"methods": [...]}`, unqualified, in declaration order. */
export async function handleInterfaceMethods(
  context: BridgeContext,
  response: ServerResponse,
  service: string,
  interfaceName: string,
): Promise<void> {
  // Refused here, before the service is asked: see the InvalidParameter below.
  if (!isInterfaceName(interfaceName)) {
    throw new HttpFailure(400, `${JSON.stringify(interfaceName)} is not an interface name such as org.example.more`);
  }
  const reply = await callOnce(
    context,
    response,
    service,
    `${SERVICE}.GetInterfaceDescription`,
    JSON.stringify({ interface: interfaceName }),
  );
  if (reply.error !== undefined) {
    // Some services (the Go implementation) say InvalidParameter(interface) for an interface they
    // lack. The client did not write that parameter, and the name is well-formed (checked above),
    // so it can only mean that the interface is not there, and the client is told so. For a
    // malformed name InvalidParameter would be the truth: that is why such a name is refused
    // above, with 400, rather than turned into a 404 here.
    if (reply.error === `${SERVICE}.InvalidParameter` && parameterOf(reply.parameters) === "interface") {
      sendJson(response, 404, errorBody(`${SERVICE}.InterfaceNotFound`, JSON.stringify({ interface: interfaceName })));
    } else {
      sendJson(response, errorStatus(reply.error), errorBody(reply.error, reply.parameters));
    }
    return;
  }
  const description = (parseJson(reply.parameters) as { description?: unknown }).description;
  if (typeof description !== "string") {
    throw gatewayFailure(`the service ${service} answered GetInterfaceDescription without a string "description"`);
  }
  let methods: string[];
  try {
    methods = [...parseInterface(description).methods.keys()];
  } catch (error) {
    throw gatewayFailure(`the service ${service} describes ${interfaceName} in text that does not parse: ${(error as Error).message}`, error);
  }
  sendJson(response, 200, JSON.stringify({ methods }));
}

/** Makes one call on a connection of its own and returns its reply. */
async function callOnce(
  context: BridgeContext,
  response: ServerResponse,
  service: string,
  method: string,
  parameters: string,
): Promise<ServiceReply> {
  const exchange = await openExchange(context, service, response);
  try {
    await exchange.send(callText(method, parameters));
    return await exchange.next();
  } finally {
    exchange.close();
  }
}

function parameterOf(parameters: string): unknown {
  return (parseJson(parameters) as { parameter?: unknown }).parameter;
}
