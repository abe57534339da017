/**
 * What every request handler of one bridge shares.
 */
import type { ServerResponse } from "node:http";
import { ServiceExchange } from "./service-call.js";
import type { ServiceTargets } from "./service-targets.js";
import type { Resources } from "./resources.js";
import type { BridgeSettings } from "./settings.js";

/** One bridge's settings, services and open things. */
export interface BridgeContext {
  readonly settings: BridgeSettings;
  readonly targets: ServiceTargets;
  readonly resources: Resources;
}

/**
 * A new connection to the service `name`, for one exchange; the bridge's `close()` closes it,
 * and so does the end of `response` (see ServiceExchange.bindTo): a client that goes away, even
 * while the connection was being opened, leaves no connection behind.
 * @throws HttpFailure 404 for an unknown service, 502 when it cannot be reached.
 */
export async function openExchange(context: BridgeContext, name: string, response: ServerResponse): Promise<ServiceExchange> {
  const stream = await context.targets.open(name);
  context.resources.addStream(stream);
  const exchange = new ServiceExchange(`the service ${name}`, stream, context.settings.maxMessageSize, context.settings.log);
  exchange.bindTo(response);
  return exchange;
}
