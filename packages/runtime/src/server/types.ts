/**
 * The public shapes of the server: what a service describes itself with, what handlers receive
 * and return, and the options that bound what a client can make the server do.
 */
import type { Duplex } from "node:stream";
import type {
  InterfaceDescriptor,
  ParametersOf,
  ResultOf,
} from "../interface/descriptor.js";
import type { Input } from "../interface/input.js";
import type { MemoryBudget } from "../memory-budget.js";

/** What `org.varlink.service.GetInfo` reports about the service. */
export interface ServiceInfo {
  readonly vendor: string;
  readonly product: string;
  readonly version: string;
  readonly url: string;
}

/**
 * What a handler knows about the call it answers. `R` is the method's reply type, which
 * generated handler interfaces fill in; `I` is what {@link CallContext.reply} takes, what may be
 * sent for `R` ({@link Input}), and is meant to be left to its default. (It is a parameter of its
 * own, rather than `Input<R>` written in `reply`, because TypeScript cannot relate `Input<R>`
 * across `R`s: it would measure `R` as invariant, and a `CallContext<PingResult>` could no longer
 * be passed where a `CallContext` is expected.)
 */
export interface CallContext<R extends object = object, I = Input<R>> {
  /** The fully qualified method name, e.g. `org.example.more.Ping`. */
  readonly method: string;
  /** The client asked for several replies: a handler may return an AsyncIterable. */
  readonly more: boolean;
  /** The client wants no reply: whatever the handler returns or throws is dropped. */
  readonly oneway: boolean;
  /** The client asks to leave varlink after the reply; see {@link CallContext.upgradedStream}. */
  readonly upgrade: boolean;
  /**
   * The call object exactly as the client sent it (decoded JSON): flags sent as `false` and
   * reverse-domain extension keys included, for services that check calls strictly (as the
   * varlink certification does) or read extensions. Do not mutate it.
   */
  readonly message: Readonly<Record<string, unknown>>;
  /** Fires when the client goes away (the connection closed or failed). */
  readonly signal: AbortSignal;
  /**
   * For a `more` call: sends `parameters` now as a reply with `continues: true`; the value the
   * handler finally returns is the last reply. An `async *` generator does the same for each
   * value it yields (see {@link MethodHandler}); this is for handlers that are not generators,
   * such as an `async` function that loops over events. A value the generator yielded and that
   * is still held is sent first. The promise resolves when the client can take more output
   * (backpressure); after the client went away it resolves without sending. `parameters` is what
   * may be sent for `R` ({@link Input}): an optional field also takes `undefined`, a set a
   * `Set<string>`, a map a `Map`.
   *
   * @throws ExpectedMoreError (as a rejection) when the call was not made with `more`: a handler
   *   that lets it propagate answers `org.varlink.service.ExpectedMore`.
   * @throws TypeError (as a rejection) when the call is over, or the reply is not a valid reply
   *   of the method (then `InternalError` was sent and the call is over).
   */
  reply(parameters: I): Promise<void>;
  /**
   * For an `upgrade` call: the raw connection, once the handler's reply has been written. The
   * stream first yields the bytes the client sent after the call's NUL, then whatever follows;
   * from then on it belongs to the caller, who must end or destroy it.
   *
   * Call it before the handler returns (or settles), and do not await it inside the handler: the
   * reply is written only after the handler returns. When no handler asked for the stream, the
   * server closes the connection after the reply. The promise rejects when the call ends with an
   * error reply or the connection closes first; an unobserved rejection is harmless.
   *
   * @throws TypeError when the call is not an `upgrade` call.
   */
  upgradedStream(): Promise<Duplex>;
  /**
   * Who called, as far as Node can tell; worked out once per connection, so every call of a
   * connection sees the same object. See {@link CallPeer}.
   */
  readonly peer: CallPeer;
}

