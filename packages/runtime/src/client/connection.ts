/**
 * A client-side connection: one stream to a service, any number of calls in flight on it.
 *
 * Calls are written as soon as they are made (pipelined) and their replies are matched to them in
 * order. Whatever ends the connection (the peer, `close()`, an aborted call, a protocol error)
 * rejects every call still waiting at once, so no call can hang on a dead connection.
 */
import type { Duplex } from "node:stream";
import { ConnectionError, errorFromReply, ProtocolError, STANDARD_ERROR_CLASSES } from "../errors.js";
import { buildCallMessage, parseReply } from "../protocol/call-message.js";
import type { CallMode } from "../protocol/call-message.js";
import { concatBytes, encodeUtf8 } from "../protocol/bytes.js";
import { attachReceived, closeFds, outgoingFds } from "../fds/attached.js";
import { isNativeSocket } from "../fds/native.js";
import { ReceivedFds } from "../fds/received.js";
import { decodeMessage, MessageReader, writeMessage } from "../protocol/framing.js";
import { REPLY_SHAPE } from "../protocol/message-shape.js";
import { serializeMessage, type Frame } from "../protocol/serialize.js";
import type { CallOptions, JsonObject } from "../types.js";
import { abortedError, checkTimeout, guardCall } from "./call-guard.js";
import { asyncDispose } from "../dispose.js";
import { processMemoryBudget, type BudgetAccount, type MemoryBudget } from "../memory-budget.js";
import { MoreReplies } from "./more-replies.js";
import { CallQueue, PendingCall } from "./pending-calls.js";
import type { CallHandlers, ReplySpec } from "./pending-calls.js";

/** Options of a connection made from a stream. */
export interface ConnectionOptions {
  /** The largest reply, in bytes, the client accepts; bigger ones are a ProtocolError. Default 16 MiB. */
  maxMessageSize?: number;
  /**
   * Where the bytes held for the service (a partial reply, `more` replies not yet taken) are
   * counted. When the budget is spent, the connections holding the most are closed; their calls
   * reject with `ConnectionError` `cancelled`. Default: the budget the process's services and
   * clients share, a quarter of V8's heap limit.
   */
  memoryBudget?: MemoryBudget;
}

/** What an `upgrade` call resolves to. */
export interface UpgradeResult<O extends object = JsonObject> {
  /** The parameters of the reply that confirmed the upgrade. */
  parameters: O;
  /**
   * The connection, which no longer speaks varlink. Bytes the peer sent after its reply are the
   * first ones read from it. It is paused until read from or piped, and closing it is up to you.
   */
  stream: Duplex;
}

/**
 * The part of a Node `Duplex` a connection uses. Node streams have it, and so does the stream a
 * browser's WebSocket is wrapped in (transport/websocket-stream.ts), which is how one client
 * serves both.
 * @internal
 */
