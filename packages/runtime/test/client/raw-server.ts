/**
 * A scripted varlink peer for client tests: a real unix socket server that records every call's
 * exact JSON text and writes back whatever bytes a test tells it to, including garbage.
 * It splits on NUL by itself so that it does not depend on the framing code under test.
 */
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/** One accepted connection. */
export class RawConnection {
  readonly socket: net.Socket;
  /** The exact text of every message received, without its NUL. */
  readonly received: string[] = [];
  /** Bytes received after the last NUL. */
  pending = Buffer.alloc(0);
  ended = false;
  private readonly waiters: Array<() => void> = [];

  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => {
      let data = Buffer.concat([this.pending, chunk]);
      for (let end = data.indexOf(0); end !== -1; end = data.indexOf(0)) {
        this.received.push(data.subarray(0, end).toString("utf8"));
        data = data.subarray(end + 1);
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

/** A unix socket server in its own temporary directory. */
export class RawServer {
  readonly dir: string;
  readonly path: string;
  readonly connections: RawConnection[] = [];
  private readonly server: net.Server;
  private readonly waiters: Array<(connection: RawConnection) => void> = [];

  private constructor(dir: string, server: net.Server) {
    this.dir = dir;
    this.path = path.join(dir, "raw.sock");
    this.server = server;
  }

  static async start(): Promise<RawServer> {
    const dir = await mkdtemp(path.join(os.tmpdir(), "varlink-client-"));
    const server = net.createServer();
    const raw = new RawServer(dir, server);
    server.on("connection", (socket) => {
      const connection = new RawConnection(socket);
      raw.connections.push(connection);
      raw.waiters.shift()?.(connection);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(raw.path, resolve);
    });
    return raw;
  }

  /** The next connection to be accepted (or the first one not yet taken). */
  accept(): Promise<RawConnection> {
    const taken = this.taken++;
    const ready = this.connections[taken];
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  private taken = 0;

  /** Opens a plain socket to the server and waits until it is connected. */
  async socket(): Promise<net.Socket> {
    const socket = net.connect(this.path);
    this.clientSockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return socket;
  }
  private readonly clientSockets: net.Socket[] = [];

  async close(): Promise<void> {
    for (const socket of this.clientSockets) socket.destroy();
    for (const connection of this.connections) connection.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(this.dir, { recursive: true, force: true });
  }
}
