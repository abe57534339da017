/**
 * One client connection on the server side: reads NUL-framed calls, hands them one at a time to
 * the dispatcher, and writes the replies back in order.
 *
 * Flow control runs both ways. Output is queued and written once per event-loop turn, so
 * pipelined replies leave in one write, and no new call starts while the stream asks for `drain`;
 * meanwhile input is read only a little ahead, so a client that neither reads nor stops sending
 * fills the kernel buffers rather than the server's memory. While a handler runs, everything the
 * client sends after its call is read and held, because only reading to the end of the input
 * reveals a client that hung up (Node reports a closed peer only as the end of what it sent), and
 * a call must learn through its signal that its client is gone; a client that sends more than
 * `maxMessageSize` bytes ahead of a call in progress is dropped.
 *
 * A client that misbehaves within flow control is dropped with a log line rather than held
 * forever: one whose message does not end in time (`messageTimeout`), one that stops reading its
 * replies (`writeTimeout`), and one for which more output is queued than `maxQueuedOutput` (a
 * handler that sends with `context.reply()` without awaiting it). What a connection holds
 * (partial input, read-ahead, queued output) is reported to the process's memory budget, which
 * closes the connections holding the most when many hold much at once.
 *
 * Messages are taken one after another within a turn of the event loop only up to
 * {@link TURN_INPUT} bytes; then the connection lets the others have theirs, so one client's
 * pipelined stream of large messages cannot starve them. A large message also waits for the
 * process's one large message of the turn (see large-messages.ts), so that many clients sending
 * them at once cannot hold back small calls either.
 */
import type { Duplex } from "node:stream";
import type { BudgetAccount, BudgetHolder, MemoryBudget } from "../memory-budget.js";
import { attachReceived, closeFds, closeUntaken } from "../fds/attached.js";
import { isNativeSocket } from "../fds/native.js";
import { ReceivedFds } from "../fds/received.js";
import { concatBytes } from "../protocol/bytes.js";
import { MessageReader, SEPARATE_NUL_THRESHOLD, decodeMessage } from "../protocol/framing.js";
import { CALL_SHAPE } from "../protocol/message-shape.js";
import { frameLength, type Frame } from "../protocol/serialize.js";
import { parseCall, type ParsedCall } from "./call.js";
import { peerOf } from "./call-context.js";
import { LARGE_MESSAGE, takeLargeMessageTurn } from "./large-messages.js";
import type { CallPeer, ServiceLogger } from "./types.js";
import { Watchdog } from "./watchdog.js";

