/**
 * A client that speaks bytes: what it sends is exactly what the test wrote, and it reads
 * NUL-framed replies by itself, so that tests can assert the wire format and send what no
 * well-behaved client would. It does not depend on the framing code under test.
 */
import type { Duplex } from "node:stream";

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
