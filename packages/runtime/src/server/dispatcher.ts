/**
 * Runs one call: finds the method, checks the parameters, calls the handler and turns what it
 * returns, yields or throws into replies.
 *
 * Choices where peers differ:
 * - `MethodNotFound` and `MethodNotImplemented` carry the short method name (`Ping`), like the
 *   Python, Go and libvarlink servers.
 * - A handler that throws something other than a `VarlinkError`, returns something that is not
 *   an object, or (with `validateReplies`) returns a reply that does not fit the method's output
 *   is logged and answered with `org.varlink.service.InternalError` and empty parameters, as
 *   libvarlink's C++ binding and zlink do; the exception text stays in the log, not on the wire.
 * - A `oneway` call gets no reply at all, errors included; failures are still logged.
 *
 * Streams (`more` calls answered by an async iterable, usually an `async *` generator): each value
 * an `async *` generator yields is sent with `continues: true` as soon as the generator waits for
 * anything (I/O, a timer, an event), so a monitor's event reaches the client when it happens.
 * Other async iterables cannot return a final reply, so each of their values waits for the next
 * one (or the end) as before. While the
 * generator runs on without waiting (synchronously or through already-resolved promises) the
 * value is held, so that the last value of a stream produced in one go still ends it without
 * `continues`. The value the generator `return`s is the final reply; a stream whose last yielded
 * value already went out with `continues` and that then ends without returning one cannot end
 * correctly, and is logged and answered with `InternalError`.
 */
import { serializeMessage, type Frame } from "../protocol/serialize.js";
import {
  ExpectedMoreError,
  ExpectedUpgradeError,
  InterfaceNotFoundError,
  InvalidParameterError,
  MethodNotFoundError,
  MethodNotImplementedError,
  VarlinkError,
} from "../errors.js";
import type { InterfaceDefinition, MethodMember } from "../idl/model.js";
import { checkParameters } from "../validate/check-parameters.js";
import { closeFds, outgoingFds } from "../fds/attached.js";
import { isPlainObject } from "../validate/check-value.js";
import type { ParsedCall } from "./call.js";
import { createCallContext, type UpgradeSlot } from "./call-context.js";
import type { ReplyChannel } from "./connection.js";
import type { InterfaceRegistry } from "./interface-registry.js";
import type { MethodHandler, ServiceLogger } from "./types.js";

/** The error sent when a handler fails in a way the client cannot be told more about. */
export const INTERNAL_ERROR = "org.varlink.service.InternalError";

const INTERNAL_ERROR_REPLY = JSON.stringify({ error: INTERNAL_ERROR, parameters: {} });

/** A resolved call target. */
interface Target {
  readonly definition: InterfaceDefinition;
  readonly method: MethodMember;
  readonly handler: MethodHandler<never, object>;
}

/** Marks a call whose connection closed while the server waited on the handler. */
const CLOSED = Symbol("closed");

/** Marks a stream that ended early: a reply sent while the generator waited could not be sent. */
const STOPPED = Symbol("stopped");

/** No yielded value is waiting to be sent. */
const NONE = Symbol("none");

/** What a stream's wait for its generator's next step ends with. */
type Step = IteratorResult<unknown> | typeof CLOSED | typeof STOPPED;

/** Turns calls into replies for one service. */
export class Dispatcher {
  constructor(
    private readonly registry: InterfaceRegistry,
    private readonly validateReplies: boolean,
    private readonly logger: ServiceLogger,
  ) {}

  /**
   * Runs `call` and writes its replies to `channel`. A handler that answers synchronously is
   * answered synchronously (undefined is returned), so pipelined calls cost no promise turn;
   * otherwise the returned promise settles when the call is over. Never throws or rejects.
   */
  readonly dispatch = (call: ParsedCall, channel: ReplyChannel): Promise<void> | undefined => {
    let target: Target;
    try {
      target = this.resolve(call);
    } catch (error) {
      this.fail(call, channel, error);
      return undefined;
    }
    const state = new CallState(channel);
    const { context, upgrade } = createCallContext(
      call,
      state.signal,
      (parameters) => this.continueWith(call, target, parameters, channel, state),
      channel.peer,
    );
    let result: unknown;
    try {
      result = target.handler(call.parameters as never, context);
    } catch (error) {
      this.fail(call, channel, error);
      state.end(upgrade, call, false);
      return undefined;
    }
    if (result instanceof Promise || isAsyncIterable(result) || call.upgrade) {
      return this.finish(call, target, result, channel, state, upgrade);
    }
    if (!state.ended) this.reply(call, target, result, channel, false);
    state.end(upgrade, call, false);
    return undefined;
  };

