/**
 * Calls to `org.varlink.service`, which every varlink service answers.
 */
import { InterfaceNotFoundError, InvalidParameterError, ProtocolError } from "../errors.js";
import type { CallOptions, JsonObject } from "../types.js";
import type { Connection } from "./connection.js";

/** The reply of `org.varlink.service.GetInfo`. */
export interface GetInfoReply {
  vendor: string;
  product: string;
  version: string;
  url: string;
  /** Every interface the service implements, `org.varlink.service` included. */
  interfaces: string[];
}

/**
 * Asks a service who it is and which interfaces it implements.
 * @throws ProtocolError when the reply does not have the declared fields.
 */
export async function getInfo(client: Connection, options?: CallOptions): Promise<GetInfoReply> {
  const reply = await client.call("org.varlink.service.GetInfo", {}, options);
  for (const field of ["vendor", "product", "version", "url"] as const) {
    if (typeof reply[field] !== "string") {
      throw new ProtocolError(`GetInfo reply has no string "${field}"`);
    }
  }
  const interfaces = reply.interfaces;
  if (!Array.isArray(interfaces) || !interfaces.every((name) => typeof name === "string")) {
    throw new ProtocolError('GetInfo reply has no string array "interfaces"');
  }
  return reply as unknown as GetInfoReply;
}

/**
 * The IDL text of one interface of a service.
 *
 * Peers disagree on how to say that an interface is unknown: some answer `InterfaceNotFound`,
 * others `InvalidParameter("interface")`. Both reject here with `InterfaceNotFoundError`.
 */
export async function getInterfaceDescription(
  client: Connection,
  interfaceName: string,
  options?: CallOptions,
): Promise<string> {
  let reply: JsonObject;
  try {
    reply = await client.call(
      "org.varlink.service.GetInterfaceDescription",
      { interface: interfaceName },
      options,
    );
  } catch (error) {
    if (error instanceof InvalidParameterError && error.parameters.parameter === "interface") {
      throw new InterfaceNotFoundError({ interface: interfaceName }, { cause: error });
    }
    throw error;
  }
  if (typeof reply.description !== "string") {
    throw new ProtocolError('GetInterfaceDescription reply has no string "description"');
  }
  return reply.description;
}
