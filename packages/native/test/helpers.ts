/**
 * Test helpers: the Python peer as a child process, NUL-framed varlink messages with the fds
 * tied to them by stream offset, and open-fd counting.
 */
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { closeSync, readdirSync, readlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { FdSocket, RefusedFds } from "../src/index.js";

const PEER = join(dirname(fileURLToPath(import.meta.url)), "peer.py");

/** A running Python peer, its stdout as JSON lines. */
export interface Peer {
  child: ChildProcessWithoutNullStreams;
  /** The next stdout line (parsed as JSON unless it is READY). */
  line(): Promise<any>;
  /** Resolves with the exit code once the child exits. */
  exited: Promise<number | null>;
  stderr(): string;
}

const children = new Set<ChildProcessWithoutNullStreams>();

/** Starts `python3 peer.py ...args`. */
export function startPeer(...args: string[]): Peer {
  const child = spawn("python3", [PEER, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  children.add(child);
  let errText = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (text: string) => (errText += text));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  const lines: string[] = [];
  const waiting: Array<{ resolve: (line: any) => void; reject: (error: Error) => void }> = [];
  let ended = false;
  const reader = createInterface({ input: child.stdout });
  reader.on("line", (line) => {
    const next = waiting.shift();
    if (next) next.resolve(parse(line));
    else lines.push(line);
  });
  reader.on("close", () => {
    ended = true;
    for (const next of waiting.splice(0)) {
      next.reject(new Error(`the Python peer ended its output: ${errText}`));
    }
  });
  return {
    child,
    exited,
    stderr: () => errText,
    line: () =>
      new Promise((resolve, reject) => {
        const line = lines.shift();
        if (line !== undefined) resolve(parse(line));
        else if (ended) reject(new Error(`the Python peer ended its output: ${errText}`));
        else waiting.push({ resolve, reject });
      }),
  };
}

function parse(line: string): any {
  return line === "READY" ? line : JSON.parse(line);
}

/** Kills every peer still running and waits for them to exit. */
export async function killPeers(): Promise<void> {
  const running = [...children];
  children.clear();
  await Promise.all(
    running.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) {
            resolve();
            return;
          }
          child.once("exit", () => resolve());
          child.kill("SIGKILL");
        }),
    ),
  );
}

/** A message read from a socket, with the fds that came with the chunk it begins. */
export interface Message {
  message: any;
  fds: number[];
  /** Stream offset of its first byte. */
  offset: number;
  /** Its length in bytes, with the NUL. */
  size: number;
}

/**
 * Reads NUL-framed JSON messages from `socket`, tying fds (the 'fds' event) to the message that
 * begins at their offset and refusing (closing) the ones that arrived with a chunk that does not
 * begin a message: what the runtime is meant to do.
 */
export class MessageReader {
  readonly refused: RefusedFds[] = [];
  /** fds closed because no message began where their chunk did. */
  misplaced = 0;
  #buffer = Buffer.alloc(0);
  #offset = 0;
  #fds = new Map<number, number[]>();
  #messages: Message[] = [];
  #waiting: Array<{ resolve: (message: Message) => void; reject: (error: Error) => void }> = [];
  #ended = false;

  constructor(readonly socket: FdSocket) {
    socket.on("fds", ({ fds, offset }) => {
      this.#fds.set(offset, [...(this.#fds.get(offset) ?? []), ...fds]);
    });
    socket.on("fds-refused", (refused) => this.refused.push(refused));
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("end", () => this.#finish(new Error("end of stream")));
    socket.on("error", (error) => this.#finish(error));
  }

  #onData(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const end = this.#buffer.indexOf(0);
      if (end < 0) return;
      const start = this.#offset;
      const text = this.#buffer.subarray(0, end).toString("utf8");
      this.#buffer = this.#buffer.subarray(end + 1);
      this.#offset += end + 1;
      const fds = this.#fds.get(start) ?? [];
      this.#fds.delete(start);
      for (const [offset, batch] of this.#fds) {
        if (offset < this.#offset) {
          for (const fd of batch) closeSync(fd);
          this.misplaced += batch.length;
          this.#fds.delete(offset);
        }
      }
      const message: Message = { message: JSON.parse(text), fds, offset: start, size: end + 1 };
      const next = this.#waiting.shift();
      if (next) next.resolve(message);
      else this.#messages.push(message);
    }
  }

  #finish(error: Error): void {
    this.#ended = true;
    for (const next of this.#waiting.splice(0)) next.reject(error);
  }

  next(): Promise<Message> {
    return new Promise((resolve, reject) => {
      const message = this.#messages.shift();
      if (message) resolve(message);
      else if (this.#ended) reject(new Error("end of stream"));
      else this.#waiting.push({ resolve, reject });
    });
  }
}

/** One NUL-terminated JSON message. */
export function frame(message: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(message)}\0`, "utf8");
}

/** The open fds of this process: number -> what it refers to. */
export function openFds(): Map<number, string> {
  const result = new Map<number, string>();
  for (const name of readdirSync("/proc/self/fd")) {
    try {
      result.set(Number(name), readlinkSync(`/proc/self/fd/${name}`));
    } catch {
      // the directory listing's own fd, closed by now
    }
  }
  return result;
}

/** What refers where in `after` that did not in `before` (a leak, when not empty). */
export function newFds(before: Map<number, string>, after: Map<number, string>): string[] {
  const added: string[] = [];
  for (const [fd, target] of after) {
    if (before.get(fd) !== target) added.push(`${fd} -> ${target}`);
  }
  return added;
}

/** Resolves when `emitter` emits `event` (with its first argument). */
export function once<T = unknown>(
  emitter: { once(event: string, listener: (value: T) => void): unknown },
  event: string,
): Promise<T> {
  return new Promise((resolve) => emitter.once(event, resolve));
}

/** Lets the event loop turn `times` times. */
export async function turns(times = 1): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise((resolve) => setImmediate(resolve));
}
