/**
 * One client connection on the server side: reads NUL-framed calls, hands them one at a time to
 * the dispatcher, and writes the replies back in order.
 *
 * Flow control runs both ways. Input is pulled with `read()` only while no call is in progress
 * (plus a small read-ahead, so a client that hangs up is noticed while a call runs), so a client
 * that pipelines without end fills the kernel buffers rather than the server's memory. Output is
 * queued and written once per event-loop turn, so pipelined replies leave in one write, and a
 * call does not proceed while the stream asks for `drain`.
 */
import type { Duplex } from "node:stream";
import { MessageReader, decodeMessage } from "../protocol/framing.js";
import { parseCall, type ParsedCall } from "./call.js";
import type { ServiceLogger } from "./types.js";

/** What a call in progress may do with its connection. */
export interface ReplyChannel {
  /** Fires when the connection has closed. */
  readonly signal: AbortSignal;
  /** Queues one encoded message (JSON and NUL). Dropped once the connection is closed. */
  write(text: string): void;
  /** Resolves when the stream can take more output, or the connection has closed. */
  writable(): Promise<void>;
  /**
   * Stops serving varlink and returns the raw stream, the unread bytes that followed the
   * current call put back in front of it. Queued output is written first.
   */
  detach(): Duplex;
  /** Closes the connection once queued output is written. */
  end(): void;
}

/** Runs one call; it must not reject, since the connection has nobody to tell. */
export type CallHandler = (call: ParsedCall, channel: ReplyChannel) => Promise<void>;

/** How a connection behaves, from the service's options. */
export interface ConnectionOptions {
  readonly maxMessageSize: number;
  readonly idleTimeout: number | undefined;
  readonly logger: ServiceLogger;
  /** Called once, when the connection closes or is detached for an upgrade. */
  readonly onGone: (connection: Connection) => void;
}

/** Bytes read ahead while a call runs. */
const READ_AHEAD = 64 * 1024;
/** Queued output at which it is written at once rather than at the end of the turn. */
const FLUSH_THRESHOLD = 64 * 1024;

type State = "open" | "ending" | "closed" | "detached";

/** The server's side of one connection. */
export class Connection implements ReplyChannel {
  /** Resolves when the stream has closed or was handed over by an upgrade. */
  readonly done: Promise<void>;
  private readonly abortController = new AbortController();
  private readonly reader: MessageReader;
  private state: State = "open";
  /** A call is in progress; no further message is read. */
  private busy = false;
  /** The call in progress is an upgrade: read nothing more, the bytes may not be varlink. */
  private holdInput = false;
  private inputEnded = false;
  /** The service is closing: finish the call in progress, then close. */
  private closing = false;
  private output: string[] = [];
  private outputLength = 0;
  private flushImmediate: NodeJS.Immediate | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private markDone: () => void = () => undefined;

  constructor(
    private readonly stream: Duplex,
    private readonly handleCall: CallHandler,
    private readonly options: ConnectionOptions,
  ) {
    this.reader = new MessageReader(options.maxMessageSize);
    this.done = new Promise((resolve) => (this.markDone = resolve));
    stream.on("readable", this.onReadable);
    stream.on("end", this.onEnd);
    stream.on("error", this.onError);
    stream.on("close", this.onClose);
    if (stream.destroyed) {
      this.onClose();
      return;
    }
    this.pump();
  }

  /** Fires when the connection has closed. */
  get signal(): AbortSignal {
    return this.abortController.signal;
  }

  /** Queues one encoded message; see {@link ReplyChannel.write}. */
  write(text: string): void {
    if (this.state !== "open") return;
    this.output.push(text);
    this.outputLength += text.length;
    if (this.outputLength >= FLUSH_THRESHOLD) {
      this.flush();
    } else if (this.flushImmediate === undefined) {
      this.flushImmediate = setImmediate(this.flush);
    }
  }

