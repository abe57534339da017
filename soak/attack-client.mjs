#!/usr/bin/env node
// The client of `pnpm soak --attack`'s client-side attack, in a process of its own with V8's
// default heap so its peak resident set is its own: it calls a `more` method on a service that
// floods it with large `continues` replies, and its consumer takes only one reply every
// INTERVAL_MS. Without a bound on the replies a client buffers, it reads and keeps all of them.
// Usage: attack-client.mjs ADDRESS SECONDS INTERVAL_MS. Prints "ready", then after SECONDS one
// line "result {json}" (replies taken, errors, memory) and exits.
import { readFileSync } from "node:fs";
import { connect } from "@varlink-ts/runtime";

const [address, seconds, interval] = process.argv.slice(2);

/** The process's resident set now and at its peak, in bytes, from /proc. */
function residentSet() {
  const status = readFileSync("/proc/self/status", "utf8");
  const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
  return { rss: kib("VmRSS"), peak: kib("VmHWM") };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

process.stdout.write("ready\n");
const result = { taken: 0, wrong: 0, error: null, rss: 0, peakRss: 0, heapUsed: 0 };
const end = Date.now() + Number(seconds) * 1000;
try {
  const connection = await connect(address);
  let expected;
  for await (const reply of connection.callMore("org.example.flood.Flood", {})) {
    // Every reply carries the same payload; a different length would be a corrupted stream.
    expected ??= reply.data?.length;
    if (typeof reply.data !== "string" || reply.data.length !== expected) result.wrong++;
    result.taken++;
    if (Date.now() >= end) break;
    await sleep(Number(interval));
  }
  connection.close();
} catch (error) {
  result.error = String(error);
}
const { rss, peak } = residentSet();
Object.assign(result, { rss, peakRss: peak, heapUsed: process.memoryUsage().heapUsed });
process.stdout.write(`result ${JSON.stringify(result)}\n`);
