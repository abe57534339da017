/**
 * The workload every peer runs, so that each pair exchanges the same calls and the same JSON.
 * bench/peers/go/items.go and client.go hold the Go twins of these constants and builders.
 */
import type { Item } from "../gen/org.example.bench.js";

/** The scenarios a client driver runs: `--scenario NAME`. */
export const NETWORK_SCENARIOS = [
  "ping",
  "ping-pipelined",
  "ping-8conn",
  "echo",
  "stream",
] as const;
export type NetworkScenario = (typeof NETWORK_SCENARIOS)[number];

/** Calls kept in flight on one connection by `ping-pipelined`. */
export const PIPELINE_DEPTH = 32;
/** Connections used in parallel by `ping-8conn`. */
export const PARALLEL_CONNECTIONS = 8;
/** Items carried each way by one `echo` call. */
export const ECHO_ITEMS = 100;
/** Replies to one `stream` call. */
export const STREAM_COUNT = 20_000;
/** Size each item of a `large` message aims for: the message is mostly bytes, yet many objects. */
export const LARGE_ITEM_BYTES = 10_000;

/** The item `echo` and `stream` carry; identical JSON in every peer. */
export function smallItem(i: number): Item {
  return {
    id: i,
    name: `item-${i}`,
    tags: ["alpha", "beta", "gamma"],
    score: i + 0.5,
    labels: { env: "bench", tier: `t${i % 3}` },
  };
}

/** Items 0 to n-1. */
export function smallItems(n: number): Item[] {
  return Array.from({ length: n }, (_, i) => smallItem(i));
}

/** Enough items of about LARGE_ITEM_BYTES each for a message of about `size` bytes. */
export function largeItems(size: number): Item[] {
  const count = Math.max(1, Math.floor((size + LARGE_ITEM_BYTES / 2) / LARGE_ITEM_BYTES));
  const padding = "x".repeat(LARGE_ITEM_BYTES - 100);
  return Array.from({ length: count }, (_, i) => ({
    ...smallItem(i),
    name: `item-${i}-${padding}`,
  }));
}