  /** The rest of a call whose handler answered with a promise or an iterable, or upgrades. */
  private async finish(
    call: ParsedCall,
    target: Target,
    pending: unknown,
    channel: ReplyChannel,
    state: CallState,
    upgrade: UpgradeSlot,
  ): Promise<void> {
    let upgraded = false;
    try {
      const result = await settleOrClose(pending, channel.signal);
      if (result === CLOSED || state.ended) return;
      if (isAsyncIterable(result)) {
        if (!call.more) {
          closeIterator(result[Symbol.asyncIterator]());
          throw new ExpectedMoreError();
        }
        await this.stream(call, target, result, channel, state);
      } else {
        const sent = this.reply(call, target, result, channel, false);
        if (sent && call.upgrade) {
          upgraded = true;
          if (upgrade.requested) upgrade.resolve(channel.detach());
          else channel.end();
        }
      }
    } catch (error) {
      if (state.ended) this.log(`varlink: ${call.method} failed after its call ended`, error);
      else this.fail(call, channel, error);
    } finally {
      state.end(upgrade, call, upgraded);
    }
  }

  private resolve(call: ParsedCall): Target {
    const found = this.registry.method(call.method);
    if (found?.handler === undefined) throw this.unresolved(call);
    // Methods systemd marks as requiring a flag are refused without it, as sd-varlink does.
    if (found.mode === "requires-more" && !call.more) throw new ExpectedMoreError();
    if (found.mode === "requires-upgrade" && !call.upgrade) throw new ExpectedUpgradeError();
    // Integers first: decimal strings and bigint fields become what the handler is typed with.
    const inexact = found.integers?.(call.parameters);
    if (inexact !== undefined) throw new InvalidParameterError({ parameter: inexact.path });
    const issue = checkParameters(found.definition, found.method.input, call.parameters);
    if (issue !== undefined) throw new InvalidParameterError({ parameter: issue.path });
    // The registry's own entry, whose handler was just found to be there: nothing made per call.
    return found as Target;
  }

  /** Why a call's method was not found: its interface, the method, or the method's handler. */
  private unresolved(call: ParsedCall): Error {
    const dot = call.method.lastIndexOf(".");
    const interfaceName = call.method.slice(0, dot);
    const methodName = call.method.slice(dot + 1);
    const entry = this.registry.get(interfaceName);
    if (entry === undefined) return new InterfaceNotFoundError({ interface: interfaceName });
    if (!entry.methods.has(methodName)) return new MethodNotFoundError({ method: methodName });
    return new MethodNotImplementedError({ method: methodName });
  }

  /**
   * `context.reply()`: one reply with `continues: true`, sent now (after the value a generator
   * yielded and is still held, if any); resolves once the client takes more output, so a handler
   * that awaits it cannot outrun a slow reader.
   */
  private async continueWith(
    call: ParsedCall,
    target: Target,
    parameters: object,
    channel: ReplyChannel,
    state: CallState,
  ): Promise<void> {
    // Rejected the way a generator called without more is, so a handler that lets it
    // propagate answers ExpectedMore.
    if (!call.more) throw new ExpectedMoreError();
    if (state.ended) throw new TypeError(`${call.method}: context.reply() after the call ended`);
    if (channel.signal.aborted) return;
    if (state.flushHeld !== undefined && !state.flushHeld()) {
      throw new TypeError(`${call.method}: context.reply() after the call ended`);
    }
    if (!this.reply(call, target, parameters, channel, true)) {
      state.ended = true;
      throw new TypeError(`${call.method}: the reply passed to context.reply() is invalid`);
    }
    await channel.writable();
  }

