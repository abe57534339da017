/**
 * A sandbox holds what a test opens — temporary directories, services, servers, clients, streams,
 * child processes — and closes all of it after the test, whatever its outcome. `useSandbox()` is
 * the usual way in: one sandbox, cleaned up after each test of the file (or after the file, for
 * what the tests of a file share).
 */
import { ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createConnection, createServer, Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Duplex } from "node:stream";
import { afterAll, afterEach } from "vitest";
import { Connection, VarlinkService } from "@varlink-ts/runtime";
import { Child, startChild, type RunOptions, type RunResult } from "./child.js";
import { LogLines } from "./logs.js";
import { RawClient } from "./raw-client.js";

/** Something that `track` closes at cleanup. */
export type Trackable =
  | ChildProcess
  | VarlinkService
  | Connection
  | Duplex
  | Server
  | Child
  | { terminate(): void }
  | { close(): unknown };

/** Options of {@link Sandbox.node}. */
export interface NodeOptions extends RunOptions {
  /** A line the script prints once it is ready; the default is "ready". */
  readonly ready?: string;
  /** Node's own flags, before the script. */
  readonly nodeFlags?: readonly string[];
  /** Shell commands run before node, which is then exec'd by the same shell (`ulimit -n 64`). */
  readonly shell?: string;
}

export class Sandbox {
  /** What services and bridges logged, when given {@link LogLines.logger}; cleared at cleanup. */
  readonly log = new LogLines();
  private home: string | undefined;
  private readonly dirs: string[] = [];
  /** Closed first: clients, streams and WebSockets. */
  private readonly ends = new Set<() => Promise<void> | void>();
  /** Then, last opened first closed: services, servers, listeners, bridges, `defer`'s callbacks. */
  private readonly closers: (() => unknown)[] = [];
  /** Then killed: processes. */
  private readonly children = new Set<Child>();

  constructor(private readonly prefix = "varlink-test-") {}

  /** The sandbox's own temporary directory, made on first use (and again after cleanup). */
  get dir(): string {
    this.home ??= mkdtempSync(join(tmpdir(), this.prefix));
    return this.home;
  }

  /** A path in {@link dir}. */
  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  /** The `unix:` address of a socket named `name` in {@link dir}. */
  socket(name: string): string {
    return `unix:${this.path(name)}`;
  }

