/**
 * What every reliability test opens, in one place that closes it all: temporary directories,
 * services, clients, raw sockets and child processes. Also the small waits these tests share.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Duplex } from "node:stream";
import type { Connection, VarlinkService } from "@varlink-ts/runtime";
import { openStream } from "@varlink-ts/runtime/transport";
import { RawClient } from "../server/harness.js";

/** Absolute path of a fixture script (plain JavaScript on the runtime's dist output). */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));
}

/** How many file descriptors this process has open. */
export function openFds(): number {
  return readdirSync("/proc/self/fd").length;
}

/** Lets pending I/O callbacks and timers of `ms` run. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `ready` every 20 ms, at most `tries` times: true once it holds. A bounded wait for
 * something that happens asynchronously (a socket closing), so a test fails with its own
 * assertion rather than hanging.
 */
export async function eventually(ready: () => boolean, tries = 250): Promise<boolean> {
  for (let attempt = 0; attempt < tries; attempt++) {
    if (ready()) return true;
    await sleep(20);
  }
  return ready();
}

/** A started child process and the lines it prints on stdout. */
export class Child {
  /** Resolves when the child has exited. */
  readonly exited: Promise<void>;
  private readonly lines: string[] = [];
  private readonly waiters: (() => void)[] = [];

  constructor(readonly process: ChildProcess) {
    this.exited = new Promise((resolve) => process.once("exit", () => resolve()));
    let text = "";
    process.stdout?.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
      for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n")) {
        this.lines.push(text.slice(0, end));
        text = text.slice(end + 1);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    void this.exited.then(() => {
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** The lines printed so far. */
  get output(): readonly string[] {
    return this.lines;
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** Resolves once the child has printed `line`; rejects if it exits first. */
  async printed(line: string): Promise<void> {
    while (!this.lines.includes(line)) {
      if (!this.running) throw new Error(`the child exited without printing ${JSON.stringify(line)}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Sends `signal` and waits for the child to exit. */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    if (this.running) this.process.kill(signal);
    await this.exited;
  }
}

/** Log lines a service reported, for assertions. */
export class LogLines {
  readonly lines: string[] = [];
  /** The logger to pass as `ServiceOptions.logger`. */
  readonly logger = (message: string): void => {
    this.lines.push(message);
  };
  /** Whether a line matching `pattern` has been logged. */
  has(pattern: RegExp): boolean {
    return this.lines.some((line) => pattern.test(line));
  }
}

/** Everything one test opened; {@link Sandbox.cleanup} releases it whatever the outcome. */
export class Sandbox {
  private readonly dirs: string[] = [];
  private readonly services: VarlinkService[] = [];
  private readonly clients: Connection[] = [];
  private readonly sockets: Duplex[] = [];
  private readonly children: Child[] = [];

  /** A fresh directory, removed at cleanup. */
  async dir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "varlink-reliability-"));
    this.dirs.push(dir);
    return dir;
  }

  /** A socket path in a fresh directory. */
  async socketPath(name = "service.sock"): Promise<string> {
    return join(await this.dir(), name);
  }

  /** Serves `service` on a fresh unix socket; returns the address. */
  async listen(service: VarlinkService): Promise<string> {
    this.services.push(service);
    const listener = await service.listen(`unix:${await this.socketPath()}`);
    return listener.address;
  }

  client(client: Connection): Connection {
    this.clients.push(client);
    return client;
  }

  /** Tracks a stream so cleanup destroys it; its late errors are ignored. */
  track<T extends Duplex>(stream: T): T {
    stream.on("error", () => undefined);
    this.sockets.push(stream);
    return stream;
  }

  /**
   * A raw connection to a unix path that writes exactly what a test sends. It is opened with the
   * runtime's `openStream`, which waits out a full queue of unaccepted connections.
   */
  async raw(path: string): Promise<RawClient> {
    const socket = await openStream(`unix:${path}`);
    this.sockets.push(socket);
    return new RawClient(socket);
  }

  /**
   * Starts `node ...nodeFlags <fixture> ...args` and waits until it prints "ready". `shell` runs
   * first in a shell that then execs node (e.g. `ulimit -n 64`).
   */
  async start(
    script: string,
    args: readonly string[],
    shell?: string,
    nodeFlags: readonly string[] = [],
  ): Promise<Child> {
    const command = [process.execPath, ...nodeFlags, fixture(script), ...args];
    const options: SpawnOptions = { stdio: ["ignore", "pipe", "inherit"] };
    const child = new Child(
      shell === undefined
        ? spawn(process.execPath, command.slice(1), options)
        : spawn("/bin/sh", ["-c", `${shell}; exec "$@"`, "sh", ...command], options),
    );
    this.children.push(child);
    await child.printed("ready");
    return child;
  }

  async cleanup(): Promise<void> {
    for (const client of this.clients.splice(0)) client.close();
    for (const socket of this.sockets.splice(0)) socket.destroy();
    await Promise.all(this.services.splice(0).map((service) => service.close({ grace: 0 })));
    for (const child of this.children.splice(0)) await child.kill();
    await Promise.all(this.dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  }
}
