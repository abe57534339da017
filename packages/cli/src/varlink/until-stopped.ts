/**
 * How the commands that run until interrupted (`varlink http-bridge`, `varlink-codegen --watch`)
 * learn that they should stop. They listen for SIGINT and SIGTERM only while they run: a
 * launcher that took the signals for every run would leave a one-shot run that hangs (on a
 * service that never answers, say) deaf to Ctrl-C.
 */

/** The signals that stop such a command; a second one ends the process at once. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"];

/** A wait for the stop, and a way to give up waiting (the command ended on its own). */
export interface StopWait {
  /** Resolves with the first SIGINT or SIGTERM, or when the context's signal aborts. */
  readonly stopped: Promise<void>;
  /** Aborts when `stopped` resolves, for what takes a signal. */
  readonly signal: AbortSignal;
  /** Removes the handlers without stopping. */
  cancel(): void;
}

/**
 * Waits for SIGINT, SIGTERM or `abort` (the context's signal: a program that runs the command in
 * its own process stops it so). The handlers go when the first comes, so that a second signal
 * ends the process as it would without them (a way out of a close that hangs).
 */
export function untilStopped(abort: AbortSignal | undefined): StopWait {
  const stopping = new AbortController();
  const stopped = new Promise<void>((resolve) => stopping.signal.addEventListener("abort", () => resolve()));
  const stop = (): void => {
    remove();
    stopping.abort();
  };
  const remove = (): void => {
    for (const name of STOP_SIGNALS) process.off(name, stop);
    abort?.removeEventListener("abort", stop);
  };
  for (const name of STOP_SIGNALS) process.on(name, stop);
  abort?.addEventListener("abort", stop);
  if (abort?.aborted === true) stop();
  return { stopped, signal: stopping.signal, cancel: remove };
}
