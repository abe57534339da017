/**
 * A call's `signal` and `timeout`. Varlink cannot cancel one call, so when either fires the
 * client closes the whole connection; this file only turns them into the error the call gets.
 */
import { ConnectionError } from "../errors.js";
import type { CallOptions } from "../types.js";

/** setTimeout cannot wait longer than this; longer timeouts are treated as none. */
const MAX_TIMER = 2 ** 31 - 1;

/** The error for a call whose signal fired. */
export function abortedError(what: string, signal: AbortSignal): ConnectionError {
  return new ConnectionError("aborted", `${what} was aborted`, { cause: signal.reason });
}

/** The error for a call that ran out of time. */
export function timeoutError(what: string, timeout: number): ConnectionError {
  return new ConnectionError("timeout", `${what} timed out after ${timeout} ms`);
}

const disarmed = (): void => {};

/**
 * Checks `options.timeout`.
 * @throws RangeError when it is not a number of milliseconds (zero or more).
 */
export function checkTimeout(options: CallOptions | undefined): void {
  const timeout = options?.timeout;
  if (timeout !== undefined && (typeof timeout !== "number" || !(timeout >= 0))) {
    throw new RangeError(`timeout must be a number of milliseconds, got ${String(timeout)}`);
  }
}

/**
 * Calls `onAbort` once when the signal fires or the timeout passes, and returns the function that
 * disarms both. The signal must not be aborted already: callers reject such calls before writing.
 */
export function guardCall(
  what: string,
  options: CallOptions | undefined,
  onAbort: (error: ConnectionError) => void,
): () => void {
  const signal = options?.signal;
  const timeout = options?.timeout;
  if (signal === undefined && (timeout === undefined || timeout > MAX_TIMER)) return disarmed;
  let timer: NodeJS.Timeout | undefined;
  const onSignal = (): void => {
    release();
    onAbort(abortedError(what, signal as AbortSignal));
  };
  const release = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    signal?.removeEventListener("abort", onSignal);
  };
  signal?.addEventListener("abort", onSignal, { once: true });
  if (timeout !== undefined && timeout <= MAX_TIMER) {
    timer = setTimeout(() => {
      release();
      onAbort(timeoutError(what, timeout));
    }, timeout);
  }
  return release;
}
