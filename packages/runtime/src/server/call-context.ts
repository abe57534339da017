/**
 * The context a handler receives, and the server's side of its upgrade promise.
 */
import { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { ParsedCall } from "./call.js";
import type { CallContext, CallPeer } from "./types.js";
import { isNativeSocket, nativeIfLoaded } from "../fds/native.js";

const UNIX_PEER: CallPeer = Object.freeze({ transport: "unix" });
const STREAM_PEER: CallPeer = Object.freeze({ transport: "stream" });

/**
 * What can be known about the far end of `stream`; called once per connection, since the
 * socket's address is a system call and every call of the connection shares the answer.
 */
export function peerOf(stream: Duplex): CallPeer {
  if (isNativeSocket(stream)) return unixPeer(stream);
  if (!(stream instanceof Socket)) return STREAM_PEER;
  const { remoteAddress: address, remotePort: port, remoteFamily: family } = stream;
  if (address !== undefined && port !== undefined && family !== undefined) {
    return Object.freeze({ transport: "tcp", address, port, family });
  }
  // stdin and a unix connection are both libuv pipes; only an accepted connection has the
  // `server` Node sets on it (net.Server's "connection"), so stdio stays a plain stream. A unix
  // server's address is its path, a string: a TCP connection whose peer is already gone (no
  // remote address) is not taken for a unix one.
  const server = (stream as { server?: { address(): unknown } }).server;
  return typeof server?.address() === "string" ? unixPeer(stream) : STREAM_PEER;
}

/** A unix peer, with its credentials when the addon is loaded (services load it as they listen). */
function unixPeer(stream: Duplex): CallPeer {
  const native = nativeIfLoaded();
  if (native === undefined) return UNIX_PEER;
  try {
    const { uid, gid, pid } = native.peerCredentials(stream);
    return Object.freeze({ transport: "unix", uid, gid, pid });
  } catch {
    return UNIX_PEER;
  }
}

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
  readonly peer: CallPeer;
  readonly #signal: () => AbortSignal;

  constructor(
    call: ParsedCall,
    signal: () => AbortSignal,
    reply: (parameters: object) => Promise<void>,
    peer: CallPeer,
  ) {
    this.method = call.method;
    this.more = call.more;
    this.oneway = call.oneway;
    this.message = call.message;
    this.reply = reply;
    this.peer = peer;
    this.#signal = signal;
  }

  get signal(): AbortSignal {
    return this.#signal();
  }

  upgradedStream(): Promise<Duplex> {
    throw new TypeError(`${this.method} was not called with upgrade`);
  }
}

/**
 * Builds the context of `call`; `signal` makes the signal that fires when the client goes away,
 * and `peer` is the connection's, worked out once by {@link peerOf} (a plain stream when none).
 */
export function createCallContext(
  call: ParsedCall,
  signal: () => AbortSignal,
  reply: (parameters: object) => Promise<void>,
  peer: CallPeer = STREAM_PEER,
): { context: CallContext; upgrade: UpgradeSlot } {
  if (!call.upgrade) return { context: new PlainCallContext(call, signal, reply, peer), upgrade: NO_UPGRADE };
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
    peer,
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