/** What a call in progress may do with its connection. */
export interface ReplyChannel {
  /** Fires when the connection has closed. */
  readonly signal: AbortSignal;
  /**
   * Who is at the other end, worked out once when the connection opened; a channel without one
   * (sans-IO `handle()`) gives its calls `{ transport: "stream" }`.
   */
  readonly peer?: CallPeer;
  /**
   * Queues one message: its JSON, to which the NUL is added here, or the buffers of a large
   * one, NUL included, with the file descriptors to send along (closed once sent, or dropped).
   * Dropped once the connection is closed.
   */
  write(frame: Frame, fds?: readonly number[]): void;
  /** True when the connection can send file descriptors (a unix socket from the addon). */
  readonly passesFds?: boolean;
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
/** Answers one call; undefined when it was answered synchronously, else a promise of the end. */
export type CallHandler = (call: ParsedCall, channel: ReplyChannel) => Promise<void> | undefined;

/** How a connection behaves, from the service's options. */
export interface ConnectionOptions {
  readonly maxMessageSize: number;
  /** Bytes of output that may wait for the client; past it the connection is dropped. */
  readonly maxQueuedOutput: number;
  readonly idleTimeout: number | undefined;
  /** Milliseconds a started message may take to end while the server waits for it. */
  readonly messageTimeout: number | undefined;
  /** Milliseconds queued output may wait without the client taking any of it. */
  readonly writeTimeout: number | undefined;
  readonly logger: ServiceLogger;
  /** Where what the connection holds for its client is counted. */
  readonly memoryBudget: MemoryBudget;
  /** Says that the budget closed a connection (the service rate-limits the line). */
  readonly onEvicted: () => void;
  /** Called once, when the connection closes or is detached for an upgrade. */
  readonly onGone: (connection: Connection) => void;
}

/** Bytes read ahead while the client does not take its replies. */
const READ_AHEAD = 64 * 1024;
/** Queued output at which it is written at once rather than at the end of the turn. */
const FLUSH_THRESHOLD = 64 * 1024;
/** Bytes of messages one connection may take in one turn of the event loop before yielding. */
const TURN_INPUT = 1024 * 1024;

type State = "open" | "ending" | "closed" | "detached";

/** The server's side of one connection. */
export class Connection implements ReplyChannel, BudgetHolder {
  /** Resolves when the stream has closed or was handed over by an upgrade. */
  readonly done: Promise<void>;
  /** Worked out here, once, so that a call's context only copies it. */
  readonly peer: CallPeer;
  private readonly abortController = new AbortController();
  private readonly reader: MessageReader;
  private state: State = "open";
  /** A call is in progress; no further message is read. */
  private busy = false;
  /** The call in progress is an upgrade: read nothing more, the bytes may not be varlink. */
  private holdInput = false;
  /**
   * No call is in progress, but the next waits: until the client takes its replies, or for the
   * next turn of the event loop. Input is read only {@link READ_AHEAD} bytes ahead meanwhile.
   */
  private betweenCalls = false;
  private inputEnded = false;
  /** The service is closing: finish the call in progress, then close. */
  private closing = false;
  private output: (string | Uint8Array)[] = [];
  private outputLength = 0;
  /** A flush is queued for the end of this turn of the event loop. */
  private flushQueued = false;
  private readonly idleTimer: Watchdog;
  private readonly messageTimer: Watchdog;
  private readonly writeTimer: Watchdog;
  /** The stream's buffered output when the write timer was armed, to tell a slow reader from none. */
  private stalledOutput = 0;
  /** Resolves at the next 'drain' (or close), while something waits for it. */
  private drained: Promise<void> | undefined;
  private markDone: () => void = () => undefined;
  private readonly account: BudgetAccount;
  /**
   * Bytes of messages taken in this turn of the event loop: kept across calls, since an async
   * handler's end resumes reading within the same turn (a microtask), not in the next.
   */
  private turnTaken = 0;
  /** A large message taken from the reader that waits for its turn to be parsed. */
  private deferred: string | undefined;
  /** The file descriptors that came with the deferred message. */
  private deferredFds: number[] | undefined;
  /** Descriptors received and not yet matched to a message; only on sockets that pass them. */
  private readonly receivedFds: ReceivedFds | undefined;
  /** The parameters of the call in progress, when descriptors came with it: closed at its end. */
  private callFds: object | undefined;
  /** True when replies can carry file descriptors. */
  readonly passesFds: boolean;

