/**
 * A one-shot timer that can be armed, disarmed and re-armed, for the per-connection time limits
 * (idle, partial message, stalled output). Its timer is unref'd: a limit that has not fired yet
 * must not keep the process alive on its own.
 */

/** setTimeout cannot wait longer than this; longer limits are treated as none. */
const MAX_TIMER = 2 ** 31 - 1;

/** Calls `onFire` once, `timeout` milliseconds after {@link Watchdog.arm}, unless disarmed first. */
export class Watchdog {
  private timer: NodeJS.Timeout | undefined;

  /** `timeout` undefined (or beyond what a timer can wait) means the watchdog never fires. */
  constructor(
    readonly timeout: number | undefined,
    private readonly onFire: () => void,
  ) {}

  /** True while a timer is running. */
  get armed(): boolean {
    return this.timer !== undefined;
  }

  /** Starts the timer, unless it is already running or there is no timeout. */
  arm(): void {
    if (this.timer !== undefined || this.timeout === undefined || this.timeout > MAX_TIMER) return;
    this.timer = setTimeout(this.fire, this.timeout);
    this.timer.unref();
  }

  /** Stops the timer if it runs. */
  disarm(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.onFire();
  };
}