  /**
   * Sends the values of a `more` call's iterable. A yielded value is held while the generator
   * computes its next step: if that step settles before the event loop turns, it is known
   * whether the held value was the last, and it goes out accordingly; if the generator waits for
   * anything instead, the held value goes out with `continues: true` when the loop turns. One
   * Immediate at most is armed at a time, not one per value: when it runs, every step that could
   * settle without the loop turning has settled, so a step still pending is one that waits.
   * The value the iterable returns (if not undefined) is the last reply.
   */
  private async stream(
    call: ParsedCall,
    target: Target,
    iterable: AsyncIterable<unknown>,
    channel: ReplyChannel,
    state: CallState,
  ): Promise<void> {
    const iterator = iterable[Symbol.asyncIterator]();
    // Only a generator can return its final reply, so only a generator's values go out early;
    // any other async iterable (a Readable, events.on) keeps each value until the next one comes
    // or it ends, which may take a while but always ends the stream correctly.
    const early = isAsyncGenerator(iterable);
    const signal = channel.signal;
    /** The value yielded last and not sent yet. */
    let held: unknown = NONE;
    /** A reply went out since the last wait for the client to take output. */
    let sentSinceWait = false;
    /** A reply of this call went out. */
    let sentAny = false;
    /** The generator is computing its next step, and the stream waits for it. */
    let running = false;
    /** An Immediate is armed. */
    let armed = false;
    /** A held reply turned out invalid (InternalError was sent): the call is over. */
    let stopped = false;
    /** Ends the current wait for a step early (connection closed, or stopped). */
    let wake: ((step: Step) => void) | undefined;

    /** Sends the held value with `continues`; false when it was invalid and the call is over. */
    const flush = (): boolean => {
      if (held === NONE || stopped) return !stopped;
      const value = held;
      held = NONE;
      sentSinceWait = true;
      sentAny = true;
      if (this.reply(call, target, value, channel, true)) return true;
      stopped = true;
      wake?.(STOPPED);
      return false;
    };
    const onImmediate = (): void => {
      armed = false;
      // Still running when the loop turns: the generator waits for something. Send what it
      // yielded before.
      if (running) flush();
    };
    const onAbort = (): void => wake?.(CLOSED);
    const nextStep = (resolve: (step: Step) => void, reject: (error: unknown) => void): void => {
      wake = resolve;
      iterator.next().then(resolve, reject);
    };

    state.flushHeld = flush;
    signal.addEventListener("abort", onAbort, { once: true });
    let finished = false;
    try {
      for (;;) {
        if (signal.aborted) return;
        if (early && held !== NONE && !armed) {
          armed = true;
          setImmediate(onImmediate);
        }
        let step: Step;
        running = true;
        try {
          step = await new Promise<Step>(nextStep);
        } catch (error) {
          // The value in hand was produced before the failure: send it, then the error.
          if (!flush()) {
            this.log(`varlink: ${call.method} failed`, error);
            return;
          }
          throw error;
        } finally {
          running = false;
          wake = undefined;
        }
        if (step === CLOSED || step === STOPPED || stopped) return;
        if (step.done === true) {
          finished = true;
          this.end(call, target, channel, step.value, held, sentAny, flush);
          return;
        }
        if (!flush()) return;
        if (sentSinceWait) {
          sentSinceWait = false;
          await channel.writable();
        }
        held = step.value;
      }
    } finally {
      state.flushHeld = undefined;
      signal.removeEventListener("abort", onAbort);
      if (!finished) closeIterator(iterator);
    }
  }

  /** The last reply of a stream whose iterable ended, having returned `returned`. */
  private end(
    call: ParsedCall,
    target: Target,
    channel: ReplyChannel,
    returned: unknown,
    held: unknown,
    sentAny: boolean,
    flush: () => boolean,
  ): void {
    if (returned !== undefined) {
      if (flush()) this.reply(call, target, returned, channel, false);
    } else if (held !== NONE) {
      this.reply(call, target, held, channel, false);
    } else if (!sentAny) {
      // Nothing yielded, nothing returned: one empty reply.
      this.reply(call, target, undefined, channel, false);
    } else {
      const message =
        `varlink: ${call.method} ended without a final reply: its last yielded reply was already ` +
        'sent with "continues" while the generator waited, so the stream cannot be ended; a stream ' +
        "that ends after waiting must `return` its final reply";
      this.internalError(channel, message);
    }
  }

  /**
   * Writes one reply, or InternalError when the value cannot be one.
   * @returns whether the reply itself was sent (true for oneway calls, which send nothing).
   */
  private reply(
    call: ParsedCall,
    target: Target,
    value: unknown,
    channel: ReplyChannel,
    continues: boolean,
  ): boolean {
    const fds = outgoingFds(value);
    if (call.oneway) {
      if (fds !== undefined) closeFds(fds);
      return true;
    }
    if (fds !== undefined && fds.length > 0 && channel.passesFds !== true) {
      closeFds(fds);
      const message = `varlink: ${call.method} replied with file descriptors on a connection that does not pass them (serve with the fds option, on a unix socket)`;
      return this.internalError(channel, message);
    }
    const parameters = value ?? {};
    if (!isPlainObject(parameters)) {
      const message = `varlink: ${call.method} returned a reply that is not an object`;
      return this.internalError(channel, message);
    }
    if (this.validateReplies) {
      const issue = checkParameters(target.definition, target.method.output, parameters);
      if (issue !== undefined) {
        const where = issue.path === "" ? "" : `${issue.path}: `;
        const message = `varlink: ${call.method} returned an invalid reply: ${where}${issue.message}`;
        return this.internalError(channel, message);
      }
    }
    let frame: Frame;
    try {
      frame = serializeMessage(continues ? { parameters, continues: true } : { parameters });
    } catch (error) {
      if (fds !== undefined) closeFds(fds);
      const message = `varlink: the reply of ${call.method} cannot be encoded`;
      return this.internalError(channel, message, error);
    }
    channel.write(frame, fds);
    return true;
  }