  constructor(
    private readonly stream: Duplex,
    private readonly handleCall: CallHandler,
    private readonly options: ConnectionOptions,
  ) {
    this.reader = new MessageReader(options.maxMessageSize);
    this.peer = peerOf(stream);
    this.done = new Promise((resolve) => (this.markDone = resolve));
    this.idleTimer = new Watchdog(options.idleTimeout, this.onIdleTimeout);
    this.messageTimer = new Watchdog(options.messageTimeout, this.onMessageTimeout, "waiting");
    this.writeTimer = new Watchdog(options.writeTimeout, this.onWriteTimeout);
    this.account = options.memoryBudget.open(this);
    this.passesFds = isNativeSocket(stream);
    if (isNativeSocket(stream)) {
      const received = new ReceivedFds();
      this.receivedFds = received;
      stream.on("fds", ({ fds, offset, length }) => received.add(fds, offset, length));
    }
    stream.on("readable", this.onReadable);
    stream.on("end", this.onEnd);
    stream.on("error", this.onError);
    stream.on("close", this.onClose);
    stream.on("drain", this.onDrain);
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

  /** Queues one message; see {@link ReplyChannel.write}. */
  write(frame: Frame, fds?: readonly number[]): void {
    if (this.state !== "open") {
      if (fds !== undefined) closeFds(fds);
      return;
    }
    if (fds !== undefined && fds.length > 0 && isNativeSocket(this.stream)) {
      // Descriptors go with the first byte of their message, in a write of its own.
      this.flush();
      const bytes = typeof frame === "string" ? `${frame}\0` : concatBytes(frame);
      this.stream.writeWithFds(bytes, fds, () => closeFds(fds));
      return;
    }
    const length = frameLength(frame) + (typeof frame === "string" ? 1 : 0);
    // One message alone always goes out; only a backlog of several is cut off.
    const queued = this.outputLength + this.stream.writableLength;
    if (queued > 0 && queued + length > this.options.maxQueuedOutput) {
      this.drop(
        `varlink: closing a connection that does not read its replies: more than ${this.options.maxQueuedOutput} bytes queued`,
      );
      return;
    }
    // A large JSON text is encoded here, apart from its NUL: a string the socket cannot take at
    // once is copied into native memory while the stream still holds the string, twice its size
    // for as long as the client does not read; its bytes are held once.
    if (typeof frame !== "string") for (const buffer of frame) this.output.push(buffer);
    else if (frame.length < SEPARATE_NUL_THRESHOLD) this.output.push(`${frame}\0`);
    else this.output.push(Buffer.from(frame), "\0");
    this.outputLength += length;
    this.account.set(this.heldBytes());
    if (this.state !== "open") return;
    if (this.outputLength >= FLUSH_THRESHOLD || typeof frame !== "string") {
      this.flush();
    } else if (!this.flushQueued) {
      // Replies made in one turn (a chunk of pipelined calls) leave in one write, and a lone
      // reply leaves before the loop waits for I/O again.
      this.flushQueued = true;
      process.nextTick(this.flush);
    }
  }

  /** Resolves when the stream takes more output; see {@link ReplyChannel.writable}. */
  async writable(): Promise<void> {
    const stream = this.stream;
    if (this.state !== "open" || stream.destroyed || !stream.writableNeedDrain) return;
    this.watchOutput();
    // One wait shared by every caller: a handler that sends many replies without awaiting each
    // must not add a pair of listeners per reply.
    this.drained ??= new Promise<void>((resolve) => {
      const done = (): void => {
        stream.off("drain", done);
        stream.off("close", done);
        this.drained = undefined;
        resolve();
      };
      stream.on("drain", done);
      stream.on("close", done);
    });
    return this.drained;
  }

  /** Hands the raw stream over; see {@link ReplyChannel.detach}. */
  detach(): Duplex {
    this.flush();
    this.state = "detached";
    this.stopTimers();
    this.stream.off("readable", this.onReadable);
    this.stream.off("end", this.onEnd);
    this.stream.off("drain", this.onDrain);
    // 'error' and 'close' stay: the call's signal still reports the end of the stream, and an
    // error the new owner does not listen for must not crash the process.
    const rest = this.reader.takeRest();
    if (rest.length > 0) this.stream.unshift(rest);
    // The stream's bytes are the handler's from now on, and so is their memory.
    this.account.close();
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

  /** Bytes held for the client: its input not yet taken as calls, and output not yet sent. */
  heldBytes(): number {
    const stream = this.stream;
    return (
      this.reader.pendingBytes +
      (this.deferred?.length ?? 0) +
      stream.readableLength +
      this.outputLength +
      stream.writableLength
    );
  }

  /** The memory budget is spent and this connection holds the most: it goes. */
  evict(): void {
    if (this.state !== "open" && this.state !== "ending") return;
    this.options.onEvicted();
    this.state = "ending";
    this.output = [];
    this.outputLength = 0;
    this.destroy();
  }

  private readonly onReadable = (): void => {
    if (this.state !== "open") return;
    this.idleTimer.disarm();
    if (!this.busy) {
      this.pump();
    } else if (this.betweenCalls) {
      while (this.reader.pendingBytes < READ_AHEAD && this.pull() > 0);
      this.account.set(this.heldBytes());
    } else {
      this.readAhead();
    }
  };

  /**
   * While a handler runs: takes everything the client has sent, so that its end (a client that
   * hung up) is seen and the call's signal fires; a client that sends more than `maxMessageSize`
   * bytes ahead of the call is dropped instead of buffered without bound.
   */
  private readAhead(): void {
    if (this.holdInput || this.state !== "open") return;
    let pending = this.reader.pendingBytes;
    for (let pulled = this.pull(); pulled > 0; pulled = this.pull()) {
      pending += pulled;
      this.account.set(this.heldBytes());
      if (this.state !== "open") return;
      if (pending > this.options.maxMessageSize) {
        this.drop(
          `varlink: closing a connection that sent more than ${this.options.maxMessageSize} bytes ahead of the call in progress`,
        );
        return;
      }
    }
  }

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
    this.stopTimers();
    this.output = [];
    this.outputLength = 0;
    this.deferred = undefined;
    if (this.deferredFds !== undefined) closeFds(this.deferredFds);
    this.deferredFds = undefined;
    this.receivedFds?.closeAll();
    this.releaseCallFds();
    this.account.close();
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
      let text: string | undefined;
      let fds: number[] | undefined;
      let call: ParsedCall;
      try {
        if (this.turnTaken >= TURN_INPUT) {
          this.yieldTurn();
          return;
        }
        fds = this.deferredFds;
        this.deferredFds = undefined;
        if (this.deferred !== undefined) {
          text = this.deferred;
          this.deferred = undefined;
        } else {
          const start = this.reader.nextMessageOffset;
          text = this.reader.read();
          if (text !== undefined) fds = this.receivedFds?.forMessage(start, this.reader.nextMessageOffset);
        }
        if (text === undefined) {
          if (this.pull() > 0) {
            this.account.set(this.heldBytes());
            continue;
          }
          this.account.set(this.heldBytes());
          this.idle();
          return;
        }
        this.messageTimer.disarm();
        if (text.length >= LARGE_MESSAGE && !takeLargeMessageTurn()) {
          this.deferred = text;
          this.deferredFds = fds;
          this.yieldTurn();
          return;
        }
        if (this.turnTaken === 0) setImmediate(this.newTurn);
        this.turnTaken += text.length;
        call = parseCall(decodeMessage(text, CALL_SHAPE));
      } catch (error) {
        if (fds !== undefined) closeFds(fds);
        this.violation(error);
        return;
      }
      if (fds !== undefined) {
        attachReceived(call.parameters, fds);
        this.callFds = call.parameters;
      }
      this.busy = true;
      this.holdInput = call.upgrade;
      const pending = this.handleCall(call, this);
      if (pending === undefined) {
        // Answered already: go on with the next call in this loop, with no promise turn.
        this.busy = false;
        this.holdInput = false;
        this.releaseCallFds();
        continue;
      }
      pending.then(this.callDone, this.callFailed);
      // What arrived before the call started raises no new 'readable' event: take it now.
      this.readAhead();
    }
  }

