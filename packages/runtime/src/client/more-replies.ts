/**
 * The replies of a `more` call as an async iterator. Replies that arrive before anyone iterates
 * are buffered, so the call can be written at once and read later without losing any; past
 * {@link MORE_BUFFER_LIMIT} of them, or {@link MORE_BUFFER_BYTES} of their messages, the client
 * stops reading the connection until the consumer catches up, so a stream nobody reads costs the
 * kernel's buffers and pushes back on the service, not unbounded memory.
 */
import { CallQueue } from "./pending-calls.js";

/** Unread replies of one `more` call at which the client stops reading the connection. */
export const MORE_BUFFER_LIMIT = 1024;

/**
 * Bytes of unread replies of one `more` call (their messages' length) at which the client stops
 * reading the connection: 1 MiB. One reply may pass it, by up to the message size limit.
 */
export const MORE_BUFFER_BYTES = 1024 * 1024;

/** What a `more` call's buffer tells its connection. */
export interface MoreRepliesEvents {
  /** The consumer left before the call ended. */
  abandoned(): void;
  /** The buffer was {@link MoreReplies.full} and the consumer has taken half of it. */
  room(): void;
  /** The bytes buffered changed by `delta`. */
  buffered(delta: number): void;
}

interface Waiter<T> {
  resolve(result: IteratorResult<T, undefined>): void;
  reject(error: Error): void;
}

/** An async iterator fed by the client as replies come in. */
export class MoreReplies<T> implements AsyncIterableIterator<T> {
  private readonly buffered = new CallQueue<T>();
  /** The message size of each buffered reply, in the same order. */
  private readonly sizes = new CallQueue<number>();
  private bufferedBytes = 0;
  /** The buffer was full; the consumer has not taken half of it since. */
  private wasFull = false;
  /**
   * The buffered bytes count against the connection's memory budget: until the call ends. What
   * is left then is the consumer's, like any value it holds.
   */
  private counted = true;
  private readonly waiters = new CallQueue<Waiter<T>>();
  /** The last reply arrived, or the consumer left. */
  private ended = false;
  /** The call failed and nobody has been told yet. */
  private failure: Error | undefined;
  private finished = false;

  constructor(private readonly events: MoreRepliesEvents) {}

  /**
   * True when the consumer is {@link MORE_BUFFER_LIMIT} replies or {@link MORE_BUFFER_BYTES}
   * behind.
   */
  get full(): boolean {
    return this.buffered.size >= MORE_BUFFER_LIMIT || this.bufferedBytes >= MORE_BUFFER_BYTES;
  }

  /** Delivers one reply, whose message was `size` bytes long. */
  push(value: T, size: number): void {
    if (this.finished) return;
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      waiter.resolve({ value, done: false });
      return;
    }
    this.buffered.push(value);
    this.sizes.push(size);
    this.bufferedBytes += size;
    if (this.full) this.wasFull = true;
    this.events.buffered(size);
  }

  /** The reply without `continues` has been delivered. */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.uncount();
    this.ended = true;
    for (const waiter of this.waiters.drain()) waiter.resolve({ value: undefined, done: true });
  }

  /** The call failed; the consumer sees the error after any buffered replies. */
  fail(error: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.uncount();
    const waiters = this.waiters.drain();
    const first = waiters.shift();
    if (first === undefined) {
      this.failure = error;
      return;
    }
    first.reject(error);
    this.ended = true;
    for (const waiter of waiters) waiter.resolve({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.buffered.size > 0) {
      const value = this.buffered.shift() as T;
      const size = this.sizes.shift() ?? 0;
      this.bufferedBytes -= size;
      if (this.counted) this.events.buffered(-size);
      if (
        this.wasFull &&
        this.buffered.size <= MORE_BUFFER_LIMIT / 2 &&
        this.bufferedBytes <= MORE_BUFFER_BYTES / 2
      ) {
        this.wasFull = false;
        this.events.room();
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.failure !== undefined) {
      const error = this.failure;
      this.failure = undefined;
      this.ended = true;
      return Promise.reject(error);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Leaving the loop early: if the call has not ended, the connection is closed. */
  return(): Promise<IteratorResult<T, undefined>> {
    const abandoned = !this.finished;
    this.finished = true;
    this.ended = true;
    this.failure = undefined;
    this.buffered.drain();
    this.sizes.drain();
    this.uncount();
    this.bufferedBytes = 0;
    for (const waiter of this.waiters.drain()) waiter.resolve({ value: undefined, done: true });
    if (abandoned) this.events.abandoned();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Takes what is buffered out of the budget, once. */
  private uncount(): void {
    if (!this.counted) return;
    this.counted = false;
    if (this.bufferedBytes > 0) this.events.buffered(-this.bufferedBytes);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
