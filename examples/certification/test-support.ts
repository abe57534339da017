/**
 * What the certification tests share: starting the executables as a user would, waiting until a
 * server accepts connections, temporary directories and free ports, and cleaning all of it up.
 * Every process and directory made here is registered and removed by {@link cleanUp}.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { connect as connectSocket, createServer, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

/** This package's directory. */
const HERE = fileURLToPath(new URL(".", import.meta.url));

/** This project's certification program (the sh launcher of dist/main.js). */
export const CERTIFICATION = fileURLToPath(new URL("./certification", import.meta.url));

/** The Go implementation's certification program, from Debian's varlink-go. */
export const GO_CERTIFICATION = "varlink-go-certification";

/** A started process and what it printed so far. */
export interface Run {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code, or the signal's name. */
  readonly exited: Promise<number | string>;
}

const children: ChildProcess[] = [];
const directories: string[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

/** Starts `command` (in this directory); its output is collected, its stdin closed. */
export function run(command: string, args: readonly string[]): Run {
  const child = spawn(command, args, { cwd: HERE, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const exited = new Promise<number | string>((resolve) =>
    child.once("close", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Registers something to undo in {@link cleanUp}, such as an in-process server. */
export function onCleanUp(cleanup: () => Promise<void> | void): void {
  cleanups.push(cleanup);
}

/** Kills every process started and removes every directory made since the last call. */
export async function cleanUp(): Promise<void> {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await Promise.all(directories.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** A new private directory under the system's temporary directory. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "varlink-certification-"));
  directories.push(dir);
  return dir;
}

/** A name in the abstract socket namespace that no other test run uses. */
export function abstractName(): string {
  return `varlink-ts-certification-${process.pid}-${Math.random().toString(36).slice(2)}`;
}

/** A TCP port on 127.0.0.1 that was free a moment ago, for peers that cannot pick their own. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Starts this project's certification server and waits for its `Listening on ADDRESS` line.
 * @returns the server and the address it announced (the real port for `tcp:…:0`).
 */
export async function startServer(args: readonly string[]): Promise<{ server: Run; address: string }> {
  const server = run(CERTIFICATION, args);
  for (;;) {
    const match = /^Listening on (.+)$/m.exec(server.stdout());
    if (match) return { server, address: match[1]! };
    const exited = await Promise.race([
      server.exited,
      new Promise<undefined>((resolve) => server.child.stdout!.once("data", () => resolve(undefined))),
    ]);
    if (exited !== undefined) {
      throw new Error(`the server exited with ${exited} before listening: ${server.stderr()}`);
    }
  }
}

/**
 * Starts the Go certification server at `address` and waits until it accepts a connection; it
 * prints nothing when ready, so readiness is tried by connecting.
 */
export async function startGoServer(address: string): Promise<Run> {
  const server = run(GO_CERTIFICATION, [`--varlink=${address}`]);
  let exited: number | string | undefined;
  void server.exited.then((code) => (exited = code));
  while (!(await accepts(address))) {
    if (exited !== undefined) {
      throw new Error(`${GO_CERTIFICATION} exited with ${exited}: ${server.stderr()}`);
    }
    await sleep(20);
  }
  return server;
}

/**
 * True when Node binds and connects abstract unix sockets under their exact name. libuv before
 * 1.48 (Node 20) pads the name with NUL bytes to the full 108 bytes of `sun_path`, so its
 * `unix:@NAME` is a different socket from everyone else's `unix:@NAME`.
 */
export const EXACT_ABSTRACT_NAMES = atLeast(process.versions.uv ?? "0", [1, 48]);

function atLeast(version: string, minimum: readonly number[]): boolean {
  const parts = version.split(".").map(Number);
  for (const [index, wanted] of minimum.entries()) {
    const part = parts[index] ?? 0;
    if (part !== wanted) return part > wanted;
  }
  return true;
}

/** Whether something accepts connections at a `unix:` or `tcp:` address right now. */
async function accepts(address: string): Promise<boolean> {
  if (address.startsWith("unix:@")) {
    // Not by connecting: Node may pad the name (see EXACT_ABSTRACT_NAMES) and miss the socket.
    const sockets = await readFile("/proc/net/unix", "latin1");
    return sockets.split("\n").some((line) => line.endsWith(` ${address.slice("unix:".length)}`));
  }
  const tcp = /^tcp:(.+):(\d+)$/.exec(address);
  const target = tcp ? { host: tcp[1]!, port: Number(tcp[2]) } : { path: address.slice("unix:".length) };
  return new Promise((resolve) => {
    const socket = connectSocket(target);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * A connection that writes call objects exactly as given (a client would drop false flags) and
 * reads replies one at a time.
 */
export class RawConnection {
  private buffered = "";
  private readonly replies: object[] = [];
  private waiting: ((reply: object) => void) | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.buffered += chunk;
      for (let end = this.buffered.indexOf("\0"); end !== -1; end = this.buffered.indexOf("\0")) {
        this.replies.push(JSON.parse(this.buffered.slice(0, end)) as object);
        this.buffered = this.buffered.slice(end + 1);
      }
      this.deliver();
    });
  }

  /** Connects to a unix socket path. */
  static async open(path: string): Promise<RawConnection> {
    const socket = connectSocket({ path });
    onCleanUp(() => void socket.destroy());
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return new RawConnection(socket);
  }

  /** Writes one message, as JSON followed by NUL. */
  send(message: object): void {
    this.socket.write(`${JSON.stringify(message)}\0`);
  }

  /** The next reply. */
  next(): Promise<object> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.deliver();
    });
  }

  private deliver(): void {
    const waiting = this.waiting;
    if (waiting === undefined || this.replies.length === 0) return;
    this.waiting = undefined;
    waiting(this.replies.shift()!);
  }
}