  private readonly newTurn = (): void => {
    this.turnTaken = 0;
  };

  /** Lets other connections have this turn; the next message is taken in the next. */
  private yieldTurn(): void {
    this.busy = true;
    this.betweenCalls = true;
    setImmediate(this.callDone);
  }

  private waitForDrain(): void {
    this.watchOutput();
    this.busy = true;
    this.betweenCalls = true;
    void this.writable().then(this.callDone);
  }

  /** The call in progress has ended: the descriptors its handler did not take are closed. */
  private releaseCallFds(): void {
    if (this.callFds === undefined) return;
    closeUntaken(this.callFds);
    this.callFds = undefined;
  }

  private readonly callDone = (): void => {
    this.releaseCallFds();
    this.busy = false;
    this.holdInput = false;
    this.betweenCalls = false;
    this.pump();
  };

  private readonly callFailed = (error: unknown): void => {
    this.log("varlink: internal error, closing the connection", error);
    this.destroy();
  };

  /** Moves one chunk from the stream into the reader; returns its size, 0 when there is none. */
  private pull(): number {
    const chunk: unknown = this.stream.read();
    if (chunk === null) return 0;
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    this.reader.push(bytes);
    // An empty chunk still counts as progress, so callers keep reading.
    return Math.max(bytes.length, 1);
  }

