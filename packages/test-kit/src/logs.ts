/**
 * Log lines a service or bridge reported, kept for assertions.
 */

/** What a logger was given: each line, and the error that came with it (undefined without one). */
export class LogLines {
  readonly lines: string[] = [];
  /** The error logged with each line, undefined for lines without one. */
  readonly causes: unknown[] = [];

  /** The logger to pass as `ServiceOptions.logger` or `HttpBridgeOptions.log`. */
  readonly logger = (message: string, cause?: unknown): void => {
    this.lines.push(message);
    this.causes.push(cause);
  };

  /** Whether a line matching `pattern` has been logged. */
  has(pattern: RegExp): boolean {
    return this.lines.some((line) => pattern.test(line));
  }

  /** Forgets every line. */
  clear(): void {
    this.lines.length = 0;
    this.causes.length = 0;
  }
}
