/**
 * The `bridge` scenario (docs/benchmarks.md, "Through the HTTP bridge"): our client calling our
 * server directly on a unix socket, and through `serveHttp`'s WebSocket mode (UAPI.20), the bridge
 * in a process of its own as `varlink http-bridge` runs, for the round-trip and the pipelined
 * Ping. One server serves both paths; rounds alternate between them.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { peer, type RunContext } from "./context.js";
import { DIST_DIR } from "./paths.js";
import { runClient, ServerProcess } from "./processes.js";
import { median } from "../shared/timed.js";

export interface BridgeCell {
  readonly scenario: "ping" | "ping-pipelined";
  readonly path: "unix" | "bridge";
  readonly perSecond: number[];
  readonly errors: string[];
}

export interface BridgePlan {
  readonly rounds: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

export async function runBridge(context: RunContext, plan: BridgePlan): Promise<BridgeCell[]> {
  const cells: BridgeCell[] = [];
  for (const scenario of ["ping", "ping-pipelined"] as const) {
    for (const via of ["unix", "bridge"] as const) cells.push({ scenario, path: via, perSecond: [], errors: [] });
  }
  const address = `unix:${path.join(context.scratch, "bridge-target.sock")}`;
  const urlFile = path.join(context.scratch, "bridge-url");
  const ts = peer(context, "ts");
  const server = await ServerProcess.start(ts.server(address), "bridge scenario: ts server");
  try {
    const bridge = await ServerProcess.start(
      [process.execPath, [path.join(DIST_DIR, "peers", "ts", "http-bridge.js"), address, urlFile]],
      "bridge scenario: http bridge",
    );
    try {
      const url = readFileSync(urlFile, "utf8");
      for (let round = 1; round <= plan.rounds; round++) {
        for (const cell of cells) {
          const what = `${cell.scenario} ts → ts, ${cell.path === "unix" ? "unix socket" : "through the bridge"}`;
          const args = ["--address", cell.path === "unix" ? address : url, "--scenario", cell.scenario];
          args.push("--warmup", `${plan.warmupMs}`, "--duration", `${plan.durationMs}`);
          try {
            const result = await runClient(ts.client(args), `${what} client`, plan.warmupMs + plan.durationMs + 30_000);
            const perSecond = result.operations / result.seconds;
            cell.perSecond.push(perSecond);
            context.log(`[${round}/${plan.rounds}] ${what}: ${Math.round(perSecond).toLocaleString("en-US")}/s`);
          } catch (error) {
            cell.errors.push((error as Error).message);
            context.log(`[${round}/${plan.rounds}] ${what}: FAILED ${(error as Error).message}`);
          }
        }
      }
    } finally {
      await bridge.stop();
    }
  } finally {
    await server.stop();
  }
  return cells;
}

/** A markdown table: medians, ranges, and the bridge against the unix socket for each scenario. */
export function bridgeTable(cells: readonly BridgeCell[]): string {
  const rows = ["| scenario | path | calls per second | range | vs unix socket |", "|---|---|---:|---:|---:|"];
  const n = (value: number): string => Math.round(value).toLocaleString("en-US");
  for (const cell of cells) {
    const label = cell.path === "unix" ? "unix socket" : "WebSocket through the bridge";
    if (cell.perSecond.length === 0) {
      rows.push(`| ${cell.scenario} | ${label} | failed | | |`);
      continue;
    }
    const direct = cells.find((other) => other.scenario === cell.scenario && other.path === "unix");
    const base = direct === undefined || direct.perSecond.length === 0 ? NaN : median(direct.perSecond);
    const range = `${n(Math.min(...cell.perSecond))}–${n(Math.max(...cell.perSecond))}`;
    const ratio = Number.isNaN(base) ? "" : `${(median(cell.perSecond) / base).toFixed(2)}×`;
    rows.push(`| ${cell.scenario} | ${label} | ${n(median(cell.perSecond))} | ${range} | ${ratio} |`);
  }
  return `#### ts → ts: a unix socket and the HTTP bridge's WebSocket mode\n\n${rows.join("\n")}\n`;
}
