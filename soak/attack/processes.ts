/**
 * The attack soak's child processes: started with their stdout read line by line, and tracked so
 * that {@link killAll} can end every one still running, whatever ends the soak. Also what /proc
 * says of a process's memory.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

/** Every child started and not yet seen to exit. */
const running = new Set<ChildProcess>();

/** Kills every child still running. Synchronous, so that it can run in an `exit` handler. */
export function killAll(): void {
  for (const child of running) child.kill("SIGKILL");
}

/** One line a child printed, and when (Date.now()). */
export interface Line {
  readonly at: number;
  readonly text: string;
}

/** A started child process and the lines it prints on stdout. */
export class Child {
  /** Resolves when the child has exited. */
  readonly exited: Promise<void>;
  /** Every line printed so far. */
  readonly lines: Line[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly process: ChildProcess) {
    running.add(process);
    this.exited = new Promise((resolve) =>
      process.once("exit", () => {
        running.delete(process);
        this.wake();
        resolve();
      }),
    );
    let text = "";
    process.stdout?.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
      for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n")) {
        this.lines.push({ at: Date.now(), text: text.slice(0, end) });
        text = text.slice(end + 1);
      }
      this.wake();
    });
  }

  /**
   * Starts `node ...nodeFlags script ...args` and resolves once it prints "ready".
   * @throws Error when it exits first or is not ready within 30 s (it is killed then).
   */
  static async start(script: string, args: readonly string[], nodeFlags: readonly string[] = []): Promise<Child> {
    const child = new Child(
      spawn(process.execPath, [...nodeFlags, script, ...args], { stdio: ["ignore", "pipe", "inherit"] }),
    );
    if ((await child.line((text) => text === "ready", 30_000)) === undefined) {
      await child.kill();
      throw new Error(`${script} did not get ready`);
    }
    return child;
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** How it ended, once it has: an exit code or a signal. */
  get ending(): string {
    return this.process.signalCode ?? `exit ${String(this.process.exitCode)}`;
  }

  /** The first line that `matches`, waiting up to `timeout` ms for it; undefined if none came. */
  async line(matches: (text: string) => boolean, timeout: number): Promise<string | undefined> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const found = this.lines.find((line) => matches(line.text));
      if (found !== undefined) return found.text;
      const left = deadline - Date.now();
      if (!this.running || left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, left);
        function wake(): void {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(wake);
      });
    }
  }

  /** SIGKILLs the child if it still runs and waits for it to exit. */
  async kill(): Promise<void> {
    if (this.running) this.process.kill("SIGKILL");
    await this.exited;
  }

  private wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }
}

/** A process's resident set, now and at its peak, in bytes. */
export interface Memory {
  readonly rss: number;
  readonly peak: number;
}

/** VmRSS and VmHWM of process `pid` from /proc; undefined once it is gone. */
export function memoryOf(pid: number): Memory | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined;
  }
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
  return { rss: kib("VmRSS"), peak: kib("VmHWM") };
}

/**
 * Resets the peak resident set of process `pid` to its current one (Linux's clear_refs "5"), so
 * each attack's peak is its own. False when the kernel does not allow it; VmHWM is then the
 * process's lifetime peak.
 */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** Mebibytes, for reports. */
export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(bytes < 100 * 2 ** 20 ? 1 : 0)} MiB`;
}
