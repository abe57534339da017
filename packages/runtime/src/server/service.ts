/**
 * A varlink service: interfaces and their handlers, `org.varlink.service` built in, served on
 * any number of listeners and streams.
 */
import type { Duplex } from "node:stream";
import { parseInterface } from "../idl/parser.js";
import type { InterfaceDefinition } from "../idl/model.js";
import { DEFAULT_MAX_MESSAGE_SIZE } from "../protocol/framing.js";
import { loadNative } from "../fds/native.js";
import { listenFromEnvironment } from "../transport/activation.js";
import type { Address } from "../transport/address.js";
import { listen } from "../transport/listen.js";
import type { Listener } from "../transport/listener.js";
import { Connection, type ConnectionOptions } from "./connection.js";
import { Dispatcher } from "./dispatcher.js";
import { handleMessage, type HandleOptions } from "./handle-message.js";
import { readInterfaceFile } from "./interface-files.js";
import { InterfaceRegistry } from "./interface-registry.js";
import { RepeatedLog } from "./repeated-log.js";
import {
  SERVICE_INTERFACE_SOURCE,
  serviceInterfaceHandlers,
} from "./service-interface.js";
import { resolveBigintFields } from "../interface/bigint-fields.js";
import { processMemoryBudget } from "../memory-budget.js";
import type { InterfaceDescriptor } from "../interface/descriptor.js";
import type {
  CloseOptions,
  Handlers,
  InterfaceHandlers,
  ServiceInfo,
  ServiceLogger,
  ServiceOptions,
} from "./types.js";

/** How long {@link VarlinkService.close} lets calls in progress finish, by default. */
export const DEFAULT_CLOSE_GRACE = 5000;

/** The default of {@link ServiceOptions.maxConnections}: 4096, as systemd's services have. */
export const DEFAULT_MAX_CONNECTIONS = 4096;

/** The default of {@link ServiceOptions.maxQueuedOutput}: 16 MiB. */
export const DEFAULT_MAX_QUEUED_OUTPUT = 16 * 1024 * 1024;

/** The default of {@link ServiceOptions.messageTimeout}: one minute. */
export const DEFAULT_MESSAGE_TIMEOUT = 60_000;

/** The default of {@link ServiceOptions.writeTimeout}: one minute. */
export const DEFAULT_WRITE_TIMEOUT = 60_000;

let serviceDefinition: InterfaceDefinition | undefined;

/** `org.varlink.service`, parsed once. */
function serviceInterface(): InterfaceDefinition {
  serviceDefinition ??= parseInterface(SERVICE_INTERFACE_SOURCE, {
    file: "org.varlink.service.varlink",
  });
  return serviceDefinition;
}

const defaultLogger: ServiceLogger = (message, cause) => {
  if (cause === undefined) console.error(message);
  else console.error(message, cause);
};

/**
 * A varlink service.
 *
 * ```ts
 * const service = new VarlinkService({
 *   vendor: "Example",
 *   product: "ping",
 *   version: "1",
 *   url: "https://example.org",
 * });
 * service.addInterface(source, { Ping: ({ ping }) => ({ pong: ping }) });
 * await service.listen("unix:/run/org.example.ping");
 * ```
 *
 * Calls on one connection run one after another and are answered in order; connections are
 * served concurrently. Parameters are checked against the IDL before a handler runs.
 */
export class VarlinkService {
  /** What `GetInfo` reports. */
  readonly info: ServiceInfo;
  private readonly registry = new InterfaceRegistry();
  private readonly dispatcher: Dispatcher;
  private readonly connectionOptions: ConnectionOptions;
  private readonly maxConnections: number;
  /** Whether connections accept file descriptors (the `fds` option). */
  private readonly fds: boolean;
  /** The log line of connections refused beyond `maxConnections`, at most one per 10 s. */
  private readonly refusals: RepeatedLog;
  /** The log line of connections the memory budget closed, at most one per 10 s. */
  private readonly evictions: RepeatedLog;
  private readonly logger: ServiceLogger;
  private readonly connections = new Set<Connection>();
  private readonly listeners: Listener[] = [];
  private readonly interfaceDir: string | URL | undefined;
  private closing: Promise<void> | undefined;

