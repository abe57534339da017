/**
 * Sans-IO serving, as the Python binding's `Service.handle(message)`: one incoming message in,
 * the outgoing messages out, for transports the runtime has no listener for (a MessagePort, a
 * WebSocket, a test harness).
 *
 * The call goes through the very dispatcher a socket connection uses, with an in-memory
 * {@link ReplyChannel} that queues each reply for the iterator; nothing of the dispatch rules is
 * repeated here. Only what a connection does around the dispatcher is: the message's size, shape
 * and call checks, which throw the same `ProtocolError` a connection closes on.
 */
import type { Duplex } from "node:stream";
import { ProtocolError } from "../errors.js";
import { decodeMessage } from "../protocol/framing.js";
import type { Frame } from "../protocol/serialize.js";
import { parseCall, type ParsedCall } from "./call.js";
import type { CallHandler, ReplyChannel } from "./connection.js";

/** Options of {@link VarlinkService.handle}. */
export interface HandleOptions {
  /**
   * Ends the call as a closed connection would: the handler's `context.signal` fires and no
   * further reply is produced. Leaving the `for await` loop early does the same.
   */
  readonly signal?: AbortSignal;
}

/** What {@link handleMessage} needs from its service. */
export interface HandleTarget {
  readonly dispatch: CallHandler;
  readonly maxMessageSize: number;
  /** The service is closed: it takes no new calls. */
  readonly closed: () => boolean;
}

/**
 * The replies to one message, each the JSON text of one outgoing message without its NUL.
 * @throws ProtocolError (on iteration) for what would close a socket connection: a message over
 *   the size limit, not UTF-8, not a JSON object, not a valid call, more than one message; and
 *   for an `upgrade` call, which needs a stream to hand over.
 */
export async function* handleMessage(
  message: string | Uint8Array,
  target: HandleTarget,
  options: HandleOptions = {},
): AsyncGenerator<string, void, undefined> {
  if (target.closed()) throw new Error("the service is closed");
  const call = readCall(message, target.maxMessageSize);
  const channel = new QueueChannel(options.signal);
  let finished = false;
  try {
    const pending = target.dispatch(call, channel);
    if (pending === undefined) finished = true;
    else {
      const done = (): void => {
        finished = true;
        channel.wake();
      };
      // The dispatcher never rejects; both paths only end the wait.
      pending.then(done, done);
    }
    for (;;) {
      const frame = channel.take();
      if (frame !== undefined) yield frame;
      else if (finished || channel.signal.aborted) return;
      else await channel.next();
    }
  } finally {
    // The consumer left (or the call is over): a handler still running learns it as a hang-up.
    channel.close(finished);
  }
}

/** Checks one message as a socket connection does, and returns it as a call. */
function readCall(message: string | Uint8Array, maxMessageSize: number): ParsedCall {
  // One trailing NUL is the frame's end, as on the wire; any other NUL would start a second message.
  let text: string | Buffer;
  let size: number;
  if (typeof message === "string") {
    text = message.endsWith("\0") ? message.slice(0, -1) : message;
    size = Buffer.byteLength(text);
  } else {
    const bytes = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
    text = bytes.at(-1) === 0 ? bytes.subarray(0, -1) : bytes;
    size = text.length;
  }
  if (size > maxMessageSize) {
    throw new ProtocolError(`message exceeds the maximum size of ${maxMessageSize} bytes`);
  }
  if (typeof text === "string" ? text.includes("\0") : text.includes(0)) {
    throw new ProtocolError("handle() takes one message, and this holds a NUL before its end");
  }
  const call = parseCall(decodeMessage(text));
  if (call.upgrade) {
    // After an upgrade the connection carries another protocol, which only the transport's owner
    // can speak: refused before the handler runs, so that nothing happens on the service's side.
    throw new ProtocolError(`${call.method} is called with upgrade, which handle() cannot serve: it needs a connection to hand over`);
  }
  return call;
}

/** A ReplyChannel whose replies wait in a queue for the iterator. */
class QueueChannel implements ReplyChannel {
  private readonly controller = new AbortController();
  private readonly queue: string[] = [];
  /** Wakes the iterator waiting for a reply or the call's end. */
  private wakeIterator: (() => void) | undefined;
  /** Wakes handlers waiting in `writable()` until the iterator took the queue. */
  private drained: { promise: Promise<void>; resolve: () => void } | undefined;
  private readonly onAbort = (): void => this.controller.abort();

  constructor(private readonly outer: AbortSignal | undefined) {
    if (outer?.aborted === true) this.controller.abort();
    else outer?.addEventListener("abort", this.onAbort, { once: true });
    this.controller.signal.addEventListener("abort", () => this.wake(), { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  write(frame: Frame): void {
    if (this.signal.aborted) return;
    // A large reply comes as buffers with its NUL; the caller gets every reply as text without one.
    if (typeof frame === "string") {
      this.queue.push(frame);
    } else {
      const bytes = Buffer.concat(frame);
      this.queue.push(bytes.toString("utf8", 0, bytes.length - 1));
    }
    this.wake();
  }

  /** Resolves once the consumer took every queued reply: the same backpressure as a socket's. */
  writable(): Promise<void> {
    if (this.queue.length === 0 || this.signal.aborted) return Promise.resolve();
    if (this.drained === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => (resolve = done));
      this.drained = { promise, resolve };
    }
    return this.drained.promise;
  }

  detach(): Duplex {
    // Unreachable: upgrade calls are refused before dispatch.
    throw new Error("handle() has no connection to hand over");
  }

  end(): void {
    // Only upgrade calls end their connection, and they never get here.
  }

  /** The next queued reply, if any. */
  take(): string | undefined {
    const frame = this.queue.shift();
    if (this.queue.length === 0) this.release();
    return frame;
  }

  /** Resolves at the next reply, the call's end or an abort. */
  next(): Promise<void> {
    return new Promise((resolve) => (this.wakeIterator = resolve));
  }

  wake(): void {
    const wake = this.wakeIterator;
    this.wakeIterator = undefined;
    wake?.();
  }

  close(finished: boolean): void {
    this.outer?.removeEventListener("abort", this.onAbort);
    if (!finished) this.controller.abort();
    this.release();
  }

  private release(): void {
    const drained = this.drained;
    this.drained = undefined;
    drained?.resolve();
  }
}
