/**
 * The services a bridge serves, by name: those it was given (an address, or a service of this
 * process) and, when it has a resolver, those the resolver knows.
 *
 * When one cannot be reached, the client is told that and the service's name, nothing more: the
 * reason names the address (a socket path, a command line, a `ws:` URL with its `access_token`),
 * which is the operator's to know, and goes to the bridge's log.
 */
import type { Duplex } from "node:stream";
import { connect } from "../client/connect.js";
import type { Connection } from "../client/connection.js";
import { resolve } from "../client/resolver.js";
import { ConnectionError, InterfaceNotFoundError, ProtocolError, VarlinkError } from "../errors.js";
import { isInterfaceName } from "../idl/names.js";
import type { ServiceLogger } from "../server/types.js";
import { describeAddress, toAddress, type Address } from "../transport/address.js";
import { duplexPair } from "../transport/memory.js";
import { openStream } from "../transport/open-stream.js";
import { gatewayFailure, HttpFailure } from "./failure.js";
import { isService } from "./settings.js";
import type { HttpServiceTarget } from "./types.js";

/** The services of one bridge. */
export class ServiceTargets {
  private readonly configured: ReadonlyMap<string, HttpServiceTarget>;
  private readonly resolver: string | Address | undefined;
  private readonly log: ServiceLogger;

  constructor(configured: ReadonlyMap<string, HttpServiceTarget>, resolver: string | Address | undefined, log: ServiceLogger) {
    this.configured = configured;
    this.resolver = resolver;
    this.log = log;
  }

  /**
   * Every name the bridge serves, sorted: the configured ones and the interfaces the resolver
   * lists (`org.varlink.resolver.GetInfo`).
   * @throws HttpFailure (502) when there is a resolver and it cannot be asked.
   */
  async names(): Promise<string[]> {
    const names = new Set(this.configured.keys());
    if (this.resolver !== undefined) {
      for (const name of await this.resolverInterfaces(this.resolver)) names.add(name);
    }
    return [...names].sort();
  }

  /**
   * A new connection to the service `name`, as a byte stream.
   * @throws HttpFailure 404 when no service has that name; 502 when it cannot be reached (or the
   *   resolver cannot be asked where it is).
   */
  async open(name: string): Promise<Duplex> {
    const target = this.configured.get(name);
    if (target !== undefined && isService(target)) {
      // A service of this process: served over an in-memory pair, as if it were a socket.
      const [ours, theirs] = duplexPair();
      target.serve(theirs);
      return ours;
    }
    const address = target ?? (await this.resolve(name));
    try {
      return await openStream(address);
    } catch (error) {
      if (error instanceof ConnectionError || error instanceof TypeError) {
        this.log(`varlink http bridge: cannot reach the service ${name}`, error);
        throw gatewayFailure(`cannot reach the service ${name}`, error);
      }
      throw error;
    }
  }

  /** The address the resolver gives for `name`. */
  private async resolve(name: string): Promise<string | Address> {
    const resolver = this.resolver;
    // Only an interface name can be resolved; anything else is simply not a service here.
    if (resolver === undefined || !isInterfaceName(name)) throw unknownService(name);
    try {
      return await resolve(name, { resolver });
    } catch (error) {
      if (error instanceof InterfaceNotFoundError) throw unknownService(name);
      if (error instanceof ConnectionError || error instanceof ProtocolError || error instanceof VarlinkError) {
        this.log(`varlink http bridge: cannot resolve the service ${name} with the resolver at ${label(resolver)}`, error);
        throw gatewayFailure(`cannot resolve the service ${name}`, error);
      }
      throw error;
    }
  }

  private async resolverInterfaces(resolver: string | Address): Promise<string[]> {
    let client: Connection | undefined;
    try {
      client = await connect(resolver);
      const reply = await client.call("org.varlink.resolver.GetInfo", {});
      const interfaces = reply["interfaces"];
      if (!Array.isArray(interfaces)) throw new ProtocolError('the GetInfo reply has no array "interfaces"');
      return interfaces.filter((name): name is string => typeof name === "string");
    } catch (error) {
      if (error instanceof ConnectionError || error instanceof ProtocolError || error instanceof VarlinkError) {
        this.log(`varlink http bridge: cannot list the services of the resolver at ${label(resolver)}`, error);
        throw gatewayFailure("cannot list the services of the resolver", error);
      }
      throw error;
    } finally {
      client?.close();
    }
  }
}

function unknownService(name: string): HttpFailure {
  return new HttpFailure(404, `no service named ${JSON.stringify(name)}`);
}

function label(address: string | Address): string {
  return describeAddress(toAddress(address));
}
