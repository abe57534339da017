/**
 * Inputs that are running services: `varlink-codegen unix:/run/x` asks the service for its
 * interfaces and generates from the descriptions it sends, exactly as from the files it was built
 * from. `ADDRESS/INTERFACE` (libvarlink's form, as `varlink introspect` takes it) names one
 * interface; a plain `ADDRESS` stands for every interface but `org.varlink.service`.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import {
  connect,
  ConnectionError,
  getInfo,
  getInterfaceDescription,
  InterfaceNotFoundError,
  ProtocolError,
  VarlinkError,
  type Connection,
} from "@varlink-ts/runtime";
import { isInterfaceName, parseInterface } from "@varlink-ts/runtime/idl";
import { parseAddress } from "@varlink-ts/runtime/transport";
import { parseInterfaceArguments } from "../varlink/targets.js";

/** How long one service may take to connect and send all its descriptions, by default. */
export const SERVICE_TIMEOUT_MS = 10_000;

const SERVICE_INTERFACE = "org.varlink.service";

/** One interface description a service sent. */
export interface ServiceSource {
  /** `org.example.more` */
  readonly interfaceName: string;
  /** The service's address as the input wrote it, without any `/INTERFACE`. */
  readonly address: string;
  /**
   * `org.example.more.varlink`: what the generator names the source in `@see` tags, so that the
   * output equals what the interface's file (as `varlink introspect --save` writes it) gives.
   */
  readonly path: string;
  /** The description exactly as the service sent it. */
  readonly source: string;
}

/** Options of {@link readServiceSources}. */
export interface ServiceInputOptions {
  /** Milliseconds each service has to connect and answer; {@link SERVICE_TIMEOUT_MS} by default. */
  readonly timeout?: number;
}

/**
 * Whether an input names a service rather than files: it starts with an address kind and a colon
 * (`unix:`, `tcp:`, `exec:`, ...) and no file or directory of that name exists. Kinds have at
 * least two letters, so a Windows drive (`c:\idl`) is never taken for one.
 */
export function isServiceInput(input: string, cwd: string): boolean {
  return /^[a-z][a-z0-9-]+:/.test(input) && !existsSync(path.resolve(cwd, input));
}

/**
 * Asks each service for the descriptions the inputs name. Inputs with the same address share one
 * connection; services are asked in parallel.
 *
 * @returns the descriptions, sorted by interface name.
 * @throws Error naming the input for an invalid address, an unreachable or failing service, an
 *   interface it does not implement, or one interface served at two addresses; the runtime's
 *   `VarlinkSyntaxError` (file `ADDRESS/INTERFACE`) for a description that does not parse.
 */
export async function readServiceSources(
  inputs: readonly string[],
  options: ServiceInputOptions = {},
): Promise<ServiceSource[]> {
  // address -> the interfaces named, or "all" as well when the address came without one.
  const wanted = new Map<string, { all: boolean; names: Set<string> }>();
  for (const input of inputs) {
    const { address, interfaces } = splitInput(input);
    try {
      parseAddress(address);
    } catch (error) {
      throw new Error((error as Error).message, { cause: error });
    }
    const entry = wanted.get(address) ?? { all: false, names: new Set<string>() };
    if (interfaces.length === 0) entry.all = true;
    for (const name of interfaces) entry.names.add(name);
    wanted.set(address, entry);
  }
  const timeout = options.timeout ?? SERVICE_TIMEOUT_MS;
  const read = await Promise.all(
    [...wanted].map(([address, { all, names }]) => readService(address, all, names, timeout)),
  );
  const byName = new Map<string, ServiceSource>();
  for (const source of read.flat()) {
    const earlier = byName.get(source.interfaceName);
    if (earlier !== undefined) {
      throw new Error(
        `interface ${source.interfaceName} is served twice: at ${earlier.address} and at ${source.address}; name one of them as ADDRESS/INTERFACE`,
      );
    }
    byName.set(source.interfaceName, source);
  }
  return [...byName.values()].sort((a, b) => (a.interfaceName < b.interfaceName ? -1 : 1));
}

