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
    const { context, upgrade } = createCallContext(call, state.signal, (parameters) =>
      this.continueWith(call, target, parameters, channel, state),
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
        await this.stream(call, target, result, channel);
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
   * `context.reply()`: one reply with `continues: true`, sent now; resolves once the client
   * takes more output, so a handler that awaits it cannot outrun a slow reader.
   */
  private async continueWith(
    call: ParsedCall,
    target: Target,
    parameters: object,
    channel: ReplyChannel,
    state: CallState,
  ): Promise<void> {
    if (!call.more) throw new TypeError(`${call.method} was not called with more`);
    if (state.ended) throw new TypeError(`${call.method}: context.reply() after the call ended`);
    if (channel.signal.aborted) return;
    if (!this.reply(call, target, parameters, channel, true)) {
      state.ended = true;
      throw new TypeError(`${call.method}: the reply passed to context.reply() is invalid`);
    }
    await channel.writable();
  }

  /**
   * Sends the values of a `more` call's iterable. Each is held until the next one arrives (or
   * the iterable ends), because only then is it known whether it needs `continues`.
   */
  private async stream(
    call: ParsedCall,
    target: Target,
    iterable: AsyncIterable<unknown>,
    channel: ReplyChannel,
  ): Promise<void> {
    const iterator = iterable[Symbol.asyncIterator]();
    let finished = false;
    try {
      let current = await nextOrClose(iterator, channel.signal);
      if (current === CLOSED) return;
      if (current.done === true) {
        finished = true;
        this.reply(call, target, undefined, channel, false);
        return;
      }
      for (;;) {
        let following: IteratorResult<unknown> | typeof CLOSED;
        try {
          following = await nextOrClose(iterator, channel.signal);
        } catch (error) {
          // The value in hand was produced before the failure: send it, then the error.
          this.reply(call, target, current.value, channel, true);
          throw error;
        }
        if (following === CLOSED) return;
        if (following.done === true) {
          finished = true;
          this.reply(call, target, current.value, channel, false);
          return;
        }
        if (!this.reply(call, target, current.value, channel, true)) return;
        await channel.writable();
        current = following;
      }
    } finally {
      if (!finished) closeIterator(iterator);
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
    if (call.oneway) return true;
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
      const message = `varlink: the reply of ${call.method} cannot be encoded`;
      return this.internalError(channel, message, error);
    }
    channel.write(frame);
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

/** The iterator's next value, or CLOSED when the connection closes first. */
function nextOrClose(
  iterator: AsyncIterator<unknown>,
  signal: AbortSignal,
): Promise<IteratorResult<unknown> | typeof CLOSED> {
  return raceSignal(iterator.next(), signal);
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
