/**
 * A one-shot timer that can be armed, disarmed and re-armed, for the per-connection time limits
 * (idle, partial message, stalled output). Its timer is unref'd: a limit that has not fired yet
 * must not keep the process alive on its own.
 */
import { performance } from "node:perf_hooks";

/** setTimeout cannot wait longer than this; longer limits are treated as none. */
const MAX_TIMER = 2 ** 31 - 1;

/**
 * How a watchdog measures its time: `wall` counts every millisecond; `waiting` counts only those
 * the event loop spent waiting for I/O, so that time the process spent working (parsing other
 * connections' messages, running handlers) is not held against the peer being waited for.
 */
export type WatchdogClock = "wall" | "waiting";

/** Calls `onFire` once, `timeout` milliseconds after {@link Watchdog.arm}, unless disarmed first. */
export class Watchdog {
  private timer: NodeJS.Timeout | undefined;
  /** With the `waiting` clock: the event loop's idle time when armed. */
  private idleAtArm = 0;

  /** `timeout` undefined (or beyond what a timer can wait) means the watchdog never fires. */
  constructor(
    readonly timeout: number | undefined,
    private readonly onFire: () => void,
    private readonly clock: WatchdogClock = "wall",
  ) {}

  /** True while a timer is running. */
  get armed(): boolean {
    return this.timer !== undefined;
  }

  /** Starts the timer, unless it is already running or there is no timeout. */
  arm(): void {
    if (this.timer !== undefined || this.timeout === undefined || this.timeout > MAX_TIMER) return;
    if (this.clock === "waiting") this.idleAtArm = performance.eventLoopUtilization().idle;
    this.start(this.timeout);
  }

  /** Stops the timer if it runs. */
  disarm(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private start(delay: number): void {
    this.timer = setTimeout(this.fire, delay);
    this.timer.unref();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    if (this.clock === "waiting" && this.timeout !== undefined) {
      const waited = performance.eventLoopUtilization().idle - this.idleAtArm;
      // A millisecond of slack: the loop's idle time is measured, the timer's delay rounded.
      if (waited < this.timeout - 1) {
        // At least a tenth of the limit: when the process is saturated, thousands of waiting
        // connections must not each fire every few milliseconds.
        this.start(Math.max(this.timeout - waited, this.timeout / 10));
        return;
      }
    }
    this.onFire();
  };
}
