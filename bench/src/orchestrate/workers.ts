/**
 * The `workers` scenario (docs/benchmarks.md, "Several cores"): `ping-8conn` against this
 * project's server in one process and from 2 worker processes (`serveWorkers`), with the plain
 * Ping and with a Ping that computes for about 1 ms. The client is Go's when it is there (it keeps
 * both cores busy, as in the main ping-8conn figures), else ours. Servers run one at a time, so
 * that an idle one takes no memory or scheduler time from the one measured; rounds alternate.
 */
import path from "node:path";
import { peer, type RunContext } from "./context.js";
import { DIST_DIR } from "./paths.js";
import { runClient, ServerProcess } from "./processes.js";
import { median } from "../shared/timed.js";

/** Rounds of the burn loop in workers-server.ts: about 1 ms of one core on the reference machine. */
export const CPU_ROUNDS = 36_000;
/** Worker processes of the pooled servers. */
export const POOL_WORKERS = 2;

export interface WorkersCell {
  readonly handler: "ping" | "cpu-1ms";
  /** 1: one process without cluster; more: that many workers behind a primary. */
  readonly processes: number;
  readonly client: "go" | "ts";
  readonly perSecond: number[];
  readonly errors: string[];
}

export interface WorkersPlan {
  readonly rounds: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

export async function runWorkers(context: RunContext, plan: WorkersPlan): Promise<WorkersCell[]> {
  const client = context.peers.has("go") ? "go" : "ts";
  const cells: WorkersCell[] = [];
  for (const handler of ["ping", "cpu-1ms"] as const) {
    for (const processes of [1, POOL_WORKERS])
      cells.push({ handler, processes, client, perSecond: [], errors: [] });
  }
  const address = `unix:${path.join(context.scratch, "workers.sock")}`;
  for (let round = 1; round <= plan.rounds; round++) {
    for (const cell of cells) {
      const what = `ping-8conn ${client} → ts, ${cell.handler}, ${cell.processes === 1 ? "1 process" : `${cell.processes} workers`}`;
      const server = await ServerProcess.start(
        [
          process.execPath,
          [
            path.join(DIST_DIR, "peers", "ts", "workers-server.js"),
            address,
            `${cell.processes === 1 ? 0 : cell.processes}`,
            `${cell.handler === "ping" ? 0 : CPU_ROUNDS}`,
          ],
        ],
        `${what} server`,
      );
      try {
        const args = ["--address", address, "--scenario", "ping-8conn"];
        args.push("--warmup", `${plan.warmupMs}`, "--duration", `${plan.durationMs}`);
        const result = await runClient(
          peer(context, client).client(args),
          `${what} client`,
          plan.warmupMs + plan.durationMs + 30_000,
        );
        const perSecond = result.operations / result.seconds;
        cell.perSecond.push(perSecond);
        context.log(`[${round}/${plan.rounds}] ${what}: ${Math.round(perSecond).toLocaleString("en-US")}/s`);
      } catch (error) {
        cell.errors.push((error as Error).message);
        context.log(`[${round}/${plan.rounds}] ${what}: FAILED ${(error as Error).message}`);
      } finally {
        await server.stop();
      }
    }
  }
  return cells;
}

/** A markdown table: medians, ranges, and each pool against one process with the same handler. */
export function workersTable(cells: readonly WorkersCell[]): string {
  const rows = ["| handler | server | per second | range | vs 1 process |", "|---|---|---:|---:|---:|"];
  const n = (value: number): string => Math.round(value).toLocaleString("en-US");
  for (const cell of cells) {
    if (cell.perSecond.length === 0) {
      rows.push(`| ${cell.handler} | ${cell.processes} | failed | | |`);
      continue;
    }
    const single = cells.find((other) => other.handler === cell.handler && other.processes === 1);
    const base = single === undefined || single.perSecond.length === 0 ? NaN : median(single.perSecond);
    const server = cell.processes === 1 ? "1 process" : `${cell.processes} workers`;
    const range = `${n(Math.min(...cell.perSecond))}–${n(Math.max(...cell.perSecond))}`;
    const ratio = Number.isNaN(base) ? "" : `${(median(cell.perSecond) / base).toFixed(2)}×`;
    rows.push(`| ${cell.handler} | ${server} | ${n(median(cell.perSecond))} | ${range} | ${ratio} |`);
  }
  return `#### ping-8conn, ${cells[0]?.client ?? "go"} → ts: one process and ${POOL_WORKERS} workers\n\n${rows.join("\n")}\n`;
}
