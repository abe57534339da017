/** What a client driver prints as its last stdout line, as JSON (the Go peer prints the same). */
export interface ClientResult {
  /** Calls completed (for `stream`: replies received; for `large`: calls timed). */
  readonly operations: number;
  /** Seconds the measured operations took (for `large`: the median seconds of one call). */
  readonly seconds: number;
  /** `large`: the size of the parameters' JSON, each way. */
  readonly bytes?: number;
  /** `large`: seconds of each timed call. */
  readonly samples?: readonly number[];
  /** `large`: RSS in KiB just before the first measured call. */
  readonly baselineKiB?: number;
  /** `large`: peak RSS in KiB during the first measured call. */
  readonly peakKiB?: number;
}

/** What a server prints when terminated: its RSS at the last reset and its peak since. */
export interface ServerMemory {
  readonly baselineKiB: number;
  readonly peakKiB: number;
}

/** Prints a client's result as its last line. */
export function printResult(result: ClientResult): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
