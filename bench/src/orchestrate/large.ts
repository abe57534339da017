/**
 * `large`: one echo of 1 to 16 MB each way. Each measurement gets fresh processes, so that each
 * peak memory figure belongs to that call alone: the server starts, a client warms up with small
 * calls, both restart their peak memory, then the client times its calls.
 */
import path from "node:path";
import type { LargeCell, LargeSample } from "../results.js";
import { peer, type RunContext } from "./context.js";
import { pairLabel, type Pair } from "./peers.js";
import { runClient, ServerProcess } from "./processes.js";

export interface LargePlan {
  /** Message sizes in MB (10^6 bytes). */
  readonly megabytes: readonly number[];
  readonly pairs: readonly Pair[];
  readonly rounds: number;
}

const mebibytes = (kib: number | undefined): string =>
  kib === undefined ? "?" : (kib / 1024).toFixed(0);

export async function runLarge(context: RunContext, plan: LargePlan): Promise<LargeCell[]> {
  const cells = new Map<string, LargeCell>();
  for (const megabytes of plan.megabytes) {
    for (const pair of plan.pairs)
      cells.set(`${megabytes}/${pair.id}`, { megabytes, pair: pair.id, samples: [], errors: [] });
  }
  for (let round = 1; round <= plan.rounds; round++) {
    for (const megabytes of plan.megabytes) {
      for (const pair of plan.pairs) {
        const cell = cells.get(`${megabytes}/${pair.id}`)!;
        const what = `large ${megabytes} MB ${pairLabel(pair)}`;
        try {
          const last = await measureOnce(context, pair, megabytes);
          cell.samples.push(last);
          context.log(
            `[${round}/${plan.rounds}] ${what}: ${(last.seconds * 1000).toFixed(0)} ms, ` +
              `client +${mebibytes(last.clientGrowthKiB)} MiB, server +${mebibytes(last.serverGrowthKiB)} MiB`,
          );
        } catch (error) {
          cell.errors.push((error as Error).message);
          context.log(`[${round}/${plan.rounds}] ${what}: FAILED ${(error as Error).message}`);
        }
      }
    }
  }
  return [...cells.values()];
}

/** One call in fresh processes: its time, and the peak memory of each side. */
async function measureOnce(
  context: RunContext,
  pair: Pair,
  megabytes: number,
): Promise<LargeSample> {
  const address = `unix:${path.join(context.scratch, `large-${pair.server}.sock`)}`;
  const server = await ServerProcess.start(
    peer(context, pair.server).server(address),
    `${pair.server} server`,
  );
  let memory;
  let result;
  try {
    const args = [
      "--address",
      address,
      "--scenario",
      "large",
      "--size",
      `${megabytes * 1_000_000}`,
    ];
    result = await runClient(
      peer(context, pair.client).client(args),
      `large ${pairLabel(pair)} client`,
      120_000,
      () => server.resetPeak(),
    );
  } finally {
    memory = await server.stop();
  }
  const clientGrowthKiB = (result.peakKiB ?? 0) - (result.baselineKiB ?? 0);
  const serverGrowthKiB = memory === undefined ? undefined : memory.peakKiB - memory.baselineKiB;
  return {
    seconds: result.seconds,
    bytes: result.bytes ?? megabytes * 1_000_000,
    clientGrowthKiB,
    serverGrowthKiB,
  };
}
