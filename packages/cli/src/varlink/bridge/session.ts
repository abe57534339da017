/**
 * One bridged connection: calls come in on one stream (the bridge's stdin), each is forwarded
 * byte for byte to the service the resolver gives for its interface, and every reply goes back in
 * order. `org.varlink.service` is answered by the bridge itself, for the machine as a whole.
 */
import {
  connect,
  ConnectionError,
  InterfaceNotFoundError,
  ProtocolError,
  VarlinkError,
  type Connection,
  type ServiceInfo,
} from "@varlink-ts/runtime";
import { isInterfaceName } from "@varlink-ts/runtime/idl";
import { resolve } from "@varlink-ts/runtime/transport";
import { SERVICE_INTERFACE_NAME, SERVICE_INTERFACE_SOURCE } from "@varlink-ts/runtime/wire";
import { EXIT_CONNECTION, EXIT_OK } from "../exit-codes.js";
import { MessageSource, send } from "./message-source.js";
import { encodeReply, parseCall, parseReplyFlags, type RoutedCall } from "./messages.js";
import { ServiceLink } from "./service-link.js";

const INTERFACE_NOT_FOUND = `${SERVICE_INTERFACE_NAME}.InterfaceNotFound`;

/** What a bridge session needs besides its two streams. */
export interface BridgeOptions {
  /** The resolver's address. */
  readonly resolver: string;
  /** What the bridge's own `GetInfo` reports, besides the interfaces. */
  readonly info: ServiceInfo;
  /** Where problems are told (stderr, which `ssh` shows the user). */
  readonly log: (message: string) => void;
}

/** The session cannot go on: a service went away mid-call or a peer broke the protocol. */
class SessionFailure extends Error {}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Errors that end a session with a message rather than a stack trace. */
function isPeerFailure(error: unknown): error is Error {
  return (
    error instanceof SessionFailure ||
    error instanceof ProtocolError ||
    error instanceof ConnectionError ||
    (error instanceof Error && typeof (error as NodeJS.ErrnoException).code === "string")
  );
}

/** A bridge serving one client connection. */
export class BridgeSession {
  private readonly input: NodeJS.ReadableStream & { destroy?(): void };
  private readonly output: NodeJS.WritableStream;
  private readonly options: BridgeOptions;
  /** What the resolver said, per interface, for the life of the session. */
  private readonly addresses = new Map<string, string>();
  /** One connection per service address, reused by later calls. */
  private readonly links = new Map<string, ServiceLink>();

  constructor(
    input: NodeJS.ReadableStream & { destroy?(): void },
    output: NodeJS.WritableStream,
    options: BridgeOptions,
  ) {
    this.input = input;
    this.output = output;
    this.options = options;
    // Write failures reach the pending write's callback; this only keeps them from crashing the process.
    output.on("error", () => undefined);
  }

  /**
   * Serves calls until the client ends the connection.
   * @returns the exit code: 0 when the client ended it, 3 when a peer failed.
   */
  async run(): Promise<number> {
    const calls = new MessageSource(this.input);
    try {
      for (;;) {
        const text = await calls.next();
        if (text === undefined) return EXIT_OK;
        const call = parseCall(text);
        const upgraded = await this.handle(call, text);
        if (upgraded !== undefined) {
          await this.splice(calls, upgraded);
          return EXIT_OK;
        }
      }
    } catch (error) {
      if (!isPeerFailure(error)) throw error;
      this.options.log(error.message);
      return EXIT_CONNECTION;
    } finally {
      await Promise.all([...this.links.values()].map((link) => link.close()));
    }
  }

  /** Answers or forwards one call; returns the link when the call upgraded the connection. */
  private async handle(call: RoutedCall, text: string): Promise<ServiceLink | undefined> {
    if (call.interfaceName !== SERVICE_INTERFACE_NAME) return this.forward(call.interfaceName, call, text);
    switch (call.memberName) {
      case "GetInfo":
        await this.reply(call, { parameters: await this.describeSelf() });
        return undefined;
      case "GetInterfaceDescription": {
        const name = call.parameters["interface"];
        if (typeof name !== "string") {
          await this.reply(call, { error: `${SERVICE_INTERFACE_NAME}.InvalidParameter`, parameters: { parameter: "interface" } });
          return undefined;
        }
        if (name === SERVICE_INTERFACE_NAME) {
          await this.reply(call, { parameters: { description: SERVICE_INTERFACE_SOURCE } });
          return undefined;
        }
        // The service that implements the interface describes it best: ask it the very same call.
        return this.forward(name, call, text);
      }
      default:
        await this.reply(call, { error: `${SERVICE_INTERFACE_NAME}.MethodNotFound`, parameters: { method: call.memberName } });
        return undefined;
    }
  }

