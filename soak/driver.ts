/**
 * The soak: many calls over many connections to a service in a child process, while connections
 * are dropped at random and the service is killed and restarted. Every call must end exactly once,
 * in its own reply or a typed error; the report counts what happened and what went wrong.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type Connection } from "@varlink-ts/runtime";
import { Ledger, typedName, type LedgerCounts } from "./ledger.js";
import { Random } from "./random.js";
import { ServerProcess } from "./server-process.js";

/** What to run. */
export interface SoakOptions {
  /** Calls to make in total. */
  readonly calls: number;
  /** Connections calling at the same time. */
  readonly connections: number;
  /** Path of the server script (`soak/server.mjs`). */
  readonly serverScript: string;
  /** How many times to kill and restart the service over the run. Default 10. */
  readonly restarts?: number;
  /** Seed of the random choices. Default: from the clock. */
  readonly seed?: number;
  /** Calls a connection keeps in flight at most. Default 8. */
  readonly depth?: number;
  /** Chance, per call issued, that the client drops its connection right after. Default 0.002. */
  readonly disconnectRate?: number;
  /** Milliseconds to wait, at the end, for calls that have not ended before calling them lost. */
  readonly settleTimeout?: number;
}

/** What happened. */
export interface SoakReport extends LedgerCounts {
  readonly connections: number;
  readonly seed: number;
  readonly seconds: number;
  /** Times the service was killed (SIGKILL) or stopped (SIGTERM) and started again. */
  readonly restarts: number;
  /** Connections the clients dropped on purpose with calls in flight. */
  readonly disconnects: number;
  /** Failed connection attempts (the service was down), by error. */
  readonly connectFailures: Readonly<Record<string, number>>;
  /** Calls that never ended. */
  readonly lost: number;
  /** Examples of what went wrong. */
  readonly samples: readonly string[];
  /**
   * True when every call ended exactly once, in its own reply or a ConnectionError (the only
   * error this service and a correct client can produce), and every failed connect was typed.
   */
  readonly ok: boolean;
}

const SOAK = "org.example.soak";