export interface ByteStream {
  readonly destroyed: boolean;
  readonly readableEnded: boolean;
  readonly readableLength: number;
  read(): unknown;
  unshift(chunk: Uint8Array): void;
  write(chunk: string | Uint8Array, callback?: (error: Error | null | undefined) => void): boolean;
  cork(): void;
  uncork(): void;
  destroy(): void;
  on(event: "readable" | "end" | "close", listener: () => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  off(event: "readable" | "end" | "close", listener: () => void): unknown;
  off(event: "error", listener: (error: Error) => void): unknown;
}

/** Node's `process.nextTick` where there is one; elsewhere a microtask, much the same moment. */
const nextTick: (callback: () => void) => void = globalThis.process?.nextTick ?? queueMicrotask;

type State = "open" | "closed" | "upgraded";

/** A call written while an upgrade is undecided waits here, as it must not reach the new protocol. */
interface HeldCall {
  /** The call, serialized. */
  readonly frame: Frame;
  readonly call: PendingCall;
  /** File descriptors sent with it (see `withFds`), closed once written. */
  readonly fds?: readonly number[] | undefined;
}

/**
 * A varlink connection seen from the client side.
 *
 * Make one with `connect(address)` or, for a stream you opened yourself, `Connection.fromStream`;
 * `createClient(descriptor, connection)` gives a typed client on it. Its own methods take fully
 * qualified method names (`org.example.ping.Ping`) and map error replies to the standard error
 * classes; a typed client maps those its interface declares as well. Every call takes `CallOptions`: when its
 * `signal` fires or its `timeout` passes, the connection is closed, because varlink cannot cancel
 * a single call; that call rejects with `ConnectionError` `aborted` or `timeout` and every other
 * call pending on the connection with `cancelled`.
 *
 * Replies are parsed as `JSON.parse` parses them (see protocol/parse-json.ts). The connection's
 * own calls do not know which fields are `int`s, so an integer beyond 2^53 arrives as
 * `JSON.parse` rounded it; a typed client refuses such a reply with a `ValueError` instead.
 *
 * In runtimes that have `Symbol.asyncDispose` a connection works with `await using`, which closes it.
 */
export class Connection {
  private readonly stream: ByteStream;
  private readonly reader: MessageReader;
  /** Calls that expect replies, in the order they were written. */
  private readonly pending = new CallQueue<PendingCall>();
  /** Oneway calls whose bytes have not been flushed yet. */
  private readonly unflushed = new Set<PendingCall>();
  /** Set while an upgrade call waits for its reply: later calls are held back until it is known. */
  private held: HeldCall[] | undefined;
  private state: State = "open";
  /** Why the connection ended; every later call gets a copy. */
  private endReason: ConnectionError | undefined;
  private corked = false;
  private readonly account: BudgetAccount;
  /** Bytes of `more` replies received and not yet taken by their consumers. */
  private bufferedReplyBytes = 0;
  /** Descriptors received and not yet matched to a reply; only on sockets that pass them. */
  private readonly receivedFds: ReceivedFds | undefined;

  private constructor(stream: ByteStream, options: ConnectionOptions) {
    this.stream = stream;
    this.reader = new MessageReader(options.maxMessageSize);
    this.account = (options.memoryBudget ?? processMemoryBudget()).open({
      heldBytes: () => this.heldBytes(),
      evict: (budget) => this.evict(budget),
    });
    if (isNativeSocket(stream)) {
      const received = new ReceivedFds();
      this.receivedFds = received;
      stream.on("fds", ({ fds, offset, length }) => received.add(fds, offset, length));
    }
    stream.on("readable", this.onReadable);
    stream.on("end", this.onEnd);
    stream.on("close", this.onEnd);
    stream.on("error", this.onError);
    if (stream.destroyed || stream.readableEnded) {
      this.onEnd();
    }
  }

  /**
   * A client speaking varlink over an open byte stream, such as a `net.Socket`, a child's stdio
   * joined into one Duplex, or one end of `duplexPair()`. The client reads from the stream from now
   * on and destroys it when the connection ends.
   */
  static fromStream(stream: Duplex, options: ConnectionOptions = {}): Connection {
    return new Connection(stream, options);
  }

  /**
   * A client on any stream with the part of the Duplex interface a connection uses.
   * @internal
   */
  static fromByteStream(stream: ByteStream, options: ConnectionOptions = {}): Connection {
    return new Connection(stream, options);
  }

  /**
   * The stream under the connection, for what only it can tell (peer credentials).
   * @internal
   */
  rawStream(): ByteStream {
    return this.stream;
  }

  /** True once the connection has ended (or been upgraded); every call then rejects at once. */
  get closed(): boolean {
    return this.state !== "open";
  }

  /**
   * Calls `method` and resolves with the parameters of its reply.
   * Rejects with a `VarlinkError` for an error reply (one of the standard classes for the seven
   * standard errors), or with `ConnectionError` / `ProtocolError` when the connection fails.
   */
  call<O extends object = JsonObject>(
    method: string,
    parameters?: object,
    options?: CallOptions,
  ): Promise<O> {
    return this.callWith(STANDARD_SPEC, method, parameters, options);
  }

