/**
 * Streams as tests look at them: everything a stream delivered, waiting for a condition on it,
 * how a stream ended, and binary data with every byte value.
 */
import type { Duplex } from "node:stream";

/** Accumulates what a stream delivers and waits for a condition on it. */
export class Collector {
  /** Chunks received; joined into one only when the bytes are looked at. */
  private chunks: Buffer[] = [];
  private received = 0;
  private ended = false;
  private failure: Error | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(stream: Duplex) {
    stream.on("data", (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.received += chunk.length;
      this.wake();
    });
    stream.on("end", () => {
      this.ended = true;
      this.wake();
    });
    stream.on("error", (error: Error) => {
      this.failure = error;
      this.wake();
    });
    stream.on("close", () => {
      this.ended = true;
      this.wake();
    });
  }

  /** Number of bytes received so far. */
  get length(): number {
    return this.received;
  }

  get bytes(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] as Buffer;
  }

  get text(): string {
    return this.bytes.toString("utf8");
  }

  /** Resolves with the text once `done(text)` holds; rejects if the stream ends or fails first. */
  until(done: (text: string) => boolean): Promise<string> {
    return this.when(() => done(this.text)).then(() => this.text);
  }

  /** Resolves with the bytes once at least `length` have arrived; rejects if the stream ends or fails first. */
  untilLength(length: number): Promise<Buffer> {
    return this.when(() => this.received >= length).then(() => this.bytes);
  }

  /** The first line, once it is complete, parsed as JSON. */
  async firstLine<T>(): Promise<T> {
    const text = await this.until((received) => received.includes("\n"));
    return JSON.parse(text.slice(0, text.indexOf("\n"))) as T;
  }

  private when(done: () => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (done()) {
          this.waiters.delete(check);
          resolve();
        } else if (this.failure !== undefined || this.ended) {
          this.waiters.delete(check);
          reject(
            this.failure ??
              new Error(
                `stream ended after ${this.received} bytes: ${JSON.stringify(this.text.slice(0, 200))}`,
              ),
          );
        }
      };
      this.waiters.add(check);
      check();
    });
  }

  private wake(): void {
    for (const check of [...this.waiters]) check();
  }
}

/** Resolves when the stream has emitted "close" (at once if it already has). */
export function closed(stream: Duplex): Promise<void> {
  if (stream.closed) return Promise.resolve();
  return new Promise((resolve) => stream.once("close", () => resolve()));
}

/**
 * How a stream's life ends: the error it was destroyed with, or undefined after a clean end.
 * Reads (and discards) everything it delivers.
 */
export function outcome(stream: Duplex): Promise<Error | undefined> {
  return new Promise((resolve) => {
    let error: Error | undefined;
    stream.on("error", (failure: Error) => {
      error = failure;
    });
    stream.once("close", () => resolve(error));
    stream.resume();
  });
}

/** Writes `data` to the stream and waits for the peer to echo all of it back. */
export async function echoes(
  stream: Duplex,
  collector: Collector,
  data: Buffer,
  offset = 0,
): Promise<Buffer> {
  stream.write(data);
  const received = await collector.untilLength(offset + data.length);
  return received.subarray(offset, offset + data.length);
}

/** A buffer of every byte value, NUL included, repeated to `length`. */
export function binary(length: number): Buffer {
  const buffer = Buffer.alloc(length);
  for (let index = 0; index < length; index++) buffer[index] = (index * 7 + (index >> 8)) & 0xff;
  return buffer;
}

/** Reads from a raw stream until `expected` bytes have arrived; resolves with them as latin1 text. */
export function readBytes(stream: Duplex, expected: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const onData = (chunk: Buffer): void => {
      text += chunk.toString("latin1");
      if (text.length >= expected) {
        stream.off("data", onData);
        resolve(text);
      }
    };
    stream.on("data", onData);
    stream.once("error", reject);
  });
}