/** Runs the soak and reports; never throws for what the calls do, only for a broken setup. */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const seed = options.seed ?? Date.now() % 2 ** 31;
  const random = new Random(seed);
  const depth = options.depth ?? 8;
  const disconnectRate = options.disconnectRate ?? 0.002;
  const restartEvery = Math.max(1, Math.floor(options.calls / ((options.restarts ?? 10) + 1)));
  const dir = await mkdtemp(join(tmpdir(), "varlink-soak-"));
  const address = `unix:${join(dir, "soak.sock")}`;
  const server = new ServerProcess(options.serverScript, address.slice("unix:".length));
  const ledger = new Ledger();
  const connectFailures = new Map<string, number>();
  let restarts = 0;
  let disconnects = 0;
  let nextRestart = restartEvery;
  let restarting: Promise<void> | undefined;
  const started = Date.now();
  await server.start();

  const done = (): boolean => ledger.issued >= options.calls;

  /** Kills (or stops) and restarts the service once enough calls have been issued. */
  const maybeRestart = (): void => {
    if (restarting !== undefined || ledger.issued < nextRestart || restarts >= (options.restarts ?? 10)) return;
    nextRestart += restartEvery;
    restarting = (async () => {
      await server.stop(random.chance(0.5) ? "SIGKILL" : "SIGTERM");
      restarts++;
      await server.start();
    })().finally(() => {
      restarting = undefined;
    });
  };

  /** Connects, retrying while the service is down; undefined once all calls are issued. */
  const open = async (): Promise<Connection | undefined> => {
    for (let attempt = 0; !done(); attempt++) {
      try {
        return await connect(address, { timeout: 5000 });
      } catch (error) {
        const name = typedName(error) ?? `untyped ${String(error)}`;
        connectFailures.set(name, (connectFailures.get(name) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, Math.min(50, 2 ** attempt)));
      }
    }
    return undefined;
  };

  /** Issues one call, plain or streaming, and books how it ends. Never rejects. */
  const call = async (client: Connection): Promise<void> => {
    const id = ledger.issue();
    try {
      if (random.chance(0.15)) {
        const n = random.int(1, 5);
        const replies: { id: number; i: number }[] = [];
        for await (const reply of client.callMore<{ id: number; i: number }>(`${SOAK}.Stream`, { id, n })) {
          replies.push(reply);
        }
        const right = replies.length === n && replies.every((reply, i) => reply.id === id && reply.i === i);
        ledger.replied(id, right, `stream of ${n} gave ${JSON.stringify(replies)}`);
      } else {
        const payload = "p".repeat(random.chance(0.01) ? random.int(10_000, 100_000) : random.int(0, 200));
        const delay = random.chance(0.05) ? random.int(1, 10) : 0;
        const reply = await client.call<{ id: number; payload: string }>(`${SOAK}.Echo`, { id, payload, delay });
        ledger.replied(id, reply.id === id && reply.payload === payload, `id ${reply.id}`);
      }
    } catch (error) {
      ledger.failed(id, error);
    }
  };

  /** One connection's life, again and again: connect, call, sometimes drop it mid-flight. */
  const worker = async (): Promise<void> => {
    while (!done()) {
      const client = await open();
      if (client === undefined) return;
      const inFlight = new Set<Promise<void>>();
      while (!done() && !client.closed) {
        const pending = call(client);
        inFlight.add(pending);
        void pending.then(() => inFlight.delete(pending));
        maybeRestart();
        if (random.chance(disconnectRate)) {
          disconnects++;
          client.close();
          break;
        }
        if (inFlight.size >= depth) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      client.close();
    }
  };

  let counts: LedgerCounts;
  try {
    const workers = Array.from({ length: options.connections }, () => worker());
    await settleWithin(Promise.all(workers), options.settleTimeout ?? 30_000);
    // Counted before the service goes: stopping it would end a hung call with an error.
    counts = ledger.counts();
    await restarting;
  } finally {
    await server.stop("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  }

  const report: SoakReport = {
    ...counts,
    connections: options.connections,
    seed,
    seconds: (Date.now() - started) / 1000,
    restarts,
    disconnects,
    connectFailures: Object.fromEntries(connectFailures),
    lost: counts.pending,
    samples: [...ledger.samples],
    ok:
      counts.issued === options.calls &&
      counts.pending === 0 &&
      counts.untyped === 0 &&
      counts.duplicated === 0 &&
      counts.wrong === 0 &&
      // The service never answers with an error and always speaks the protocol: the only
      // acceptable failure is the connection's.
      Object.keys(counts.typedErrors).every((name) => name.startsWith("ConnectionError")) &&
      [...connectFailures.keys()].every((name) => !name.startsWith("untyped")),
  };
  return report;
}

/** Waits for `work`, or gives up after `ms`: calls still open then are reported as lost. */
async function settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The one-line summary the soak prints. */
export function summaryLine(report: SoakReport): string {
  const errors = Object.entries(report.typedErrors)
    .map(([name, count]) => `${name} ${count}`)
    .join(", ");
  const sum = (counts: Readonly<Record<string, number>>): number =>
    Object.values(counts).reduce((total, count) => total + count, 0);
  return (
    `soak ${report.ok ? "ok" : "FAILED"}: ${report.issued} calls over ${report.connections} connections ` +
    `in ${report.seconds.toFixed(1)} s: ${report.replies} replies, ` +
    `${sum(report.typedErrors)} typed errors (${errors || "none"}), ` +
    `${report.untyped} untyped, ${report.duplicated} twice, ${report.wrong} wrong, ${report.lost} lost; ` +
    `${report.restarts} restarts, ${report.disconnects} disconnects, ${sum(report.connectFailures)} failed connects; seed ${report.seed}`
  );
}
