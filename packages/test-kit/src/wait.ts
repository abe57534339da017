/**
 * Waiting for things that happen asynchronously, by readiness rather than by time: promises
 * resolved from outside, conditions polled until they hold, sockets that start accepting.
 */
import { readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { connect, createServer, type AddressInfo } from "node:net";

/** A promise with its resolve function outside. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets pending I/O callbacks and timers of `ms` run. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once `condition()` holds, looking again every 5 ms (no deadline: the test's timeout is one). */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(5);
}

/**
 * Polls `ready` every 20 ms, at most `tries` times: true once it holds. A bounded wait for
 * something that happens asynchronously (a socket closing), so that a test fails with its own
 * assertion rather than hanging.
 */
export async function eventually(ready: () => boolean, tries = 250): Promise<boolean> {
  for (let attempt = 0; attempt < tries; attempt++) {
    if (ready()) return true;
    await sleep(20);
  }
  return ready();
}

/**
 * Whether something accepts connections at a `unix:PATH`, `unix:@NAME` or `tcp:HOST:PORT`
 * address right now. An abstract name is looked up in /proc/net/unix instead of connected to:
 * Node 20 pads abstract names (see EXACT_ABSTRACT_NAMES) and would miss another program's socket.
 */
export async function accepts(address: string): Promise<boolean> {
  if (address.startsWith("unix:@")) {
    const sockets = await readFile("/proc/net/unix", "latin1");
    return sockets.split("\n").some((line) => line.endsWith(` ${address.slice("unix:".length)}`));
  }
  const tcp = /^tcp:(.+):(\d+)$/.exec(address);
  const target = tcp ? { host: tcp[1]!, port: Number(tcp[2]) } : { path: address.replace(/^unix:/, "") };
  return new Promise((resolve) => {
    const socket = connect(target);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (bound by the system, then released): for
 * peers that cannot pick their own, and as a port where nothing listens.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether a process with this pid exists (a zombie counts as gone once reaped by its parent). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

/**
 * True when this runtime binds and connects abstract unix sockets under their exact name. libuv
 * before 1.48 (Node 20) pads the name with NUL bytes to the full 108 bytes of `sun_path`, so its
 * `unix:@NAME` is a different socket from everyone else's `unix:@NAME`; the runtime then goes
 * through @varlink-ts/native, which uses the exact length, when that addon loads.
 */
export const EXACT_ABSTRACT_NAMES =
  atLeast(process.versions.uv ?? "0", [1, 48]) ||
  (await import("@varlink-ts/native").then((native) => native.isNativeAvailable(), () => false));

function atLeast(version: string, minimum: readonly number[]): boolean {
  const parts = version.split(".").map(Number);
  for (const [index, wanted] of minimum.entries()) {
    const part = parts[index] ?? 0;
    if (part !== wanted) return part > wanted;
  }
  return true;
}

/** A name in the abstract socket namespace that no other test (or test run) uses. */
export function abstractName(label = "varlink-ts-test"): string {
  return `${label}-${process.pid}-${Math.random().toString(36).slice(2)}`;
}

/** How many file descriptors this process has open. */
export function openFds(): number {
  return readdirSync("/proc/self/fd").length;
}
