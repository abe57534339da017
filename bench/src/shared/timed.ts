/**
 * Timed loops shared by the TypeScript and raw clients: run for the warmup, then count what
 * completes during the measured duration.
 */
import { performance } from "node:perf_hooks";
import type { DriverArgs } from "./driver-args.js";
import type { ClientResult } from "./report.js";
import { PARALLEL_CONNECTIONS, PIPELINE_DEPTH } from "./workload.js";

/** Runs until the deadline (a `performance.now()` time) and resolves to the operations done. */
export type Loop = (deadline: number) => Promise<number>;

/** Runs `loop` for `warmup` ms, then for `duration` ms, and reports the second run. */
export async function measure(loop: Loop, warmup: number, duration: number): Promise<ClientResult> {
  await loop(performance.now() + warmup);
  const start = performance.now();
  const operations = await loop(start + duration);
  return { operations, seconds: (performance.now() - start) / 1000 };
}

/** Several loops at once (on several connections, or several calls in flight on one). */
export function inParallel(loops: readonly Loop[]): Loop {
  return async (deadline) => {
    const done = await Promise.all(loops.map((loop) => loop(deadline)));
    return done.reduce((sum, n) => sum + n, 0);
  };
}

/** The same loop `count` times at once: `count` calls in flight on one connection. */
export function concurrently(count: number, loop: Loop): Loop {
  return inParallel(Array.from({ length: count }, () => loop));
}

/** A client's loops for each kind of call, on one connection of type `C`. */
export interface ScenarioLoops<C> {
  ping(connection: C): Loop;
  echo(connection: C): Loop;
  stream(connection: C): Loop;
}

/**
 * Opens the connections a timed scenario needs, runs its loop through `measure`, and closes them:
 * the same shape of measurement for every client, whatever its connections are.
 */
export async function runScenario<C>(
  args: DriverArgs,
  open: () => Promise<C>,
  close: (connection: C) => void,
  loops: ScenarioLoops<C>,
): Promise<ClientResult> {
  const count = args.scenario === "ping-8conn" ? PARALLEL_CONNECTIONS : 1;
  const connections = await Promise.all(Array.from({ length: count }, open));
  try {
    const first = connections[0] as C;
    let loop: Loop;
    switch (args.scenario) {
      case "ping":
        loop = loops.ping(first);
        break;
      case "ping-pipelined":
        // PIPELINE_DEPTH sequential loops on one connection keep that many calls in flight.
        loop = concurrently(PIPELINE_DEPTH, loops.ping(first));
        break;
      case "ping-8conn":
        loop = inParallel(connections.map((connection) => loops.ping(connection)));
        break;
      case "echo":
        loop = loops.echo(first);
        break;
      case "stream":
        loop = loops.stream(first);
        break;
      default:
        throw new TypeError(`unknown scenario ${args.scenario}`);
    }
    return await measure(loop, args.warmup, args.duration);
  } finally {
    for (const connection of connections) close(connection);
  }
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