  /**
   * Calls `method` with `more` and iterates its replies until the one without `continues`.
   *
   * The call is written immediately, not when iteration starts, so it keeps its place among other
   * calls; replies that arrive before they are read are buffered. An error reply makes the
   * iteration throw. Leaving the loop before the last reply (`break`, `return`, a throw) closes the
   * connection, because varlink has no way to cancel a call: the other calls pending on it reject
   * with `ConnectionError` `cancelled`. Use a separate connection for a stream you may abandon.
   */
  callMore<O extends object = JsonObject>(
    method: string,
    parameters?: object,
    options?: CallOptions,
  ): AsyncIterableIterator<O> {
    return this.callMoreWith(STANDARD_SPEC, method, parameters, options);
  }

  /**
   * Calls `method` with `oneway`: the service sends no reply, not even an error. Resolves once the
   * call has been handed to the operating system.
   */
  callOneway(method: string, parameters?: object, options?: CallOptions): Promise<void> {
    return this.callOnewayWith(STANDARD_SPEC, method, parameters, options);
  }

  /**
   * Calls `method` with `upgrade`. When the service confirms, the connection stops speaking
   * varlink: the client reads nothing more from it, resolves with the reply and the raw stream,
   * and accepts no further calls (they reject with `ConnectionError` `closed`). Calls made while
   * the upgrade is undecided are held back and only written if the service answers with an error,
   * which keeps the connection varlink.
   */
  callUpgrade<O extends object = JsonObject>(
    method: string,
    parameters?: object,
    options?: CallOptions,
  ): Promise<UpgradeResult<O>> {
    return this.callUpgradeWith(STANDARD_SPEC, method, parameters, options);
  }