  /** A new temporary directory of its own, removed at cleanup. */
  async tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), this.prefix));
    this.dirs.push(dir);
    return dir;
  }

  /** The path of a socket named `name` in a new directory of its own. */
  async socketPath(name = "service.sock"): Promise<string> {
    return join(await this.tempDir(), name);
  }

  /** Runs `cleanup` at cleanup, with the services and servers (last registered, first run). */
  defer(cleanup: () => unknown): void {
    this.closers.push(cleanup);
  }

  /**
   * Closes `thing` at cleanup: a client connection, a stream (whose late errors are then
   * ignored) or a WebSocket first; then services (without grace), servers and anything else with
   * `close()`, the last tracked first; then processes (a `Child` or a `ChildProcess`), killed.
   */
  track<T extends Trackable>(thing: T): T {
    if (thing instanceof Connection) {
      this.ends.add(() => thing.close());
    } else if (thing instanceof Duplex) {
      thing.on("error", () => undefined);
      this.ends.add(() => destroyed(thing));
    } else if (thing instanceof Child) {
      this.children.add(thing);
    } else if (thing instanceof ChildProcess) {
      this.children.add(new Child(thing));
    } else if (thing instanceof VarlinkService) {
      this.closers.push(() => thing.close({ grace: 0 }));
    } else if (thing instanceof Server) {
      this.closers.push(() => closeServer(thing));
    } else if ("terminate" in thing) {
      this.ends.add(() => thing.terminate());
    } else {
      this.closers.push(() => thing.close());
    }
    return thing;
  }

  /** Serves `service` on a unix socket through `service.serve`; resolves with the socket's path. */
  async serve(service: VarlinkService): Promise<string> {
    const path = join(await this.tempDir(), "socket");
    const server = createServer((socket) => service.serve(socket));
    this.defer(async () => {
      await service.close({ grace: 0 });
      await closeServer(server);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(path, resolve);
    });
    return path;
  }

  /** Has `service` listen on a unix socket in a new directory; resolves with its address. */
  async listen(service: VarlinkService, name = "service.sock"): Promise<string> {
    this.track(service);
    const listener = await service.listen(`unix:${await this.socketPath(name)}`);
    return listener.address;
  }

  /**
   * A connection to the unix socket at `path` that writes exactly what the test sends. While the
   * server's queue of unaccepted connections is full, it tries again.
   */
  async raw(path: string): Promise<RawClient> {
    for (;;) {
      const socket: Socket = createConnection(path);
      const outcome = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
        socket.once("connect", () => resolve(undefined));
        socket.once("error", resolve);
      });
      if (outcome === undefined) return new RawClient(this.track(socket));
      socket.destroy();
      if (outcome.code !== "EAGAIN") throw outcome;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Starts `command`, collecting its output; it is killed at cleanup if it still runs. */
  spawn(command: string, args: readonly string[], options: RunOptions = {}): Child {
    return this.track(startChild(command, args, { cwd: this.dir, ...options }));
  }

  /** Runs `command` to its end (killed at cleanup if it has not ended by then). */
  async run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const child = this.spawn(command, args, options);
    await child.exited;
    return { code: child.process.exitCode, stdout: child.stdout(), stderr: child.stderr() };
  }

  /**
   * Starts `node ...nodeFlags script ...args` and resolves once it printed its ready line
   * ("ready" unless told otherwise).
   */
  async node(script: string | URL, args: readonly string[], options: NodeOptions = {}): Promise<Child> {
    const { ready = "ready", nodeFlags = [], shell, ...rest } = options;
    const file = script instanceof URL ? fileURLToPath(script) : script;
    const command = [process.execPath, ...nodeFlags, file, ...args];
    const child =
      shell === undefined
        ? this.spawn(process.execPath, command.slice(1), rest)
        : this.spawn("/bin/sh", ["-c", `${shell}; exec "$@"`, "sh", ...command], rest);
    await child.printed(ready);
    return child;
  }

  /** Closes, kills and removes everything; the sandbox can then be used again. */
  async cleanup(): Promise<void> {
    this.log.clear();
    const failures: unknown[] = [];
    const attempt = async (step: () => unknown): Promise<void> => {
      try {
        await step();
      } catch (error) {
        failures.push(error);
      }
    };
    const ends = [...this.ends];
    this.ends.clear();
    await Promise.all(ends.map(attempt));
    for (const close of this.closers.splice(0).reverse()) await attempt(close);
    const children = [...this.children];
    this.children.clear();
    await Promise.all(children.map((child) => attempt(() => child.kill())));
    const dirs = this.dirs.splice(0);
    if (this.home !== undefined) dirs.push(this.home);
    this.home = undefined;
    await Promise.all(dirs.map((dir) => attempt(() => rm(dir, { recursive: true, force: true }))));
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, "cleaning up the sandbox failed");
  }
}

/**
 * A sandbox cleaned up after each test of the file (or of the `describe` block it is called in);
 * with `{ scope: "file" }`, once after all of them, for what the tests share.
 */
export function useSandbox(options: { scope?: "test" | "file"; prefix?: string } = {}): Sandbox {
  const sandbox = new Sandbox(options.prefix);
  if (options.scope === "file") afterAll(() => sandbox.cleanup());
  else afterEach(() => sandbox.cleanup());
  return sandbox;
}

/** Destroys `stream` and resolves once it has closed. */
async function destroyed(stream: Duplex): Promise<void> {
  if (stream.closed) return;
  const closed = new Promise<void>((resolve) => stream.once("close", () => resolve()));
  stream.destroy();
  await closed;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