/** `ADDRESS` or `ADDRESS/INTERFACE`, split as `varlink introspect` splits it. */
function splitInput(input: string): { address: string; interfaces: readonly string[] } {
  const { address = input, interfaces } = parseInterfaceArguments([input]);
  return { address, interfaces };
}

async function readService(
  address: string,
  all: boolean,
  named: ReadonlySet<string>,
  timeout: number,
): Promise<ServiceSource[]> {
  // One deadline for the whole exchange, so that a slow service cannot take `timeout` per call.
  const deadline = Date.now() + timeout;
  const left = (): number => Math.max(1, deadline - Date.now());
  let client: Connection;
  try {
    client = await connect(address, { timeout: left() });
  } catch (error) {
    throw serviceFailure(address, error);
  }
  try {
    const names = new Set(named);
    if (all) {
      const info = await getInfo(client, { timeout: left() });
      for (const name of info.interfaces) {
        if (name === SERVICE_INTERFACE) continue;
        // The name becomes a file name in the output: a service must not choose a path.
        if (!isInterfaceName(name)) {
          throw new ProtocolError(`GetInfo lists ${JSON.stringify(name)}, which is not an interface name`);
        }
        names.add(name);
      }
    }
    return await Promise.all([...names].map((name) => readDescription(client, address, name, left())));
  } catch (error) {
    throw serviceFailure(address, error);
  } finally {
    client.close();
  }
}

async function readDescription(
  client: Connection,
  address: string,
  name: string,
  timeout: number,
): Promise<ServiceSource> {
  let source: string;
  try {
    source = await getInterfaceDescription(client, name, { timeout });
  } catch (error) {
    if (error instanceof InterfaceNotFoundError) {
      throw new Error(`${address} does not implement ${name}`, { cause: error });
    }
    throw error;
  }
  // Parsed here, once more than the generator does, so that an error names the service, not a
  // file that does not exist, and so that an answer for another interface is caught.
  const definition = parseInterface(source, { file: `${address}/${name}` });
  if (definition.name !== name) {
    throw new ProtocolError(`asked for ${name}, the service sent the description of ${definition.name}`);
  }
  return { interfaceName: name, address, path: `${name}.varlink`, source };
}

/** `error` as one line that names the service; our own messages and syntax errors pass as they are. */
function serviceFailure(address: string, error: unknown): unknown {
  if (error instanceof ConnectionError) {
    // Connecting names the address already; a call that timed out or was cut off does not.
    return error.message.includes(address)
      ? new Error(error.message, { cause: error })
      : new Error(`${address}: ${error.message}`, { cause: error });
  }
  if (error instanceof ProtocolError) {
    return new Error(`${address}: protocol error: ${error.message}`, { cause: error });
  }
  if (error instanceof VarlinkError) {
    return new Error(`${address}: the service answered ${error.error} ${JSON.stringify(error.parameters)}`, {
      cause: error,
    });
  }
  return error;
}

/**
 * The generated files with the header of each module made from a service naming where it came
 * from (`... from org.example.more at unix:/run/x. DO NOT EDIT.`). Nothing else differs from
 * generating from the interface's file.
 */
export function nameServiceOrigins<File extends { readonly path: string; readonly content: string }>(
  files: readonly File[],
  sources: readonly ServiceSource[],
): File[] {
  const origins = new Map(sources.map((source) => [`${source.interfaceName}.ts`, source]));
  return files.map((file) => {
    const origin = origins.get(file.path);
    if (origin === undefined) return file;
    const newline = file.content.indexOf("\n");
    const header = file.content.slice(0, newline);
    const from = ` from ${origin.path}. DO NOT EDIT.`;
    if (!header.startsWith("// ") || !header.endsWith(from)) return file;
    // An address may hold anything a shell argument can, but must not end the line comment.
    const address = origin.address.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, " ");
    const named = `${header.slice(0, -from.length)} from ${origin.interfaceName} at ${address}. DO NOT EDIT.`;
    return { ...file, content: named + file.content.slice(newline) };
  });
}
