/**
 * The timed scenarios: every server started once, then for each round, each scenario, each pair
 * in turn (A B A B…), one client driver process that reports its own timing.
 */
import path from "node:path";
import type { NetworkCell } from "../results.js";
import type { NetworkScenario } from "../shared/workload.js";
import { peer, type RunContext } from "./context.js";
import { pairLabel, type Pair, type PeerId } from "./peers.js";
import { runClient, ServerProcess } from "./processes.js";

export interface NetworkPlan {
  readonly scenarios: readonly NetworkScenario[];
  readonly pairs: readonly Pair[];
  readonly rounds: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

export async function runNetwork(context: RunContext, plan: NetworkPlan): Promise<NetworkCell[]> {
  const cells = new Map<string, NetworkCell>();
  for (const scenario of plan.scenarios) {
    for (const pair of plan.pairs)
      cells.set(`${scenario}/${pair.id}`, { scenario, pair: pair.id, perSecond: [], errors: [] });
  }
  if (plan.scenarios.length === 0 || plan.pairs.length === 0) return [];
  const servers = new Map<PeerId, { process: ServerProcess; address: string }>();
  try {
    for (const id of new Set(plan.pairs.map((pair) => pair.server))) {
      const address = `unix:${path.join(context.scratch, `${id}.sock`)}`;
      const process = await ServerProcess.start(peer(context, id).server(address), `${id} server`);
      servers.set(id, { process, address });
    }
    for (let round = 1; round <= plan.rounds; round++) {
      for (const scenario of plan.scenarios) {
        for (const pair of plan.pairs) {
          const cell = cells.get(`${scenario}/${pair.id}`)!;
          const { address } = servers.get(pair.server)!;
          const args = [
            "--address",
            address,
            "--scenario",
            scenario,
            "--warmup",
            `${plan.warmupMs}`,
            "--duration",
            `${plan.durationMs}`,
          ];
          const what = `${scenario} ${pairLabel(pair)}`;
          try {
            const result = await runClient(
              peer(context, pair.client).client(args),
              `${what} client`,
              plan.warmupMs + plan.durationMs + 30_000,
            );
            const perSecond = result.operations / result.seconds;
            cell.perSecond.push(perSecond);
            context.log(
              `[${round}/${plan.rounds}] ${what}: ${Math.round(perSecond).toLocaleString("en-US")}/s`,
            );
          } catch (error) {
            cell.errors.push((error as Error).message);
            context.log(`[${round}/${plan.rounds}] ${what}: FAILED ${(error as Error).message}`);
          }
        }
      }
    }
  } finally {
    await Promise.all([...servers.values()].map(({ process }) => process.stop()));
  }
  return [...cells.values()];
}
