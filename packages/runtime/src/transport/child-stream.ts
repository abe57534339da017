/**
 * The Duplex returned for `exec:` and bridge connections: the child's connection (a socket, or its
 * stdout and stdin) seen as one stream that owns the child.
 *
 * A plain socket cannot do this: the stream must stop the child and remove its files before it
 * emits "close", and when the connection breaks because the child died, the error should say how
 * the child ended rather than only "ECONNRESET".
 */
import { Duplex } from "node:stream";
import type { Readable, Writable } from "node:stream";
import type { ChildHandle } from "./child-process.js";

/** How a ChildStream treats its child. */
export interface ChildStreamOptions {
  /** Names the connection in errors, e.g. `exec:/usr/libexec/service`. */
  label: string;
  /**
   * When the child's output ends, wait for the child to exit (terminating it after a grace
   * period) before ending the stream, so a failing exit status is reported. Right for a bridge,
   * whose output ends when it exits; wrong for a service that may close one connection and live on.
   */
  awaitExitOnEnd: boolean;
  /** Runs once the child has exited, before the stream emits "close". */
  cleanup?: () => Promise<void>;
}

/** A connection carried by a child process; destroying it stops the child. */
export class ChildStream extends Duplex {
  private readonly input: Readable;
  private readonly output: Writable;
  private readonly handle: ChildHandle;
  private readonly options: ChildStreamOptions;
  /** The callback of a write waiting for the output to drain. */
  private blockedWrite: (() => void) | undefined;
  private failing = false;
  /** A socket is both input and output; a child's stdout and stdin are two streams. */
  private readonly oneStream: boolean;

  constructor(input: Readable, output: Writable, handle: ChildHandle, options: ChildStreamOptions) {
    super({ allowHalfOpen: false });
    this.input = input;
    this.output = output;
    this.handle = handle;
    this.options = options;
    this.oneStream = (input as Duplex | Readable) === (output as Duplex | Writable);
    input.on("data", this.onData);
    input.once("end", this.onInputEnd);
    input.on("error", this.onInputError);
    output.on("drain", this.releaseWrite);
    output.on("close", this.releaseWrite);
    if (!this.oneStream) {
      // A child that stops reading its stdin (or exits) makes writes fail with EPIPE. What it
      // wrote before still arrives on its stdout, whose end decides how the stream ends.
      output.on("error", this.releaseWrite);
    }
  }

  /** The child's process id. */
  get pid(): number | undefined {
    return this.handle.child.pid;
  }

  override _read(): void {
    this.input.resume();
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    if (this.output.destroyed || this.output.writableEnded) {
      // The peer is gone; the input side reports how, as on a reset socket.
      callback();
      return;
    }
    if (this.output.write(chunk)) callback();
    else this.blockedWrite = callback;
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.output.destroyed && !this.output.writableEnded) this.output.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.input.off("data", this.onData);
    this.input.off("end", this.onInputEnd);
    this.input.destroy();
    if (!this.oneStream && !this.output.destroyed && !this.output.writableEnded) this.output.end();
    this.releaseWrite();
    const cleanup = this.options.cleanup;
    this.handle
      .terminate()
      .then(() => cleanup?.())
      .catch(() => undefined)
      .finally(() => callback(error));
  }

  private readonly onData = (chunk: Buffer): void => {
    if (!this.push(chunk)) this.input.pause();
  };

  private readonly releaseWrite = (): void => {
    const callback = this.blockedWrite;
    this.blockedWrite = undefined;
    callback?.();
  };

  private readonly onInputEnd = (): void => {
    if (!this.options.awaitExitOnEnd) {
      this.endReadable();
      return;
    }
    if (!this.output.destroyed && !this.output.writableEnded) this.output.end();
    void this.handle.settle().then(() => this.endReadable());
  };

  private endReadable(): void {
    if (this.destroyed) return;
    if (this.handle.failedOnItsOwn) {
      this.destroy(
        this.handle.exitError("closed", this.options.label, "and closed the connection"),
      );
    } else {
      this.push(null);
    }
  }

  private readonly onInputError = (error: Error): void => {
    if (this.failing || this.destroyed) return;
    this.failing = true;
    // A reset connection usually means the child died: wait for it to learn how.
    void this.handle.terminate().then(() => {
      this.destroy(
        this.handle.endedOnItsOwn
          ? this.handle.exitError("closed", this.options.label, "and closed the connection")
          : error,
      );
    });
  };
}