  private idle(): void {
    if (this.inputEnded) {
      this.shutdown();
      return;
    }
    this.idleTimer.arm();
    // Bytes of a message whose NUL has not come: the server is waiting on the client.
    if (this.reader.pendingBytes > 0) this.messageTimer.arm();
  }

  private readonly onIdleTimeout = (): void => {
    if (this.state === "open" && !this.busy) this.shutdown();
  };

  private readonly onMessageTimeout = (): void => {
    if (this.state !== "open" || this.busy) return;
    this.log(
      `varlink: closing a connection whose message did not end within ${this.options.messageTimeout} ms`,
    );
    this.shutdown();
  };

  /** Watches queued output that waits for the client, to drop a client that reads nothing. */
  private watchOutput(): void {
    if (this.writeTimer.armed) return;
    this.stalledOutput = this.stream.writableLength;
    this.writeTimer.arm();
  }

  private readonly onDrain = (): void => {
    this.writeTimer.disarm();
    this.account.set(this.heldBytes());
  };

  private readonly onWriteTimeout = (): void => {
    const stream = this.stream;
    const waiting =
      this.state === "ending" ? !stream.writableFinished : this.state === "open" && stream.writableNeedDrain;
    if (!waiting || stream.destroyed) return;
    if (stream.writableLength < this.stalledOutput) {
      // The client reads, only slowly: give it another period.
      this.watchOutput();
      return;
    }
    this.drop(
      `varlink: closing a connection that has not read its replies for ${this.options.writeTimeout} ms`,
    );
  };

  private violation(error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    this.log(`varlink: closing the connection after a protocol violation: ${reason}`);
    this.shutdown();
  }

  /**
   * Writes what is queued, ends the stream, and destroys it once the end has been sent, or once
   * `writeTimeout` passes without the client taking any of it.
   */
  private shutdown(): void {
    if (this.state !== "open") return;
    this.flush();
    this.state = "ending";
    this.idleTimer.disarm();
    this.messageTimer.disarm();
    const stream = this.stream;
    if (stream.writableFinished || stream.destroyed) {
      stream.destroy();
      return;
    }
    stream.once("finish", () => stream.destroy());
    if (!stream.writableEnded) stream.end();
    if (!stream.writableFinished) {
      this.writeTimer.disarm();
      this.watchOutput();
    }
  }

  /** Closes the connection now, dropping queued output, and says why. */
  private drop(reason: string): void {
    if (this.state !== "open" && this.state !== "ending") return;
    this.state = "ending";
    this.output = [];
    this.outputLength = 0;
    this.log(reason);
    this.destroy();
  }

  private readonly flush = (): void => {
    this.flushQueued = false;
    if (this.output.length === 0) return;
    const output = this.output;
    // A frame of buffers is flushed as soon as it is queued, so it is the last piece.
    const large = this.outputLength >= FLUSH_THRESHOLD || typeof output[output.length - 1] !== "string";
    this.output = [];
    this.outputLength = 0;
    const stream = this.stream;
    if (!stream.writable) return;
    if (!large) {
      if (!stream.write(output.join(""))) this.watchOutput();
      return;
    }
    // Joining would copy every large reply once more; corked, the pieces still leave together.
    stream.cork();
    let accepted = true;
    for (const piece of output) accepted = stream.write(piece);
    stream.uncork();
    if (!accepted) this.watchOutput();
  };

  private stopTimers(): void {
    this.idleTimer.disarm();
    this.messageTimer.disarm();
    this.writeTimer.disarm();
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