/**
 * The far end of a call's connection (`CallContext["peer"]`):
 *
 * - `tcp`: the client's address, port and family, as the socket reports them (`remoteAddress`,
 *   `remotePort`, `remoteFamily`; an IPv4 client of a dual-stack listener may show as
 *   `::ffff:127.0.0.1` with family `IPv6`).
 * - `unix`: a connection accepted on a unix socket (abstract ones included), with the peer's
 *   `uid`, `gid` and `pid` as the kernel saw them when it connected (`SO_PEERCRED`) when the
 *   optional `@varlink-ts/native` is installed; without it they are absent, and access decisions
 *   cannot go beyond what the socket file's permissions already enforce.
 * - `stream`: any other stream handed to `serve()` (stdin and stdout, an in-memory pair, the
 *   `testing` mock): nothing is known about who is at the other end.
 */
export type CallPeer =
  | { readonly transport: "tcp"; readonly address: string; readonly port: number; readonly family: string }
  | {
      readonly transport: "unix";
      readonly uid?: number;
      readonly gid?: number;
      readonly pid?: number;
    }
  | { readonly transport: "stream" };

/**
 * Answers one method. It gets the call's parameters (checked against the method's input) and
 * returns the reply parameters, nothing for a `()` reply, or, for `more` calls, a stream of
 * replies: an AsyncIterable such as an `async *` generator (see {@link HandlerResult}).
 *
 * A stream's replies leave as they are produced: each yielded value is sent with
 * `continues: true` as soon as the generator waits for anything (I/O, a timer, an event), and
 * the value the generator `return`s is the last reply, without `continues`. A generator that
 * yields every value without waiting (an enumeration) may also simply end after its last
 * `yield`: that value is then the last reply. One that waits before it ends (a monitor) must
 * `return` its last reply, since what it yielded before is already out with `continues`; ending
 * without one is logged and answered with `org.varlink.service.InternalError`. A stream that
 * yields and returns nothing answers with one empty reply. After each reply sent, the next
 * value is asked for only once the client takes more output (backpressure).
 *
 * Throwing a `VarlinkError` sends it as the error reply (after the replies already yielded);
 * anything else thrown is logged and answered with `org.varlink.service.InternalError`.
 */
export type MethodHandler<I extends object, O extends object> = (
  parameters: I,
  context: CallContext,
) => O | void | Promise<O | void> | AsyncIterable<O, O | void>;

/** Handlers of one interface, keyed by the varlink method name (`Ping`, not `ping`). */
export type InterfaceHandlers = {
  readonly [method: string]: MethodHandler<never, object> | undefined;
};

/**
 * What a handler of a method that returns `R` may return: the reply (or nothing, when the reply
 * has no fields), a promise of it, or for calls made with `more` a stream of replies,
 * `AsyncIterable<R, R | void>` (an `async *` generator): each yielded value is sent at once,
 * with `continues: true`, as soon as the generator waits for anything, and the returned value
 * is the last reply. A generator that ends right after its last `yield` without waiting may
 * return nothing; see {@link MethodHandler} for the whole rule. A reply is what may be sent for
 * `R` ({@link Input}): an optional field also takes `undefined`, an `object` field any object, a
 * set a `Set<string>`, a map a `Map`.
 */
export type HandlerResult<R> =
  | Input<R>
  | ({} extends R ? void : never)
  | Promise<Input<R> | ({} extends R ? void : never)>
  | AsyncIterable<Input<R>, Input<R> | void>;

/** The handler of one method, typed from its descriptor. */
export type Handler<M> = (
  parameters: ParametersOf<M>,
  context: CallContext<ResultOf<M>>,
) => HandlerResult<ResultOf<M>>;

/**
 * The implementation of the interface `D`: one handler per method, every one required, so that
 * `class X implements Handlers<D>` catches a missing or misspelled method. `Partial<Handlers<D>>`
 * is the form for `addInterface` and mocks, where a missing method answers
 * `MethodNotImplemented`. A class instance works wherever a plain object does.
 */