  /**
   * `call`, with replies read by `spec`; what typed clients call.
   * @internal
   */
  callWith<O extends object>(
    spec: ReplySpec,
    method: string,
    parameters: object | undefined,
    options: CallOptions | undefined,
  ): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.start(method, parameters, "call", options, spec, {
        reply: (reply) => resolve(reply as O),
        fail: reject,
      });
    });
  }

  /**
   * `callMore`, with replies read by `spec`.
   * @internal
   */
  callMoreWith<O extends object>(
    spec: ReplySpec,
    method: string,
    parameters: object | undefined,
    options: CallOptions | undefined,
  ): AsyncIterableIterator<O> {
    let call: PendingCall | undefined;
    const replies = new MoreReplies<O>({
      abandoned: () => {
        if (call !== undefined && !call.done) {
          this.shutdown(
            new ConnectionError(
              "cancelled",
              `connection closed because the replies of ${method} were abandoned`,
            ),
          );
        }
      },
      room: () => this.resume(),
      buffered: (delta) => {
        this.bufferedReplyBytes += delta;
        // Growth is reported once per chunk read (see onReadable); what is taken, at once.
        if (delta < 0) this.account.set(this.heldBytes());
      },
    });
    call = this.start(method, parameters, "more", options, spec, {
      reply: (reply, continues, size) => {
        replies.push(reply as O, size);
        if (!continues) replies.end();
        // The consumer is far behind: read no further until it catches up (see resume()).
        else if (replies.full) this.paused = true;
      },
      fail: (error) => replies.fail(error),
    });
    return replies;
  }

  /**
   * `callOneway`, with replies read by `spec` (none come, but the call is the same).
   * @internal
   */
  callOnewayWith(
    spec: ReplySpec,
    method: string,
    parameters: object | undefined,
    options: CallOptions | undefined,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.start(method, parameters, "oneway", options, spec, { reply: () => resolve(), fail: reject });
    });
  }

  /**
   * `callUpgrade`, with replies read by `spec`.
   * @internal
   */
  callUpgradeWith<O extends object>(
    spec: ReplySpec,
    method: string,
    parameters: object | undefined,
    options: CallOptions | undefined,
  ): Promise<UpgradeResult<O>> {
    return new Promise<UpgradeResult<O>>((resolve, reject) => {
      this.start(method, parameters, "upgrade", options, spec, {
        reply: () => reject(new ProtocolError(`the upgrade of ${method} was not confirmed`)),
        upgraded: (reply, stream) => resolve({ parameters: reply as O, stream }),
        fail: reject,
      });
    });
  }

  /**
   * Closes the connection. Calls still waiting reject with `ConnectionError` `cancelled`, and so
   * does every later call. Does nothing after an upgrade, since the stream is then the caller's.
   */
  close(): void {
    this.shutdown(new ConnectionError("cancelled", "the connection was closed by the client"));
  }

  /** Checks a call, writes it and registers it; returns undefined when it failed at once. */
  private start(
    method: string,
    parameters: object | undefined,
    mode: CallMode,
    options: CallOptions | undefined,
    spec: ReplySpec,
    handlers: CallHandlers,
  ): PendingCall | undefined {
    if (this.endReason !== undefined) {
      handlers.fail(copyError(this.endReason));
      return undefined;
    }
    const fds = outgoingFds(parameters);
    let frame: Frame;
    try {
      checkTimeout(options);
      if (fds !== undefined && fds.length > 0 && !isNativeSocket(this.stream)) {
        throw new TypeError(
          `${method}: this connection cannot pass file descriptors; connect to a unix socket with { fds: true } (needs @varlink-ts/native)`,
        );
      }
      frame = serializeMessage(buildCallMessage(method, parameters, mode));
    } catch (error) {
      if (fds !== undefined) closeFds(fds);
      handlers.fail(error as Error);
      return undefined;
    }
    const signal = options?.signal;
    if (signal?.aborted === true) {
      if (fds !== undefined) closeFds(fds);
      handlers.fail(abortedError(`call to ${method}`, signal));
      return undefined;
    }
    const call = new PendingCall(method, mode, spec, handlers);
    call.release = guardCall(`call to ${method}`, options, (error) => this.abort(call, error));
    if (mode === "oneway") this.unflushed.add(call);
    else this.pending.push(call);
    this.transmit({ frame, call, fds });
    return call;
  }

  private transmit(held: HeldCall): void {
    if (this.held !== undefined) {
      this.held.push(held);
      return;
    }
    const { frame, call, fds } = held;
    if (call.mode === "upgrade") this.held = [];
    // Calls made in the same tick go out in one write; a lone call waits only for the tick's end.
    if (!this.corked) {
      this.corked = true;
      this.stream.cork();
      nextTick(this.uncork);
    }
    if (fds !== undefined && fds.length > 0 && isNativeSocket(this.stream)) {
      // With the first byte of its message, in a write of its own; closed once written.
      const bytes = typeof frame === "string" ? `${frame}\0` : concatBytes(frame);
      this.stream.writeWithFds(bytes, fds, (error) => {
        closeFds(fds);
        if (call.mode !== "oneway") return;
        this.unflushed.delete(call);
        if (error === undefined || error === null) call.reply({}, false, 0);
        else {
          call.fail(streamError(error));
          this.onError(error);
        }
      });
      return;
    }
    if (call.mode !== "oneway") {
      writeMessage(this.stream, frame);
      return;
    }
    writeMessage(this.stream, frame, (error) => {
      this.unflushed.delete(call);
      if (error === undefined || error === null) {
        call.reply({}, false, 0);
        return;
      }
      // Failed here, since it has left `unflushed` that the shutdown fails.
      call.fail(streamError(error));
      if (this.state !== "upgraded") this.onError(error);
    });
  }

  /** Ends the tick's cork; one function for every tick rather than a closure each. */
  private readonly uncork = (): void => {
    this.corked = false;
    this.stream.uncork();
  };

  /** Reading stopped because a `more` consumer is far behind; see MoreReplies. */
  private paused = false;

  /** The service ended the connection while reading was paused: ended once replies are taken. */
  private endedWhilePaused = false;

  /** Reads on after a pause: first the replies already received, then the stream. */
  private resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.dispatch();
    this.onReadable();
    if (this.endedWhilePaused && !this.paused) this.onEnd();
  }

  private readonly onReadable = (): void => {
    while (this.state === "open" && !this.paused) {
      const chunk: unknown = this.stream.read();
      if (chunk === null) return;
      this.reader.push(typeof chunk === "string" ? encodeUtf8(chunk) : (chunk as Uint8Array));
      this.dispatch();
      this.account.set(this.heldBytes());
    }
  };

  /** Bytes held for the service: input not yet taken as replies, and replies not yet taken. */
  private heldBytes(): number {
    return this.reader.pendingBytes + this.stream.readableLength + this.bufferedReplyBytes;
  }

  /** The memory budget is spent and this connection holds the most: it goes. */
  private evict(budget: MemoryBudget): void {
    this.shutdown(
      new ConnectionError(
        "cancelled",
        `connection closed: the memory budget of ${budget.limit} bytes for peers is spent, and this connection held the most`,
      ),
    );
  }

  /** Hands every whole message read so far to the call it answers. */
  private dispatch(): void {
    while (this.state === "open" && !this.paused) {
      let reply: ReturnType<typeof parseReply>;
      let size = 0;
      let fds: number[] | undefined;
      try {
        const start = this.reader.nextMessageOffset;
        const text = this.reader.read();
        if (text === undefined) return;
        fds = this.receivedFds?.forMessage(start, this.reader.nextMessageOffset);
        size = text.length;
        reply = parseReply(decodeMessage(text, REPLY_SHAPE));
      } catch (error) {
        if (fds !== undefined) closeFds(fds);
        this.protocolFailure(error as ProtocolError);
        return;
      }
      const call = this.pending.peek();
      if (call === undefined) {
        if (fds !== undefined) closeFds(fds);
        this.protocolFailure(new ProtocolError("received a reply while no call was pending"));
        return;
      }
      if (fds !== undefined) {
        // Only a reply's parameters can take them (see takeFds); an error's are closed.
        if (reply.error === undefined) attachReceived(reply.parameters, fds);
        else closeFds(fds);
      }
      if (reply.error !== undefined) {
        this.pending.shift();
        call.fail(errorFromReply(reply.error, reply.parameters, call.spec.errors));
        if (call.mode === "upgrade") this.releaseHeld();
        continue;
      }
      if (reply.continues && call.mode !== "more") {
        this.protocolFailure(
          new ProtocolError(`reply to ${call.method} has "continues" but the call did not ask for more`),
        );
        return;
      }
      const refused = call.spec.check?.(reply.parameters);
      if (refused !== undefined) {
        if (!reply.continues) this.pending.shift();
        if (call.mode === "upgrade") {
          // The service has left varlink: the connection cannot go on without the upgrade.
          this.shutdown(new ConnectionError("closed", `the upgrade of ${call.method} was refused: ${refused.message}`), refused);
          return;
        }
        // The call fails; its later replies, if any, are read and dropped, as it is settled.
        call.fail(refused);
        continue;
      }
      if (call.mode === "upgrade") {
        this.pending.shift();
        this.upgrade(call, reply.parameters);
        return;
      }
      if (!reply.continues) this.pending.shift();
      call.reply(reply.parameters, reply.continues, size);
    }
  }

  /** The upgrade was refused: the connection stays varlink and the held calls go out. */
  private releaseHeld(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const item of held) this.transmit(item);
  }

  /** Stops speaking varlink and gives the stream, with the bytes after the reply, to the caller. */
  private upgrade(call: PendingCall, parameters: JsonObject): void {
    this.state = "upgraded";
    this.account.close();
    this.endReason = new ConnectionError(
      "closed",
      "the connection was upgraded and no longer speaks varlink",
    );
    const stream = this.stream;
    stream.off("readable", this.onReadable);
    stream.off("end", this.onEnd);
    stream.off("close", this.onEnd);
    stream.off("error", this.onError);
    const rest = this.reader.takeRest();
    if (rest.length > 0) stream.unshift(rest);
    const held = this.held ?? [];
    this.held = undefined;
    for (const { call: later, fds } of held) {
      if (fds !== undefined) closeFds(fds);
      this.unflushed.delete(later);
      later.fail(copyError(this.endReason));
    }
    this.pending.drain();
    // A browser's WebSocket stream has the same part of the interface that upgrades use.
    call.upgraded(parameters, stream as Duplex);
  }

  private readonly onEnd = (): void => {
    // Replies already received while paused still belong to their calls: the connection ends
    // once their consumers have taken them (see resume()), not before.
    if (this.paused) {
      this.endedWhilePaused = true;
      return;
    }
    this.endedWhilePaused = false;
    this.dispatch();
    if (this.paused) {
      this.endedWhilePaused = true;
      return;
    }
    this.shutdown(this.failedWhilePaused ?? new ConnectionError("closed", "the service closed the connection"));
  };

  private readonly onError = (error: Error): void => {
    // As at the end: replies received before the failure still go to a paused consumer first.
    if (this.paused) {
      this.failedWhilePaused ??= streamError(error);
      this.endedWhilePaused = true;
      return;
    }
    this.shutdown(streamError(error));
  };

  /** The stream failed while reading was paused: the reason, once the consumer catches up. */
  private failedWhilePaused: ConnectionError | undefined;

  private abort(call: PendingCall, error: ConnectionError): void {
    if (this.state !== "open") return;
    call.fail(error);
    const what = error.code === "timeout" ? "timed out" : "was aborted";
    this.shutdown(
      new ConnectionError("cancelled", `connection closed because the call to ${call.method} ${what}`, {
        cause: error,
      }),
    );
  }

  private protocolFailure(error: ProtocolError): void {
    this.shutdown(
      new ConnectionError("closed", `connection closed after a protocol error: ${error.message}`, {
        cause: error,
      }),
      error,
    );
  }

  /**
   * Ends the connection: calls still waiting reject with `pendingError` (by default `reason`),
   * later calls with a copy of `reason`.
   */
  private shutdown(reason: ConnectionError, pendingError: Error = reason): void {
    if (this.state !== "open") return;
    this.state = "closed";
    this.endReason = reason;
    for (const { fds } of this.held ?? []) if (fds !== undefined) closeFds(fds);
    this.held = undefined;
    // `more` replies already received stay with their consumers, outside the budget.
    this.account.close();
    const calls = [...this.pending.drain(), ...this.unflushed];
    this.unflushed.clear();
    this.receivedFds?.closeAll();
    for (const call of calls) call.fail(pendingError);
    this.stream.destroy();
  }
}

