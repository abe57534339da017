/**
 * Calls waiting for their replies. Varlink has no call ids: replies come in call order, so the
 * client keeps its calls in a first-in first-out queue and gives each reply to the oldest.
 */
import type { Duplex } from "node:stream";
import type { ErrorClasses } from "../errors.js";
import type { CallMode } from "../protocol/call-message.js";
import type { JsonObject } from "../types.js";

/** How a call's replies are read. */
export interface ReplySpec {
  /** The classes error replies are mapped to. */
  readonly errors: ErrorClasses;
  /**
   * Reads a reply's parameters before the call gets them, converting values in place (exact
   * integers); an error refuses the reply and fails the call with it.
   */
  readonly check?: ((parameters: JsonObject) => Error | undefined) | undefined;
}

/** What a call does with its outcome. */
export interface CallHandlers {
  /**
   * A reply; `continues` is only ever true for `more` calls. `size` is the length of its message
   * (0 for the empty reply that settles a `oneway` call).
   */
  reply(parameters: JsonObject, continues: boolean, size: number): void;
  /** The reply that confirmed an upgrade, with the stream that now carries the new protocol. */
  upgraded?(parameters: JsonObject, stream: Duplex): void;
  fail(error: Error): void;
}

/** One call from the moment it is accepted until its last reply or its failure. */
export class PendingCall {
  readonly method: string;
  readonly mode: CallMode;
  /** How the call's replies are read: its error classes and a check of its replies. */
  readonly spec: ReplySpec;
  private readonly handlers: CallHandlers;
  private settled = false;
  /** Stops the call's abort signal and timer; set once they are armed. */
  release: () => void = () => {};

  constructor(method: string, mode: CallMode, spec: ReplySpec, handlers: CallHandlers) {
    this.method = method;
    this.mode = mode;
    this.spec = spec;
    this.handlers = handlers;
  }

  /** True once the call has had its last reply or has failed. */
  get done(): boolean {
    return this.settled;
  }

  reply(parameters: JsonObject, continues: boolean, size: number): void {
    if (this.settled) return;
    if (!continues) this.settle();
    this.handlers.reply(parameters, continues, size);
  }

  upgraded(parameters: JsonObject, stream: Duplex): void {
    if (this.settled) return;
    this.settle();
    this.handlers.upgraded?.(parameters, stream);
  }

  fail(error: Error): void {
    if (this.settled) return;
    this.settle();
    this.handlers.fail(error);
  }

  private settle(): void {
    this.settled = true;
    this.release();
  }
}

/**
 * A FIFO with constant-time removal at the head, so that thousands of pipelined calls do not cost
 * a quadratic amount of array shifting.
 */
export class CallQueue<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head += 1;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Empties the queue, returning what it held in order. */
  drain(): T[] {
    const rest = this.items.slice(this.head) as T[];
    this.items = [];
    this.head = 0;
    return rest;
  }
}