  /** Resolves when the stream takes more output; see {@link ReplyChannel.writable}. */
  async writable(): Promise<void> {
    const stream = this.stream;
    if (this.state !== "open" || stream.destroyed || !stream.writableNeedDrain) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        stream.off("drain", done);
        stream.off("close", done);
        resolve();
      };
      stream.on("drain", done);
      stream.on("close", done);
    });
  }

  /** Hands the raw stream over; see {@link ReplyChannel.detach}. */
  detach(): Duplex {
    this.flush();
    this.state = "detached";
    this.clearIdleTimer();
    this.stream.off("readable", this.onReadable);
    this.stream.off("end", this.onEnd);
    // 'error' and 'close' stay: the call's signal still reports the end of the stream, and an
    // error the new owner does not listen for must not crash the process.
    const rest = this.reader.takeRest();
    if (rest.length > 0) this.stream.unshift(rest);
    this.options.onGone(this);
    this.markDone();
    return this.stream;
  }

  /** Closes once queued output is written; see {@link ReplyChannel.end}. */
  end(): void {
    this.shutdown();
  }

  /** Closes the connection once the call in progress, if any, has been answered. */
  closeWhenIdle(): void {
    this.closing = true;
    if (!this.busy) this.shutdown();
  }

  /** Closes the connection now, dropping queued output. */
  destroy(): void {
    this.stream.destroy();
  }

  private readonly onReadable = (): void => {
    if (this.state !== "open") return;
    this.clearIdleTimer();
    if (!this.busy) {
      this.pump();
    } else if (!this.holdInput) {
      while (this.reader.pendingBytes < READ_AHEAD && this.pull());
    }
  };

  private readonly onEnd = (): void => {
    this.inputEnded = true;
    this.pump();
  };

  private readonly onError = (): void => {
    // Resets and broken pipes are how clients leave; there is nothing to report.
    this.stream.destroy();
  };

  private readonly onClose = (): void => {
    if (this.state === "closed") return;
    const wasDetached = this.state === "detached";
    this.state = "closed";
    this.clearIdleTimer();
    if (this.flushImmediate !== undefined) clearImmediate(this.flushImmediate);
    this.output = [];
    this.outputLength = 0;
    this.abortController.abort();
    if (!wasDetached) this.options.onGone(this);
    this.markDone();
  };

  /** Reads and starts the next call, if one is complete and none is in progress. */
  private pump(): void {
    while (this.state === "open" && !this.busy) {
      if (this.closing) {
        this.shutdown();
        return;
      }
      if (this.stream.writableNeedDrain) {
        // The client is not reading its replies: take no new call until it catches up.
        this.waitForDrain();
        return;
      }
      let bytes: Buffer | undefined;
      let call: ParsedCall;
      try {
        bytes = this.reader.read();
        if (bytes === undefined) {
          if (this.pull()) continue;
          this.idle();
          return;
        }
        call = parseCall(decodeMessage(bytes));
      } catch (error) {
        this.violation(error);
        return;
      }
      this.busy = true;
      this.holdInput = call.upgrade;
      this.handleCall(call, this).then(this.callDone, this.callFailed);
    }
  }

  private waitForDrain(): void {
    this.busy = true;
    void this.writable().then(this.callDone);
  }

  private readonly callDone = (): void => {
    this.busy = false;
    this.holdInput = false;
    this.pump();
  };

  private readonly callFailed = (error: unknown): void => {
    this.log("varlink: internal error, closing the connection", error);
    this.destroy();
  };

  /** Moves one chunk from the stream into the reader; false when the stream has none now. */
  private pull(): boolean {
    const chunk: unknown = this.stream.read();
    if (chunk === null) return false;
    this.reader.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
    return true;
  }

  private idle(): void {
    if (this.inputEnded) {
      this.shutdown();
      return;
    }
    const timeout = this.options.idleTimeout;
    if (timeout !== undefined && this.idleTimer === undefined) {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = undefined;
        if (!this.busy) this.shutdown();
      }, timeout);
    }
  }

  private violation(error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    this.log(`varlink: closing the connection after a protocol violation: ${reason}`);
    this.shutdown();
  }

  /** Writes what is queued, ends the stream, and destroys it once the end has been sent. */
  private shutdown(): void {
    if (this.state !== "open") return;
    this.flush();
    this.state = "ending";
    this.clearIdleTimer();
    const stream = this.stream;
    if (stream.writableFinished || stream.destroyed) {
      stream.destroy();
      return;
    }
    stream.once("finish", () => stream.destroy());
    if (!stream.writableEnded) stream.end();
  }

  private readonly flush = (): void => {
    if (this.flushImmediate !== undefined) {
      clearImmediate(this.flushImmediate);
      this.flushImmediate = undefined;
    }
    if (this.output.length === 0) return;
    const data = this.output.join("");
    this.output = [];
    this.outputLength = 0;
    if (this.stream.writable) this.stream.write(data);
  };

  private clearIdleTimer(): void {
    if (this.idleTimer !== undefined) {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
    }
  }

  private log(message: string, cause?: unknown): void {
    try {
      if (cause === undefined) this.options.logger(message);
      else this.options.logger(message, cause);
    } catch {
      // A failing logger must not take the connection down with it.
    }
  }
}
