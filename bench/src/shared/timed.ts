/**
 * Timed loops shared by the TypeScript and raw clients: run for the warmup, then count what
 * completes during the measured duration.
 */
import { performance } from "node:perf_hooks";
import type { ClientResult } from "./report.js";

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

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
