/**
 * Reading interface descriptions from the services the command line names, for the commands
 * that show them (`introspect`) or what they hold (`list-methods`).
 */
import {
  getInfo,
  getInterfaceDescription,
  InterfaceNotFoundError,
  VarlinkError,
  type Connection,
} from "@varlink-ts/runtime";
import { fixedEndpoint, type GlobalOptions } from "./address-options.js";
import { openConnection, openService } from "./connection.js";
import { EXIT_FAILED } from "./exit-codes.js";
import { CommandFailure, replyFailure, usageError } from "./failures.js";
import { parseInterfaceArguments } from "./targets.js";

export const SERVICE_INTERFACE = "org.varlink.service";

/** One description as the service sent it. */
export interface Description {
  readonly name: string;
  readonly text: string;
}

/**
 * Hands each description the targets name (`ADDRESS [INTERFACE...]`, `ADDRESS/INTERFACE`, or
 * `INTERFACE...` through `--bridge`, `--activate` or the resolver) to `take`, in order, as the
 * service sent it. Without an interface named, every interface the service lists, with
 * `org.varlink.service` only when `withServiceInterface` (varlinkctl's `list-methods` lists it,
 * `introspect` leaves it out).
 */
export async function readDescriptions(
  globals: GlobalOptions,
  targets: string[],
  withServiceInterface: boolean,
  take: (description: Description) => void,
): Promise<void> {
  const { address, interfaces } = parseInterfaceArguments(targets);
  const endpoint = fixedEndpoint(globals, address);
  if (endpoint === undefined) {
    if (interfaces.length === 0) {
      throw usageError("missing ADDRESS or INTERFACE (or --bridge COMMAND, or --activate COMMAND)");
    }
    // Without an address each interface may live in another service: ask the resolver for each.
    for (const name of interfaces) {
      const connection = await openService(globals, undefined, name, EXIT_FAILED);
      try {
        take(await describe(connection.client, name, `the service of ${name}`));
      } finally {
        connection.close();
      }
    }
    return;
  }
  const connection = await openConnection(endpoint);
  try {
    const names =
      interfaces.length > 0 ? interfaces : await listedInterfaces(connection.client, withServiceInterface);
    for (const name of names) {
      take(await describe(connection.client, name, endpoint.label));
    }
  } catch (error) {
    throw connection.relabel(error);
  } finally {
    connection.close();
  }
}

async function listedInterfaces(client: Connection, withServiceInterface: boolean): Promise<string[]> {
  try {
    const { interfaces } = await getInfo(client);
    return withServiceInterface ? interfaces : interfaces.filter((name) => name !== SERVICE_INTERFACE);
  } catch (error) {
    if (error instanceof VarlinkError) throw replyFailure("org.varlink.service.GetInfo", error);
    throw error;
  }
}

/** The description of one interface, as the service sent it. */
async function describe(client: Connection, name: string, label: string): Promise<Description> {
  try {
    return { name, text: await getInterfaceDescription(client, name) };
  } catch (error) {
    if (error instanceof InterfaceNotFoundError) {
      throw new CommandFailure(EXIT_FAILED, `${label} does not implement ${name}`, { cause: error });
    }
    if (error instanceof VarlinkError) {
      throw replyFailure("org.varlink.service.GetInterfaceDescription", error);
    }
    throw error;
  }
}