function copyError(error: ConnectionError): ConnectionError {
  return new ConnectionError(error.code, error.message, { cause: error.cause });
}

/** Turns a socket error into the connection error the calls see. */
function streamError(error: Error): ConnectionError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ECONNRESET" || code === "EPIPE" || code === "ERR_STREAM_PREMATURE_CLOSE") {
    return new ConnectionError("closed", `the service closed the connection (${code})`, {
      cause: error,
    });
  }
  // A stream handed over while still connecting can fail the way `connect` does.
  if (code === "ECONNREFUSED") {
    return new ConnectionError("refused", `connection refused: ${error.message}`, { cause: error });
  }
  if (code === "ENOENT") {
    return new ConnectionError("not-found", `no such socket: ${error.message}`, { cause: error });
  }
  return new ConnectionError("io", `connection failed: ${error.message}`, { cause: error });
}

/** What a connection's own calls read replies with: the standard error classes, no check. */
const STANDARD_SPEC: ReplySpec = { errors: STANDARD_ERROR_CLASSES };

/** `await using connection = await connect(...)` closes the connection at the end of the block. */
export interface Connection {
  [Symbol.asyncDispose](): Promise<void>;
}

if (asyncDispose !== undefined) {
  // Defined here rather than in the class: Node 20 before 20.4 has no Symbol.asyncDispose.
  Object.defineProperty(Connection.prototype, asyncDispose, {
    value(this: Connection): Promise<void> {
      this.close();
      return Promise.resolve();
    },
    writable: true,
    configurable: true,
  });
}