export type Handlers<D extends InterfaceDescriptor> = {
  [K in keyof D["methods"]]: Handler<D["methods"][K]>;
};

/** Receives one line about something that went wrong, and the error behind it when there is one. */
export type ServiceLogger = (message: string, cause?: unknown) => void;

/** Limits and behaviour of a {@link VarlinkService}. */
export interface ServiceOptions {
  /**
   * The largest message, in bytes, a client may send; a longer one is a protocol violation and
   * closes the connection. It also bounds what a client may send ahead of a call in progress
   * (the server reads it, to notice at once a client that hangs up); a client that sends more is
   * dropped with a log line. Default 16 MiB.
   */
  readonly maxMessageSize?: number;
  /**
   * Connections beyond this many are closed as soon as they arrive, with one log line per 10 s
   * at most, however many there are. Default 4096, as in systemd. `Infinity` turns it off.
   */
  readonly maxConnections?: number;
  /**
   * Where the bytes held for clients (partial messages, input read ahead, replies they have not
   * read) are counted. When the budget is spent, the connections holding the most are closed
   * (one log line per 10 s at most) and the others keep working. Default: the budget shared by
   * every service and client of the process, a quarter of V8's heap limit.
   */
  readonly memoryBudget?: MemoryBudget;
  /**
   * Accept file descriptors from clients on unix sockets, and allow replies to carry them
   * (`withFds`, `takeFds` from `@varlink-ts/runtime/fds`). Needs the optional
   * `@varlink-ts/native`; `listen` rejects with `FdPassingUnavailableError` without it. Off by
   * default: UAPI.20 wants services to accept descriptors only when an interface uses them.
   */
  readonly fds?: boolean;
  /**
   * Bytes of replies that may wait for one client to read them. A client that falls this far
   * behind is dropped (with a log line) and its queued replies discarded. Flow control keeps the
   * queue short on its own; this bounds what handlers that send without waiting (`context.reply()`
   * not awaited) can pile up. A single reply bigger than the limit still goes out when nothing
   * else is queued. Default 16 MiB.
   */
  readonly maxQueuedOutput?: number;
  /**
   * Milliseconds a connection may stay without a call in progress before it is closed.
   * Default: never.
   */
  readonly idleTimeout?: number;
  /**
   * Milliseconds a message may take from its first byte to its NUL while the server waits for it.
   * Only time the process spends waiting for input counts (the event loop's idle time): time
   * spent on an earlier call, on other connections' messages or in handlers does not. A client that sends a message
   * slowly, or never ends it, is dropped with a log line. `Infinity` turns the limit off.
   * Default 60000.
   */
  readonly messageTimeout?: number;
  /**
   * Milliseconds queued replies may wait without the client reading any of them. A client that
   * stops reading (while calling in a loop, or during a stream) is dropped with a log line; one
   * that reads slowly is not. This also bounds how long a closing connection waits to deliver
   * its last replies. `Infinity` turns the limit off. Default 60000.
   */
  readonly writeTimeout?: number;
  /**
   * Check every reply against the method's output before sending it; a bad reply is logged and
   * answered with `org.varlink.service.InternalError`. Default: on, unless `NODE_ENV` is
   * `production`.
   */
  readonly validateReplies?: boolean;
  /** Where protocol violations and handler failures are reported. Default: `console.error`. */
  readonly logger?: ServiceLogger;
  /**
   * The folder of `.varlink` files that {@link VarlinkService.addInterfaceFile} reads by
   * interface name, as the Python binding's `interface_dir`; a `file:` URL also works
   * (`new URL(".", import.meta.url)`). Default: none, so that a name alone is refused rather
   * than looked up in whatever the current directory happens to be.
   */
  readonly interfaceDir?: string | URL;
}

/** Options of {@link VarlinkService.close}. */
export interface CloseOptions {
  /**
   * Milliseconds that calls in progress get to finish before their connections are destroyed.
   * Default 5000.
   */
  readonly grace?: number;
}
