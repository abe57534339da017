/**
 * The service under attack (the attack target of the reliability tests (fixtures/attack-target.mjs)) in a child process with V8's default heap
 * and the runtime's default limits, and a control connection that reads its stats.
 */
import { join } from "node:path";
import { connect, type Connection } from "@varlink-ts/runtime";
import { Child, memoryOf, resetPeak, type Memory } from "./processes.js";

/** The interface of the service under attack. */
export const A = "org.example.attack";

/** What the service reports of itself, after a full garbage collection. */
export interface TargetStats {
  readonly rss: number;
  readonly peakRss: number;
  readonly heapUsed: number;
  /** Memory outside the heap: Buffers, strings copied for writing. */
  readonly external: number;
  readonly budgetUsed: number;
  readonly budgetLimit: number;
  readonly evictions: number;
  readonly connections: number;
  readonly fds: number;
}

/** The service process and its control connection. */
export class Target {
  private constructor(
    readonly child: Child,
    /** Its socket's path. */
    readonly path: string,
    /** Its `messageTimeout`, when not the default. */
    readonly messageTimeout: number | undefined,
    private readonly control: Connection,
  ) {}

  /** Starts a service listening in `dir` (with `messageTimeout`, if given) and connects to it. */
  static async start(script: string, dir: string, name: string, messageTimeout?: number): Promise<Target> {
    const path = join(dir, `${name}.sock`);
    const args = messageTimeout === undefined ? [path] : [path, String(messageTimeout)];
    // --expose-gc only lets Stats collect before it measures; the heap keeps V8's default size.
    const child = await Child.start(script, args, ["--expose-gc"]);
    try {
      return new Target(child, path, messageTimeout, await connect(`unix:${path}`));
    } catch (error) {
      await child.kill();
      throw error;
    }
  }

  get address(): string {
    return `unix:${this.path}`;
  }

  get alive(): boolean {
    return this.child.running;
  }

  /** Its stats; the timeout only keeps a wedged service from stalling the soak. */
  stats(): Promise<TargetStats> {
    return this.control.call<TargetStats>(`${A}.Stats`, {}, { timeout: 60_000 });
  }

  /** Its resident set now and its peak since the last {@link resetPeak}, read from outside. */
  memory(): Memory | undefined {
    return memoryOf(this.child.pid);
  }

  /** Starts a new peak; false when only the lifetime peak can be had. */
  resetPeak(): boolean {
    return resetPeak(this.child.pid);
  }

  /** How many lines it has printed: a mark for {@link logsSince}. */
  mark(): number {
    return this.child.lines.length;
  }

  /** Its log lines since `mark`. */
  logsSince(mark: number): string[] {
    return this.child.lines
      .slice(mark)
      .filter((line) => line.text.startsWith("log: "))
      .map((line) => line.text.slice("log: ".length));
  }

  /**
   * Waits until no log line has come for `quiet` ms (at most `limit` ms): the eviction line is
   * rate-limited, and its count of the suppressed ones comes up to 10 s later. Waiting for it
   * keeps that line with the attack that caused it.
   */
  async logsSettled(quiet: number, limit: number): Promise<void> {
    const end = Date.now() + limit;
    for (;;) {
      const last = this.child.lines.findLast((line) => line.text.startsWith("log: "))?.at ?? 0;
      const wait = Math.min(last + quiet, end) - Date.now();
      if (wait <= 0 || !this.alive) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 500)));
    }
  }

  /**
   * Polls its stats until only the control connection is left (at most `limit` ms): the
   * service sees a closed peer a little after the soak closes it.
   */
  async settled(limit: number): Promise<TargetStats> {
    const end = Date.now() + limit;
    let stats = await this.stats();
    while (stats.connections > 1 && Date.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      stats = await this.stats();
    }
    return stats;
  }

  /** Closes the control connection and kills the process. */
  async stop(): Promise<void> {
    this.control.close();
    await this.child.kill();
  }
}
