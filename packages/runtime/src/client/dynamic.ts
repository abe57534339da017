/**
 * The dynamic client: learns an interface from the service itself (as the Python binding's
 * `Client.open()` does) and calls it without generated code. It is the typed client over a
 * descriptor built at run time, with parameters checked against the interface before anything
 * is written.
 */
import { ProtocolError } from "../errors.js";
import type { InterfaceDescriptor, MethodDescriptor } from "../interface/descriptor.js";
import { parseInterface } from "../idl/parser.js";
import type { InterfaceDefinition } from "../idl/model.js";
import type { CallOptions, JsonObject } from "../types.js";
import type { Connection } from "./connection.js";
import { createClient } from "./create-client.js";
import type { Client } from "./create-client.js";
import { getInterfaceDescription } from "./service-info.js";

// prettier-ignore
type UppercaseLetter =
  | "A" | "B" | "C" | "D" | "E" | "F" | "G" | "H" | "I" | "J" | "K" | "L" | "M" | "N" | "O"
  | "P" | "Q" | "R" | "S" | "T" | "U" | "V" | "W" | "X" | "Y" | "Z";

/**
 * The methods of an interface known only at run time, by their varlink names (which start with
 * a capital, so they never meet a client's own `close` or `connection`).
 */
export type DynamicMethods = {
  readonly [method: `${UppercaseLetter}${string}`]: MethodDescriptor<JsonObject, JsonObject, "any">;
};

/** A descriptor built at run time from an interface definition. */
export type DynamicDescriptor = InterfaceDescriptor<DynamicMethods>;

/**
 * A client of an interface known only at run time: `client.Ping({ ping })`,
 * `client.TestMore?.more({ n })`. A method the interface lacks is `undefined`.
 */
export type DynamicClient = Client<DynamicDescriptor>;

/** Options of {@link openInterface} and {@link interfaceDescriptor}. */
export interface DynamicOptions {
  /**
   * The `int` fields that are `bigint`s, losslessly: `true` for all of them, or selectors
   * (`"Type.field"`, `"Method.field"`, …) as in `defineInterface`. Default: none; an `int` a
   * number cannot hold exactly is then refused.
   */
  readonly bigint?: true | readonly string[];
}

/** The descriptor of a parsed interface: its methods by their varlink names, no error classes. */
export function interfaceDescriptor(
  definition: InterfaceDefinition,
  options: DynamicOptions = {},
): DynamicDescriptor {
  const methods: Record<string, MethodDescriptor<JsonObject, JsonObject, "any">> = {};
  for (const name of definition.methods.keys()) methods[name] = { name };
  return {
    name: definition.name,
    description: definition.source,
    methods,
    errors: [],
    bigint: options.bigint,
    definition,
  };
}

/**
 * Asks the service behind `connection` for `interfaceName` with
 * `org.varlink.service.GetInterfaceDescription`, parses it and returns a client of it that checks
 * parameters against the interface before sending.
 *
 * @throws InterfaceNotFoundError when the service does not implement it (whichever way it says so).
 * @throws VarlinkSyntaxError when the description does not parse.
 * @throws ProtocolError when the service describes a different interface.
 */
export async function openInterface(
  connection: Connection,
  interfaceName: string,
  options: CallOptions & DynamicOptions = {},
): Promise<DynamicClient> {
  const description = await getInterfaceDescription(connection, interfaceName, callOptions(options));
  const definition = parseInterface(description, { file: `<${interfaceName}>` });
  if (definition.name !== interfaceName) {
    throw new ProtocolError(
      `asked for the description of ${interfaceName} and got ${definition.name}`,
    );
  }
  const dynamic = options.bigint === undefined ? {} : { bigint: options.bigint };
  return createClient(interfaceDescriptor(definition, dynamic), connection, { validateParameters: true });
}

/** The options that bound the description's call. */
function callOptions(options: CallOptions): CallOptions {
  return {
    ...(options.signal !== undefined && { signal: options.signal }),
    ...(options.timeout !== undefined && { timeout: options.timeout }),
  };
}
