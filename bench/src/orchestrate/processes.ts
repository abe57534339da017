/**
 * Starting servers and client drivers and speaking their stdout protocol: servers print "ready",
 * "reset" (after SIGUSR1) and a memory report (after SIGTERM); clients print their result as the
 * last line, and for `large` print "warm" and wait for a line on stdin.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { ClientResult, ServerMemory } from "../shared/report.js";

/** Lines a child prints, handed out in order to whoever waits. */
class LineQueue {
  private readonly lines: string[] = [];
  private readonly waiters: ((line: string | undefined) => void)[] = [];
  private ended = false;

  constructor(child: ChildProcess) {
    const reader = createInterface({ input: child.stdout! });
    reader.on("line", (line) => {
      const waiter = this.waiters.shift();
      if (waiter !== undefined) waiter(line);
      else this.lines.push(line);
    });
    reader.on("close", () => {
      this.ended = true;
      for (const waiter of this.waiters.splice(0)) waiter(undefined);
    });
  }

  /** The next line, or undefined once the child's stdout has closed. */
  next(): Promise<string | undefined> {
    const line = this.lines.shift();
    if (line !== undefined || this.ended) return Promise.resolve(line);
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

function collectStderr(child: ChildProcess): () => string {
  let text = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    // Only the end matters when something fails; keep memory bounded.
    text = (text + chunk.toString("utf8")).slice(-4000);
  });
  return () => text.trim();
}

async function expectLine(
  lines: LineQueue,
  expected: string,
  what: string,
  stderr: () => string,
): Promise<void> {
  for (;;) {
    const line = await lines.next();
    if (line === expected) return;
    if (line === undefined)
      throw new Error(`${what} ended before printing "${expected}": ${stderr()}`);
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/** A server process. */
export class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly lines: LineQueue,
    private readonly stderr: () => string,
    readonly what: string,
  ) {}

  static async start(command: readonly [string, string[]], what: string): Promise<ServerProcess> {
    const child = spawn(command[0], command[1], { stdio: ["ignore", "pipe", "pipe"] });
    const server = new ServerProcess(child, new LineQueue(child), collectStderr(child), what);
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    try {
      await expectLine(server.lines, "ready", what, server.stderr);
    } finally {
      clearTimeout(timer);
    }
    return server;
  }

  /** Collects garbage in the server and restarts its peak memory from the current RSS. */
  async resetPeak(): Promise<void> {
    this.child.kill("SIGUSR1");
    await expectLine(this.lines, "reset", this.what, this.stderr);
  }

  /** Stops the server; resolves to its memory report. */
  async stop(): Promise<ServerMemory | undefined> {
    if (this.child.exitCode !== null) return undefined;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
    let report: ServerMemory | undefined;
    for (let line = await this.lines.next(); line !== undefined; line = await this.lines.next()) {
      if (line.startsWith("{")) report = JSON.parse(line) as ServerMemory;
    }
    await exited(this.child);
    clearTimeout(timer);
    return report;
  }
}

/**
 * Runs a client driver to its end and returns its result. `onWarm` runs when the client says it
 * is warm; the client goes on once it resolves.
 */
export async function runClient(
  command: readonly [string, string[]],
  what: string,
  timeoutMs: number,
  onWarm: () => Promise<void> = async () => undefined,
): Promise<ClientResult> {
  const child = spawn(command[0], command[1], { stdio: ["pipe", "pipe", "pipe"] });
  const lines = new LineQueue(child);
  const stderr = collectStderr(child);
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  try {
    let last: string | undefined;
    for (let line = await lines.next(); line !== undefined; line = await lines.next()) {
      if (line === "warm") {
        await onWarm();
        child.stdin!.write("go\n");
      } else {
        last = line;
      }
    }
    const code = await exited(child);
    if (code !== 0 || last === undefined) {
      throw new Error(
        `${what} failed (exit ${code ?? child.signalCode}): ${stderr() || "no output"}`,
      );
    }
    return JSON.parse(last) as ClientResult;
  } finally {
    clearTimeout(timer);
    child.stdin!.destroy();
  }
}
