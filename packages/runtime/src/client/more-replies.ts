/**
 * The replies of a `more` call as an async iterator. Replies that arrive before anyone iterates
 * are buffered, so the call can be written at once and read later without losing any; past
 * {@link MORE_BUFFER_LIMIT} of them the client stops reading the connection until the consumer
 * catches up, so a stream nobody reads costs the kernel's buffers, not unbounded memory.
 */
import { CallQueue } from "./pending-calls.js";

/** Unread replies of one `more` call at which the client stops reading the connection. */
export const MORE_BUFFER_LIMIT = 1024;

interface Waiter<T> {
  resolve(result: IteratorResult<T, undefined>): void;
  reject(error: Error): void;
}

/** An async iterator fed by the client as replies come in. */
export class MoreReplies<T> implements AsyncIterableIterator<T> {
  private readonly buffered = new CallQueue<T>();
  private readonly waiters = new CallQueue<Waiter<T>>();
  /** The last reply arrived, or the consumer left. */
  private ended = false;
  /** The call failed and nobody has been told yet. */
  private failure: Error | undefined;
  private finished = false;
  private readonly onAbandon: () => void;
  private readonly onRoom: () => void;

  /**
   * `onAbandon` runs when the consumer leaves before the call has ended; `onRoom` when the buffer
   * was {@link full} and the consumer has taken half of it.
   */
  constructor(onAbandon: () => void, onRoom: () => void = () => undefined) {
    this.onAbandon = onAbandon;
    this.onRoom = onRoom;
  }

  /** True when the consumer is {@link MORE_BUFFER_LIMIT} replies behind. */
  get full(): boolean {
    return this.buffered.size >= MORE_BUFFER_LIMIT;
  }

  /** Delivers one reply. */
  push(value: T): void {
    if (this.finished) return;
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter.resolve({ value, done: false });
    else this.buffered.push(value);
  }

  /** The reply without `continues` has been delivered. */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.ended = true;
    for (const waiter of this.waiters.drain()) waiter.resolve({ value: undefined, done: true });
  }

  /** The call failed; the consumer sees the error after any buffered replies. */
  fail(error: Error): void {
    if (this.finished) return;
    this.finished = true;
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
      if (this.buffered.size === MORE_BUFFER_LIMIT / 2) this.onRoom();
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
    for (const waiter of this.waiters.drain()) waiter.resolve({ value: undefined, done: true });
    if (abandoned) this.onAbandon();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
