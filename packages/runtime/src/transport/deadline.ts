/**
 * The `signal` and `timeout` of opening a connection. Both stop the attempt the same way: the
 * attempt gets one AbortSignal whose `reason` is the ConnectionError to reject with, so whatever
 * it holds (a half-open socket, a started child) is released by the code that acquired it.
 */
import { ConnectionError } from "../errors.js";
import type { CallOptions } from "../types.js";

/** setTimeout cannot wait longer than this; longer timeouts are treated as none. */
const MAX_TIMER = 2 ** 31 - 1;

/** The error for an attempt whose signal fired. */
export function abortedError(what: string, signal: AbortSignal): ConnectionError {
  return new ConnectionError("aborted", `${what} was aborted`, { cause: signal.reason });
}

/** The error for an attempt that ran out of time. */
export function timeoutError(what: string, timeout: number): ConnectionError {
  return new ConnectionError("timeout", `${what} timed out after ${timeout} ms`);
}

/**
 * Runs `attempt` with a signal that fires when `options.signal` does or `options.timeout` passes.
 * `attempt` must reject with `signal.reason` when it fires and release what it acquired.
 *
 * @throws RangeError when `timeout` is not a number of milliseconds (zero or more).
 */
export async function withDeadline<T>(
  what: string,
  options: CallOptions | undefined,
  attempt: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const timeout = options?.timeout;
  if (timeout !== undefined && (typeof timeout !== "number" || !(timeout >= 0))) {
    throw new RangeError(`timeout must be a number of milliseconds, got ${String(timeout)}`);
  }
  const outer = options?.signal;
  if (outer?.aborted === true) throw abortedError(what, outer);
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(abortedError(what, outer as AbortSignal));
  outer?.addEventListener("abort", onAbort, { once: true });
  const timer =
    timeout !== undefined && timeout <= MAX_TIMER
      ? setTimeout(() => controller.abort(timeoutError(what, timeout)), timeout)
      : undefined;
  try {
    return await attempt(controller.signal);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", onAbort);
  }
}
