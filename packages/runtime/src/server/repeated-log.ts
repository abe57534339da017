/**
 * A log line for an event that can repeat many times a second, such as refusing connections
 * beyond `maxConnections` under a flood: the first goes out at once, the others in that window are
 * counted and said in one line when the window ends. The log stays readable, and writing it does
 * not become part of the flood's cost.
 */
export class RepeatedLog {
  private suppressed = 0;
  private window: NodeJS.Timeout | undefined;

  constructor(
    private readonly message: string,
    private readonly log: (message: string) => void,
    private readonly windowMs = 10_000,
  ) {}

  /** One more occurrence. */
  report(): void {
    if (this.window !== undefined) {
      this.suppressed++;
      return;
    }
    this.log(this.message);
    this.open();
  }

  /** Says what is still counted, and stops the window's timer. */
  flush(): void {
    clearTimeout(this.window);
    this.window = undefined;
    if (this.suppressed === 0) return;
    const count = this.suppressed;
    this.suppressed = 0;
    this.log(`${this.message} (${count} more ${count === 1 ? "time" : "times"} since the last line)`);
  }

  private open(): void {
    this.window = setTimeout(this.windowEnded, this.windowMs);
    this.window.unref();
  }

  private readonly windowEnded = (): void => {
    this.window = undefined;
    if (this.suppressed === 0) return;
    this.flush();
    // The count was a line of its own: the next occurrence waits for another window.
    this.open();
  };
}
