/**
 * A scripted varlink peer for client tests: a real unix socket server that records every
 * message's exact text and writes back whatever bytes the test tells it to, garbage included. It
 * splits on NUL by itself, so that it does not depend on the framing code under test.
 */
import { connect as connectSocket, createServer, type Server, type Socket } from "node:net";
import { dirname } from "node:path";
import {
  Connection,
  ExpectedMoreError,
  ExpectedUpgradeError,
  InterfaceNotFoundError,
  InvalidParameterError,
  MethodNotFoundError,
  MethodNotImplementedError,
  PermissionDeniedError,
} from "@varlink-ts/runtime";
import type { ConnectionOptions } from "@varlink-ts/runtime/wire";
import type { Sandbox } from "./sandbox.js";

/** One accepted connection. */
export class RawConnection {
  /** The exact text of every message received, without its NUL. */
  readonly received: string[] = [];
  /** Bytes received after the last NUL. */
  pending = Buffer.alloc(0);
  ended = false;
  private readonly waiters: Array<() => void> = [];

  constructor(
    readonly socket: Socket,
    onMessage?: (text: string, connection: RawConnection) => void,
  ) {
    socket.on("data", (chunk: Buffer) => {
      let data = Buffer.concat([this.pending, chunk]);
      for (let end = data.indexOf(0); end !== -1; end = data.indexOf(0)) {
        const text = data.subarray(0, end).toString("utf8");
        data = data.subarray(end + 1);
        this.received.push(text);
        this.pending = data;
        onMessage?.(text, this);
      }
      this.pending = data;
      this.wake();
    });
    socket.on("end", () => {
      this.ended = true;
      this.wake();
    });
    socket.on("close", () => {
      this.ended = true;
      this.wake();
    });
    socket.on("error", () => {});
  }

  /** Resolves once `count` messages have arrived in total. */
  async messages(count: number): Promise<string[]> {
    await this.until(() => this.received.length >= count);
    return this.received.slice(0, count);
  }

  /** The `index`th message received, parsed. */
  async call(index: number): Promise<Record<string, unknown>> {
    const messages = await this.messages(index + 1);
    return JSON.parse(messages[index] as string) as Record<string, unknown>;
  }

  /** Resolves with the bytes after the last NUL once there are at least `length` of them. */
  async unframed(length: number): Promise<string> {
    await this.until(() => this.pending.length >= length);
    return this.pending.toString("utf8");
  }

  /** Resolves once the client has closed its side. */
  async closedByPeer(): Promise<void> {
    await this.until(() => this.ended);
  }

  /** Writes one reply object followed by NUL. */
  reply(message: object): void {
    this.socket.write(`${JSON.stringify(message)}\0`);
  }

  /** Writes raw bytes exactly. */
  send(bytes: string | Buffer): void {
    this.socket.write(bytes);
  }

  private until(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (ready()) resolve();
        else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

/** Options of {@link RawServer.start}. */
export interface RawServerOptions {
  /** Called with each message's text (and its connection) as it arrives, to answer it. */
  readonly onMessage?: (text: string, connection: RawConnection) => void;
  /** The socket's file name. */
  readonly name?: string;
}

/** A scripted server on a unix socket in a new directory of the sandbox, closed at its cleanup. */
export class RawServer {
  readonly connections: RawConnection[] = [];
  private readonly waiters: Array<(connection: RawConnection) => void> = [];
  private readonly clientSockets: Socket[] = [];
  private taken = 0;

  private constructor(
    readonly path: string,
    private readonly server: Server,
  ) {}

  static async start(sandbox: Sandbox, options: RawServerOptions = {}): Promise<RawServer> {
    const server = createServer();
    const raw = new RawServer(await sandbox.socketPath(options.name ?? "raw.sock"), server);
    server.on("connection", (socket) => {
      const connection = new RawConnection(socket, options.onMessage);
      raw.connections.push(connection);
      raw.waiters.shift()?.(connection);
    });
    sandbox.defer(() => raw.close());
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(raw.path, resolve);
    });
    return raw;
  }

  /** The directory its socket is in. */
  get dir(): string {
    return dirname(this.path);
  }

  /** Its `unix:` address. */
  get address(): string {
    return `unix:${this.path}`;
  }

  /** The next connection to be accepted (or the first one not yet taken). */
  accept(): Promise<RawConnection> {
    const taken = this.taken++;
    const ready = this.connections[taken];
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Opens a plain socket to the server and waits until it is connected. */
  async socket(): Promise<Socket> {
    const socket = connectSocket(this.path);
    this.clientSockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return socket;
  }

  async close(): Promise<void> {
    for (const socket of this.clientSockets) socket.destroy();
    for (const connection of this.connections) connection.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A client connection over a fresh socket, and the scripted server's side of it. */
export interface Peer {
  server: RawServer;
  client: Connection;
  connection: RawConnection;
}

/** A client over a fresh socket to a scripted server; both are closed at the sandbox's cleanup. */
export async function connectPeer(sandbox: Sandbox, options: ConnectionOptions = {}): Promise<Peer> {
  const server = await RawServer.start(sandbox);
  const socket = await server.socket();
  const client = sandbox.track(Connection.fromStream(socket, options));
  const connection = await server.accept();
  return { server, client, connection };
}

/** The seven standard error replies, each with parameters and the class it must become. */
export const STANDARD_ERROR_REPLIES = [
  ["org.varlink.service.InterfaceNotFound", { interface: "org.example.x" }, InterfaceNotFoundError],
  ["org.varlink.service.MethodNotFound", { method: "Nope" }, MethodNotFoundError],
  ["org.varlink.service.MethodNotImplemented", { method: "Later" }, MethodNotImplementedError],
  ["org.varlink.service.InvalidParameter", { parameter: "a.b" }, InvalidParameterError],
  ["org.varlink.service.PermissionDenied", {}, PermissionDeniedError],
  ["org.varlink.service.ExpectedMore", {}, ExpectedMoreError],
  ["org.varlink.service.ExpectedUpgrade", {}, ExpectedUpgradeError],
] as const;
