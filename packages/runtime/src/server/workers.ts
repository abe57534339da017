/**
 * Serving one address from several worker processes, built on `node:cluster`: the same script
 * runs as the primary, which forks and supervises the workers, and as each worker, which builds
 * its {@link VarlinkService} and listens. Node's cluster shares the listening socket: the primary
 * binds it and hands accepted connections to the workers in turn, so a handler that blocks its
 * event loop stalls only the connections of its own worker.
 *
 * @packageDocumentation
 */
import cluster, { type Worker } from "node:cluster";
import { parseAddress } from "../transport/address.js";
import { removeStaleSocket } from "../transport/listen.js";
import type { VarlinkService } from "./service.js";

/** Options of {@link serveWorkers}. */
export interface ServeWorkersOptions {
  /** Worker processes to fork; default: the number of CPUs (`os.availableParallelism()`). */
  readonly workers?: number;
  /** Builds a worker's service; runs in every worker, never in the primary. */
  readonly start: () => Promise<VarlinkService> | VarlinkService;
  /** A `unix:` or `tcp:` address (socket activation is not supported: see docs/runtime.md). */
  readonly address: string;
  /** Milliseconds each worker lets calls in progress finish when the pool closes; default 5000. */
  readonly grace?: number;
  /** Workers replaced after they died, in all, before the pool stops replacing them; default 10. */
  readonly restarts?: number;
  /** Where the primary reports workers that died; default `console.error`. */
  readonly log?: (message: string) => void;
}

/** What {@link serveWorkers} resolves to, in the primary and in each worker. */
export interface WorkerPool {
  /** True in the primary; false in a worker, whose pool is its own service only. */
  readonly isPrimary: boolean;
  /** The address listened on, with the port chosen for `tcp:…:0`. */
  readonly address: string;
  /** The pids of the workers alive now (in a worker: its own). */
  pids(): number[];
  /**
   * Stops gracefully: every worker closes its service (calls in progress get `grace`) and exits.
   * Resolves once all workers are gone. Also what SIGTERM and SIGINT do.
   */
  close(): Promise<void>;
}

/** Messages between primary and workers, tagged so that other cluster messages pass by. */
type Message = { varlinkWorkers: "listening"; address: string } | { varlinkWorkers: "close" };
const TAG = "varlinkWorkers";
const DEFAULT_GRACE = 5000;

function isMessage(value: unknown): value is Message {
  return typeof value === "object" && value !== null && TAG in value;
}

/**
 * Serves `address` from `workers` processes; call it at the top of the script, which runs once as
 * the primary and once in each worker (`cluster.fork` runs `process.argv[1]` again).
 *
 * In the primary, it forks the workers, resolves once all listen, replaces a worker that dies
 * (at most `restarts` times), and closes the pool on SIGTERM or SIGINT. In a worker, it calls
 * `start()`, listens, and closes its service when the primary says so (or on SIGTERM or SIGINT),
 * then exits.
 *
 * @throws Error (as a rejection, in the primary) when a worker exits before it listens.
 */
export function serveWorkers(options: ServeWorkersOptions): Promise<WorkerPool> {
  return cluster.isPrimary ? servePrimary(options) : serveWorker(options);
}

async function serveWorker(options: ServeWorkersOptions): Promise<WorkerPool> {
  const service = await options.start();
  const listener = await service.listen(options.address);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= service.close({ grace: options.grace ?? DEFAULT_GRACE }).then(() => {
      // The IPC channel and whatever else the handlers opened would keep the worker alive.
      process.exit(0);
    }));
  process.on("message", (message: unknown) => {
    if (isMessage(message) && message.varlinkWorkers === "close") void close();
  });
  // A signal to the whole process group (Ctrl-C, systemd) reaches workers too: close the same way.
  process.once("SIGTERM", () => void close());
  process.once("SIGINT", () => void close());
  send({ varlinkWorkers: "listening", address: listener.address });
  return { isPrimary: false, address: listener.address, pids: () => [process.pid], close };
}

function send(message: Message): void {
  process.send?.(message);
}

async function servePrimary(options: ServeWorkersOptions): Promise<WorkerPool> {
  const { availableParallelism } = await import("node:os");
  const count = options.workers ?? availableParallelism();
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`workers must be a positive integer, got ${count}`);
  }
  const grace = options.grace ?? DEFAULT_GRACE;
  const log = options.log ?? ((message: string) => console.error(message));
  let restartsLeft = options.restarts ?? 10;
  let closing: Promise<void> | undefined;
  const alive = new Set<Worker>();

  /** Forks one worker; resolves with its address once it listens, rejects if it exits first. */
  const fork = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork();
      alive.add(worker);
      let listening = false;
      worker.on("message", (message: unknown) => {
        if (!isMessage(message) || message.varlinkWorkers !== "listening") return;
        listening = true;
        resolve(message.address);
      });
      worker.on("exit", (code, signal) => {
        alive.delete(worker);
        const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
        if (!listening) {
          // At start-up this fails serveWorkers; for a replacement, `replace` starts another.
          reject(new Error(`varlink worker ${worker.process.pid} ended before listening (${how})`));
          return;
        }
        if (closing !== undefined) return;
        replace(worker.process.pid, how);
      });
    });

  /** Starts a worker in place of one that ended, while restarts are left. */
  const replace = (pid: number | undefined, how: string): void => {
    if (restartsLeft <= 0) {
      log(`varlink: worker ${pid} ended (${how}); no restarts left`);
      return;
    }
    restartsLeft--;
    log(`varlink: worker ${pid} ended (${how}); starting another`);
    fork().catch((error: unknown) => {
      log(`varlink: ${(error as Error).message}`);
      // A replacement that dies before it listens is a death too: the pool must not shrink.
      if (closing === undefined) replace(undefined, "before listening");
    });
  };

  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const exits = [...alive].map(
        (worker) => new Promise<void>((resolve) => worker.once("exit", () => resolve())),
      );
      for (const worker of alive) {
        if (worker.isConnected()) worker.send({ varlinkWorkers: "close" } satisfies Message);
        else worker.kill();
      }
      // A worker stuck in a blocking handler never gets to exit: end it once grace is over.
      const timer = setTimeout(() => {
        for (const worker of alive) worker.process.kill("SIGKILL");
      }, grace + 2000);
      await Promise.all(exits);
      clearTimeout(timer);
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
    })());
  const onSignal = (): void => void close();
  // Before the signal handlers are installed: an address that does not parse leaves none behind.
  await removeStaleSocketAt(options.address);
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  let address: string;
  try {
    // The first worker alone, so that only one of them replaces a stale unix socket file.
    address = await fork();
    await Promise.all(Array.from({ length: count - 1 }, fork));
  } catch (error) {
    await close();
    throw error;
  }
  return {
    isPrimary: true,
    address,
    pids: () => [...alive].flatMap((worker) => worker.process.pid ?? []),
    close,
  };
}

/**
 * Removes a socket file that nothing listens on. The workers' own check cannot do it: under
 * cluster the primary binds for them, and a worker's probe of the old file is misread as a live
 * server.
 */
async function removeStaleSocketAt(address: string): Promise<void> {
  const target = parseAddress(address);
  if (target.kind !== "unix") return;
  // A live server's file, or one that is not a socket, stays: listening then fails as it should.
  await removeStaleSocket(target.path, address).catch(() => undefined);
}