  private fail(call: ParsedCall, channel: ReplyChannel, error: unknown): void {
    if (!(error instanceof VarlinkError)) {
      this.log(`varlink: ${call.method} failed`, error);
      if (!call.oneway) channel.write(INTERNAL_ERROR_REPLY);
      return;
    }
    if (call.oneway) return;
    try {
      channel.write(JSON.stringify({ error: error.error, parameters: error.parameters }));
    } catch (cause) {
      const message = `varlink: the error ${error.error} of ${call.method} cannot be encoded`;
      this.internalError(channel, message, cause);
    }
  }

  private internalError(channel: ReplyChannel, message: string, cause?: unknown): false {
    this.log(message, cause);
    channel.write(INTERNAL_ERROR_REPLY);
    return false;
  }

  private log(message: string, cause?: unknown): void {
    try {
      if (cause === undefined) this.logger(message);
      else this.logger(message, cause);
    } catch {
      // A failing logger must not stop the reply.
    }
  }
}

/** Whether a handler returned an async generator itself (a Readable only iterates through one). */
function isAsyncGenerator(iterable: AsyncIterable<unknown>): boolean {
  return (iterable as { readonly [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === "AsyncGenerator";
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === "function"
  );
}

/** Lets a generator run its `finally` blocks; its outcome no longer matters. */
function closeIterator(iterator: AsyncIterator<unknown>): void {
  try {
    iterator.return?.().catch(() => undefined);
  } catch {
    // An iterator whose return() throws has nothing left to clean up that we could help with.
  }
}

/** Waits for a handler's result, or gives up when the connection closes. */
function settleOrClose<T>(value: T | Promise<T>, signal: AbortSignal): Promise<T | typeof CLOSED> {
  if (!(value instanceof Promise)) return Promise.resolve(value);
  return raceSignal(value, signal);
}

// Promise.race would keep one reaction per call on a promise that settles only at close; an
// abort listener that is removed again keeps a long stream's memory flat.
function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof CLOSED> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.resolve(CLOSED);
  }
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(CLOSED);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * What one call keeps while it runs: whether its last reply is out, and its own abort signal,
 * made only when the handler asks for it (most never do, and an AbortController and a listener
 * per call are a large part of a small call's cost). A signal of its own per call means
 * listeners a handler leaves behind go away with the call instead of piling up on the
 * connection's signal.
 */
class CallState {
  /** Set once the call's last reply (or error) is out; context.reply() after that is refused. */
  ended = false;
  /**
   * While a stream runs: sends the value its generator yielded and that is still held, so that
   * `context.reply()` cannot overtake it; false when that reply was invalid and the call is over.
   */
  flushHeld: (() => boolean) | undefined = undefined;
  private controller: AbortController | undefined;
  /** Passes the connection's abort on; made with the controller, as few calls need it. */
  private forward: (() => void) | undefined;

  constructor(private readonly channel: ReplyChannel) {}

  /** The call's signal, created on first use. */
  readonly signal = (): AbortSignal => {
    if (this.controller === undefined) {
      const controller = new AbortController();
      this.controller = controller;
      this.forward = (): void => controller.abort();
      if (this.channel.signal.aborted) controller.abort();
      else this.channel.signal.addEventListener("abort", this.forward, { once: true });
    }
    return this.controller.signal;
  };

  /** Ends the call; an upgraded call's handler keeps learning from its signal when the stream closes. */
  end(upgrade: UpgradeSlot, call: ParsedCall, upgraded: boolean): void {
    this.ended = true;
    if (upgraded) return;
    // Only a handler that asked for the stream waits for the answer; building an Error (and its
    // stack) for every other call was a measurable share of a small call's cost.
    if (upgrade.requested) upgrade.reject(new Error(`${call.method} did not upgrade the connection`));
    if (this.forward !== undefined) this.channel.signal.removeEventListener("abort", this.forward);
  }
}