  /** The bridge's GetInfo: its own identity and every interface the resolver knows. */
  private async describeSelf(): Promise<object> {
    let listed: string[] = [];
    let client: Connection | undefined;
    try {
      client = await connect(this.options.resolver);
      const reply = await client.call("org.varlink.resolver.GetInfo", {});
      if (Array.isArray(reply.interfaces)) {
        listed = reply.interfaces.filter((name): name is string => typeof name === "string");
      }
    } catch (error) {
      if (!(error instanceof ConnectionError || error instanceof VarlinkError || error instanceof ProtocolError)) throw error;
      this.options.log(`cannot list the interfaces of the resolver at ${this.options.resolver}: ${error.message}`);
    } finally {
      client?.close();
    }
    const interfaces = [...new Set([SERVICE_INTERFACE_NAME, ...listed])];
    return { ...this.options.info, interfaces };
  }

  /** Sends the call's `text` to the service of `interfaceName` and relays its replies. */
  private async forward(interfaceName: string, call: RoutedCall, text: string): Promise<ServiceLink | undefined> {
    const link = await this.linkFor(interfaceName, call);
    if (link === undefined) return undefined;
    await link.send(text);
    if (call.oneway) return undefined;
    for (;;) {
      let reply: string | undefined;
      try {
        reply = await link.replies.next();
      } catch (error) {
        throw new SessionFailure(`the connection to ${link.address} failed during ${call.method}: ${reason(error)}`);
      }
      if (reply === undefined) {
        throw new SessionFailure(`${link.address} closed the connection before its reply to ${call.method}`);
      }
      await send(this.output, `${reply}\0`);
      const flags = parseReplyFlags(reply, link.address);
      if (flags.error === undefined && flags.continues) continue;
      if (call.upgrade && flags.error === undefined) {
        this.links.delete(link.address);
        return link;
      }
      return undefined;
    }
  }

  /**
   * The connection to the service of `interfaceName`, or undefined after answering the call with
   * InterfaceNotFound: the resolver does not know it, or its service cannot be reached.
   */
  private async linkFor(interfaceName: string, call: RoutedCall): Promise<ServiceLink | undefined> {
    const address = await this.addressOf(interfaceName);
    let link = address === undefined ? undefined : this.links.get(address);
    if (address !== undefined && (link === undefined || !link.usable)) {
      try {
        link = await ServiceLink.open(address);
        this.links.set(address, link);
      } catch (error) {
        if (!(error instanceof ConnectionError || error instanceof TypeError)) throw error;
        this.options.log(`cannot reach ${interfaceName} at ${address}: ${error.message}`);
        link = undefined;
      }
    }
    if (link === undefined) {
      await this.reply(call, { error: INTERFACE_NOT_FOUND, parameters: { interface: interfaceName } });
    }
    return link;
  }

  private async addressOf(interfaceName: string): Promise<string | undefined> {
    if (!isInterfaceName(interfaceName)) return undefined;
    const known = this.addresses.get(interfaceName);
    if (known !== undefined) return known;
    try {
      const address = await resolve(interfaceName, { resolver: this.options.resolver });
      this.addresses.set(interfaceName, address);
      return address;
    } catch (error) {
      if (error instanceof InterfaceNotFoundError) return undefined;
      if (!(error instanceof ConnectionError || error instanceof VarlinkError || error instanceof ProtocolError)) throw error;
      this.options.log(`cannot resolve ${interfaceName} with the resolver at ${this.options.resolver}: ${error.message}`);
      return undefined;
    }
  }

  /** Sends a reply the bridge made, unless the call was oneway. */
  private async reply(call: RoutedCall, reply: { parameters: object; error?: string }): Promise<void> {
    if (!call.oneway) await send(this.output, encodeReply(reply));
  }

  /**
   * After an upgrade the connection is no longer varlink: bytes flow both ways untouched, those
   * already read first, until the service ends its side.
   */
  private async splice(calls: MessageSource, link: ServiceLink): Promise<void> {
    const fromClient = calls.release();
    const fromService = link.replies.release();
    if (fromService.length > 0) await send(this.output, fromService);
    if (fromClient.length > 0) await send(link.stream, fromClient);
    const ended = new Promise<void>((resolve) => {
      link.stream.once("end", resolve);
      link.stream.once("close", resolve);
      link.stream.on("error", () => resolve());
    });
    this.input.pipe(link.stream);
    link.stream.pipe(this.output, { end: false });
    await ended;
    this.input.unpipe(link.stream);
    link.stream.destroy();
    // The client may keep its side open; the process must not wait for it.
    this.input.destroy?.();
  }
}