  constructor(info: ServiceInfo, options: ServiceOptions = {}) {
    this.info = info;
    this.logger = options.logger ?? defaultLogger;
    this.interfaceDir = options.interfaceDir;
    this.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    this.fds = options.fds === true;
    const memoryBudget = options.memoryBudget ?? processMemoryBudget();
    this.refusals = new RepeatedLog(
      `varlink: refusing a connection beyond the limit of ${this.maxConnections}`,
      (message) => this.log(message),
    );
    this.evictions = new RepeatedLog(
      `varlink: closing the connection that holds the most memory: the memory budget of ${memoryBudget.limit} bytes for peers is spent`,
      (message) => this.log(message),
    );
    const validateReplies = options.validateReplies ?? process.env["NODE_ENV"] !== "production";
    this.dispatcher = new Dispatcher(this.registry, validateReplies, this.logger);
    this.connectionOptions = {
      maxMessageSize: options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE,
      maxQueuedOutput: options.maxQueuedOutput ?? DEFAULT_MAX_QUEUED_OUTPUT,
      idleTimeout: options.idleTimeout,
      messageTimeout: timeLimit(options.messageTimeout, DEFAULT_MESSAGE_TIMEOUT),
      writeTimeout: timeLimit(options.writeTimeout, DEFAULT_WRITE_TIMEOUT),
      logger: this.logger,
      memoryBudget,
      onEvicted: () => this.evictions.report(),
      onGone: (connection) => this.connections.delete(connection),
    };
    const registry = this.registry;
    this.registry.add(
      serviceInterface(),
      serviceInterfaceHandlers({
        info,
        interfaces: () => registry.definitions(),
        lookup: (name) => registry.get(name),
      }) as InterfaceHandlers,
    );
  }

  /**
   * Implements an interface: a descriptor (from generated code, with handlers keyed by member
   * name, `ping`), or IDL text (parsed here) or a parsed definition (with handlers keyed by
   * varlink method name, `Ping`). `handlers` may be a plain object or a class instance; each is
   * called with `this` set to it. A declared method without a handler answers
   * `MethodNotImplemented`.
   *
   * @throws VarlinkSyntaxError when the text does not parse.
   * @throws Error when an interface of that name is already implemented.
   * @throws TypeError when a handler key is not a method of the interface.
   */
  addInterface<D extends InterfaceDescriptor>(descriptor: D, handlers: Partial<Handlers<D>>): this;
  // `InterfaceHandlers` types a literal's handlers from context; `object` takes class instances.
  addInterface(definition: string | InterfaceDefinition, handlers: InterfaceHandlers | object): this;
  addInterface(
    definition: string | InterfaceDefinition | InterfaceDescriptor,
    handlers: object,
  ): this {
    if (typeof definition === "string") {
      this.registry.add(parseInterface(definition), handlers);
    } else if (isDescriptor(definition)) {
      const parsed = definition.definition;
      const bigints = resolveBigintFields(parsed, definition.bigint);
      this.registry.add(parsed, handlers, memberKeys(definition), bigints);
    } else {
      this.registry.add(definition, handlers);
    }
    return this;
  }

  /**
   * Implements the interface read from `${interfaceDir}/${name}.varlink` (option
   * {@link ServiceOptions.interfaceDir}), like the Python binding's `@service.interface(name)`;
   * a `name` with a `/` is a path to the file itself. The file is read synchronously, once, at
   * setup. `handlers` are keyed by varlink method name, as for IDL text.
   *
   * @throws VarlinkSyntaxError when the file does not parse: `FILE:LINE:COL: reason`.
   * @throws TypeError when the file declares another interface than `name`, or there is no
   *   `interfaceDir` to find a name in.
   * @throws Error from `fs` when the file cannot be read (`code` `ENOENT`, …).
   */
  addInterfaceFile(name: string, handlers: InterfaceHandlers | object): this {
    return this.addInterface(readInterfaceFile(name, this.interfaceDir), handlers);
  }

  /**
   * Answers one incoming message without a connection (sans-IO), like the Python binding's
   * `Service.handle`: yields the JSON text (no NUL) of each outgoing message, several for a
   * `more` call, none for `oneway`. A trailing NUL on `message` is accepted. The call takes the
   * same path as on a socket: checks, handlers, error replies. Leaving the loop early or
   * aborting `options.signal` fires the handler's `context.signal`. Send one message at a time
   * per peer and finish its replies first, as a connection does.
   *
   * @throws ProtocolError (when iterated) where a connection would close: a malformed message or
   *   call, one over `maxMessageSize`, and `upgrade` calls, which need a stream to hand over.
   * @throws Error (when iterated) once the service is closed.
   */
  handle(message: string | Uint8Array, options?: HandleOptions): AsyncIterable<string> {
    const target = {
      dispatch: this.dispatcher.dispatch,
      maxMessageSize: this.connectionOptions.maxMessageSize,
      closed: () => this.closing !== undefined,
    };
    return handleMessage(message, target, options);
  }

