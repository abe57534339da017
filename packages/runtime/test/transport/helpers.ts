/**
 * Shared pieces of the transport tests: temporary directories, collecting what a stream
 * delivers, and cleaning up every resource a test opened.
 */
import { spawn } from "node:child_process";
import type { ChildProcess, SpawnOptions } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Duplex } from "node:stream";
import type { Listener } from "@varlink-ts/runtime/transport";

/** Absolute path of a fixture script. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));
}

/** Everything a test opened, released in afterEach whatever the test's outcome. */
export class Resources {
  private readonly directories: string[] = [];
  private readonly listeners: Listener[] = [];
  private readonly streams: Duplex[] = [];
  private readonly children: ChildProcess[] = [];

  async directory(): Promise<string> {
    const path = await mkdtemp(join(tmpdir(), "varlink-transport-test-"));
    this.directories.push(path);
    return path;
  }

  listener<T extends Listener>(listener: T): T {
    this.listeners.push(listener);
    return listener;
  }

  stream<T extends Duplex>(stream: T): T {
    // A test that checks one error must not crash on a late one from the same stream.
    stream.on("error", () => undefined);
    this.streams.push(stream);
    return stream;
  }

  spawn(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
    const child = spawn(command, args, options);
    this.children.push(child);
    return child;
  }

  async release(): Promise<void> {
    for (const stream of this.streams.splice(0)) {
      if (!stream.closed) {
        const closed = new Promise((resolve) => stream.once("close", resolve));
        stream.destroy();
        await closed;
      }
    }
    for (const listener of this.listeners.splice(0)) await listener.close();
    for (const child of this.children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGKILL");
        await exited;
      }
    }
    for (const path of this.directories.splice(0)) await rm(path, { recursive: true, force: true });
  }
}

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

/** Whether a process with this pid exists (a zombie counts as gone once reaped by its parent). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
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
