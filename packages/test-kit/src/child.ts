/**
 * Child processes as tests use them: what they printed so far, waiting for a line that says they
 * are ready (or failing at once when they exit first), and running a program to its end.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { StringDecoder } from "node:string_decoder";

/** How a program run to its end finished and what it printed. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link run} and {@link startChild}. */
export interface RunOptions {
  readonly cwd?: string;
  /** Added to (and overriding) this process's environment. */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Written to the child's stdin, which is then closed: a pipe, so not a terminal. Without it,
   * stdin is /dev/null.
   */
  readonly input?: string;
  /** What the child's stderr is: collected ("pipe", the default) or this process's ("inherit"). */
  readonly stderr?: "pipe" | "inherit";
  /** Runs it as this user and group (needs root). */
  readonly uid?: number;
  readonly gid?: number;
}

/** A started process and what it printed so far. */
export class Child {
  /** Resolves with the exit code, or the name of the signal that ended it, once its output is closed. */
  readonly exited: Promise<number | string>;
  private out = "";
  private err = "";
  private done = false;
  private readonly waiters = new Set<() => void>();

  constructor(readonly process: ChildProcess) {
    // Decoded here rather than with setEncoding, so that other listeners still get Buffers.
    const stdout = new StringDecoder("utf8");
    const stderr = new StringDecoder("utf8");
    process.stdout?.on("data", (chunk: Buffer | string) => {
      this.out += typeof chunk === "string" ? chunk : stdout.write(chunk);
      this.wake();
    });
    process.stderr?.on("data", (chunk: Buffer | string) => {
      this.err += typeof chunk === "string" ? chunk : stderr.write(chunk);
      this.wake();
    });
    // A program that cannot start reports it here; its exit is then that error.
    let failure: Error | undefined;
    process.once("error", (error) => {
      failure = error;
      this.err += error.message;
    });
    this.exited = new Promise((resolve) => {
      process.once("close", (code, signal) => {
        this.done = true;
        this.wake();
        resolve(code ?? signal ?? (failure === undefined ? "unknown" : "error"));
      });
    });
    void this.exited.then(() => this.wake());
  }

  /** The process id (undefined when it could not start). */
  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Everything written to stdout so far. */
  stdout(): string {
    return this.out;
  }

  /** Everything written to stderr so far (when it is collected). */
  stderr(): string {
    return this.err;
  }

  /** The complete lines written to stdout so far. */
  lines(): string[] {
    const lines = this.out.split("\n");
    lines.pop();
    return lines;
  }

  /** Whether it has exited and all its output has been read. */
  get closed(): boolean {
    return this.done;
  }

  /** Resolves when it next writes something or closes (at once if it has closed). */
  changed(): Promise<void> {
    if (this.done) return Promise.resolve();
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /**
   * Resolves with the match once stdout (or stderr) matches `pattern`, such as
   * `/^Listening on (.+)$/m`; rejects, with what it wrote to stderr, if the process exits first.
   */
  async waitFor(pattern: RegExp, stream: "stdout" | "stderr" = "stdout"): Promise<RegExpExecArray> {
    for (;;) {
      const match = pattern.exec(stream === "stdout" ? this.out : this.err);
      if (match) return match;
      if (!this.running || this.process.pid === undefined) {
        throw new Error(
          `${this.describe()} exited (${String(this.process.exitCode ?? this.process.signalCode)}) before printing ${String(pattern)}: ${this.err}`,
        );
      }
      await new Promise<void>((resolve) => this.waiters.add(resolve));
    }
  }

  /** Resolves once the process has printed `line` as a whole line on stdout; rejects if it exits first. */
  async printed(line: string): Promise<void> {
    const escaped = line.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    await this.waitFor(new RegExp(`^${escaped}$`, "m"));
  }

  /** Sends `signal` (SIGKILL by default) if it still runs, and resolves once it has exited. */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    if (this.process.pid === undefined) return;
    if (this.running) {
      const exited = new Promise((resolve) => this.process.once("exit", resolve));
      this.process.kill(signal);
      await exited;
    }
  }

  private describe(): string {
    return this.process.spawnargs.slice(0, 2).join(" ");
  }

  private wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }
}

/** Starts `command` with its stdout (and stderr, unless inherited) collected. */
export function startChild(command: string, args: readonly string[], options: RunOptions = {}): Child {
  const spawnOptions: SpawnOptions = {
    stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", options.stderr ?? "pipe"],
    ...(options.cwd !== undefined && { cwd: options.cwd }),
    ...(options.env !== undefined && { env: { ...process.env, ...options.env } }),
    ...(options.uid !== undefined && { uid: options.uid }),
    ...(options.gid !== undefined && { gid: options.gid }),
  };
  const child = new Child(spawn(command, args, spawnOptions));
  if (options.input !== undefined) {
    child.process.stdin?.on("error", () => undefined);
    child.process.stdin?.end(options.input);
  }
  return child;
}

/** Runs `command` to its end; resolves with its exit code and output. */
export async function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const child = startChild(command, args, options);
  await child.exited;
  return { code: child.process.exitCode, stdout: child.stdout(), stderr: child.stderr() };
}

/** Quotes `word` for /bin/sh, for command lines given to --bridge, --activate or ssh. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, "'\\''")}'`;
}
