/**
 * The context a handler receives, and the server's side of its upgrade promise.
 */
import type { Duplex } from "node:stream";
import type { ParsedCall } from "./call.js";
import type { CallContext } from "./types.js";

/** The server's handle on one call's context: whether the handler asked for the raw stream. */
export interface UpgradeSlot {
  /** True once the handler called `upgradedStream()`. */
  readonly requested: boolean;
  /** Hands the raw stream to the handler. */
  resolve(stream: Duplex): void;
  /** Tells the handler the connection will not be upgraded. */
  reject(reason: Error): void;
}

/** The slot of a call made without `upgrade`, which can never be asked for the stream. */
const NO_UPGRADE: UpgradeSlot = {
  requested: false,
  resolve: () => undefined,
  reject: () => undefined,
};

/**
 * The context of most calls, those made without `upgrade`: an instance of a class, which V8 makes
 * far faster than an object literal with a getter, and nothing else made per call.
 */
class PlainCallContext implements CallContext {
  readonly method: string;
  readonly more: boolean;
  readonly oneway: boolean;
  readonly upgrade = false;
  readonly message: Readonly<Record<string, unknown>>;
  readonly reply: (parameters: object) => Promise<void>;
  readonly #signal: () => AbortSignal;

  constructor(call: ParsedCall, signal: () => AbortSignal, reply: (parameters: object) => Promise<void>) {
    this.method = call.method;
    this.more = call.more;
    this.oneway = call.oneway;
    this.message = call.message;
    this.reply = reply;
    this.#signal = signal;
  }

  get signal(): AbortSignal {
    return this.#signal();
  }

  upgradedStream(): Promise<Duplex> {
    throw new TypeError(`${this.method} was not called with upgrade`);
  }
}

/** Builds the context of `call`; `signal` makes the signal that fires when the client goes away. */
export function createCallContext(
  call: ParsedCall,
  signal: () => AbortSignal,
  reply: (parameters: object) => Promise<void>,
): { context: CallContext; upgrade: UpgradeSlot } {
  if (!call.upgrade) return { context: new PlainCallContext(call, signal, reply), upgrade: NO_UPGRADE };
  let promise: Promise<Duplex> | undefined;
  let settle: { resolve(stream: Duplex): void; reject(reason: Error): void } | undefined;

  const context: CallContext = {
    method: call.method,
    more: call.more,
    oneway: call.oneway,
    upgrade: call.upgrade,
    message: call.message,
    get signal() {
      return signal();
    },
    reply,
    upgradedStream(): Promise<Duplex> {
      if (!call.upgrade) {
        throw new TypeError(`${call.method} was not called with upgrade`);
      }
      if (promise === undefined) {
        promise = new Promise<Duplex>((resolve, reject) => (settle = { resolve, reject }));
        // A handler that fails after asking must not turn the rejection into a process crash.
        promise.catch(() => undefined);
      }
      return promise;
    },
  };

  const upgrade: UpgradeSlot = {
    get requested() {
      return promise !== undefined;
    },
    resolve: (stream) => settle?.resolve(stream),
    reject: (reason) => settle?.reject(reason),
  };
  return { context, upgrade };
}
