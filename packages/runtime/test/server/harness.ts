/**
 * Test harness for the server: a service served on a unix socket in a fresh temporary
 * directory, and a raw client that writes exact bytes and reads NUL-framed replies, so tests
 * can assert the wire format and send what no well-behaved client would.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createConnection, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import type { VarlinkService } from "@varlink-ts/runtime";

/** Everything a test opened, closed by {@link Harness.cleanup}. */
export class Harness {
  private readonly servers: Server[] = [];
  private readonly clients: RawClient[] = [];
  private readonly services: VarlinkService[] = [];
  private readonly dirs: string[] = [];
  readonly logs: string[] = [];
  /** The errors logged with each line, undefined for lines without one. */
  readonly causes: unknown[] = [];

  /** A logger that keeps lines for assertions. */
  readonly logger = (message: string, cause?: unknown): void => {
    this.logs.push(message);
    this.causes.push(cause);
  };

  async tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "varlink-server-test-"));
    this.dirs.push(dir);
    return dir;
  }

  /** Serves `service` on a unix socket through `service.serve`; returns the socket path. */
  async serve(service: VarlinkService): Promise<string> {
    this.services.push(service);
    const path = join(await this.tempDir(), "socket");
    const server = createServer((socket) => service.serve(socket));
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(path, resolve);
    });
    return path;
  }

  /** Tracks a service so cleanup closes it. */
  track(service: VarlinkService): VarlinkService {
    this.services.push(service);
    return service;
  }

  async connect(path: string): Promise<RawClient> {
    const socket = createConnection(path);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const client = new RawClient(socket);
    this.clients.push(client);
    return client;
  }

  async cleanup(): Promise<void> {
    this.logs.length = 0;
    this.causes.length = 0;
    for (const client of this.clients.splice(0)) client.socket.destroy();
    await Promise.all(this.services.splice(0).map((service) => service.close({ grace: 0 })));
    await Promise.all(
      this.servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
    await Promise.all(this.dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

/** A client that speaks bytes: what it sends is exactly what the test wrote. */
export class RawClient {
  private buffer = Buffer.alloc(0);
  private readonly messages: string[] = [];
  private waiters: (() => void)[] = [];
  private ended = false;
  /** Resolves when the server has closed the connection. */
  readonly closed: Promise<void>;

  constructor(readonly socket: Duplex) {
    socket.on("data", (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (let end = this.buffer.indexOf(0); end !== -1; end = this.buffer.indexOf(0)) {
        this.messages.push(this.buffer.subarray(0, end).toString("utf8"));
        this.buffer = this.buffer.subarray(end + 1);
      }
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on("close", () => {
        this.ended = true;
        this.wake();
        resolve();
      });
    });
    socket.on("error", () => undefined);
  }

  /** Writes a message: an object as JSON + NUL, a string or bytes exactly as given. */
  send(message: object | string | Buffer): void {
    if (Buffer.isBuffer(message) || typeof message === "string") this.socket.write(message);
    else this.socket.write(`${JSON.stringify(message)}\0`);
  }

  /** The next reply's exact text (without its NUL). Rejects if the connection closes first. */
  async nextText(): Promise<string> {
    while (this.messages.length === 0) {
      if (this.ended) throw new Error("connection closed before a reply");
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.messages.shift()!;
  }

  /** The next reply, parsed. */
  async next(): Promise<unknown> {
    return JSON.parse(await this.nextText());
  }

  /** Sends a call and returns its one reply, parsed. */
  async call(message: object): Promise<unknown> {
    this.send(message);
    return this.next();
  }

  /** Bytes received after the last whole message, for upgraded connections. */
  takeRaw(): Buffer {
    const raw = this.buffer;
    this.buffer = Buffer.alloc(0);
    return raw;
  }

  /** Waits until at least `length` raw bytes (after the last message) have arrived. */
  async rawBytes(length: number): Promise<Buffer> {
    while (this.buffer.length < length) {
      if (this.ended) throw new Error("connection closed");
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.takeRaw();
  }

  /** Replies not yet read. */
  get unread(): number {
    return this.messages.length;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}