  /**
   * How many connections the service holds now: served, or closing but not yet closed.
   * Connections handed over by an upgrade no longer count.
   */
  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * Accepts connections at `address` (`unix:PATH`, `unix:@NAME`, `tcp:HOST:PORT`). May be called
   * several times; {@link VarlinkService.close} closes every listener.
   */
  async listen(address: string | Address): Promise<Listener> {
    if (this.closing !== undefined) throw new Error("the service is closed");
    // The addon, when installed, tells unix peers' credentials (see CallPeer).
    await loadNative();
    const listener = await listen(address, (stream) => this.serve(stream), { fds: this.fds });
    if (this.closing !== undefined) {
      await listener.close();
      throw new Error("the service is closed");
    }
    this.listeners.push(listener);
    return listener;
  }

  /**
   * Serves the socket passed by an activator (`LISTEN_FDS`, `LISTEN_PID`).
   * @returns false when this process was not activated.
   */
  listenFromEnvironment(): boolean {
    if (this.closing !== undefined) throw new Error("the service is closed");
    const listener = listenFromEnvironment((stream) => this.serve(stream));
    if (listener === undefined) return false;
    this.listeners.push(listener);
    return true;
  }

  /**
   * Serves one connection: a socket, a child's stdio joined into a Duplex, an in-memory pair.
   * The stream is destroyed at once when the service is closing or has `maxConnections`.
   */
  serve(stream: Duplex): void {
    if (this.closing !== undefined || stream.destroyed) {
      stream.destroy();
      return;
    }
    if (this.connections.size >= this.maxConnections) {
      this.refusals.report();
      stream.destroy();
      return;
    }
    this.connections.add(new Connection(stream, this.dispatcher.dispatch, this.connectionOptions));
  }

  /**
   * Stops listening (unix socket files are removed), lets calls in progress finish for `grace`
   * milliseconds (default 5000) while taking no new ones, then destroys the connections that
   * remain. Streams handed over by an upgrade belong to their handler and are left alone.
   * Calling it again returns the same promise.
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.closing ??= this.shutdown(options.grace ?? DEFAULT_CLOSE_GRACE);
    return this.closing;
  }

  private async shutdown(grace: number): Promise<void> {
    // Listener close may wait for its connections (net.Server does), so it is awaited last.
    const listenersClosed = Promise.allSettled(this.listeners.map((listener) => listener.close()));
    const connections = [...this.connections];
    for (const connection of connections) connection.closeWhenIdle();
    const timer = setTimeout(() => {
      for (const connection of this.connections) connection.destroy();
    }, grace);
    timer.unref();
    await Promise.all(connections.map((connection) => connection.done));
    clearTimeout(timer);
    this.refusals.flush();
    this.evictions.flush();
    for (const result of await listenersClosed) {
      if (result.status === "rejected") this.log("varlink: closing a listener failed", result.reason);
    }
  }

  private log(message: string, cause?: unknown): void {
    try {
      if (cause === undefined) this.logger(message);
      else this.logger(message, cause);
    } catch {
      // A failing logger must not stop the service.
    }
  }
}

/** A time limit from the options: the default when absent, none when `Infinity`. */
function timeLimit(value: number | undefined, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  return Number.isFinite(value) ? value : undefined;
}

function isDescriptor(value: InterfaceDefinition | InterfaceDescriptor): value is InterfaceDescriptor {
  return typeof (value as InterfaceDescriptor).description === "string";
}

/**
 * Each varlink method of a descriptor keyed to its member name.
 * @throws TypeError when the descriptor does not match its own IDL text.
 */
function memberKeys(descriptor: InterfaceDescriptor): Map<string, string> {
  const definition = descriptor.definition;
  if (definition.name !== descriptor.name) {
    throw new TypeError(`the descriptor of ${descriptor.name} holds the IDL of ${definition.name}`);
  }
  const keys = new Map<string, string>();
  for (const [member, method] of Object.entries(descriptor.methods)) {
    if (!definition.methods.has(method.name)) {
      throw new TypeError(`${method.name} is not a method of ${descriptor.name}`);
    }
    keys.set(method.name, member);
  }
  return keys;
}
