#!/usr/bin/env node
// The service `pnpm soak --attack` aims at, in a process of its own with V8's default heap and the
// runtime's default limits, so the full-size attacks meet exactly what a real service would. The
// only flag it wants is --expose-gc, which does not change the heap, so that Stats can report
// what is still held after a full collection.
// Usage: attack-service.mjs SOCKET_PATH [MESSAGE_TIMEOUT_MS]. Prints "ready" once it listens, and
// every log line of the service as "log: …".
import { readdirSync, readFileSync } from "node:fs";
import { VarlinkService } from "@varlink-ts/runtime";
import { processMemoryBudget } from "@varlink-ts/runtime/wire";

const [socketPath, messageTimeout] = process.argv.slice(2);
const options = { logger: (message) => process.stdout.write(`log: ${message}\n`) };
// Only the parse attacks pass one: a short messageTimeout makes "a slow sender is not dropped
// because the loop was busy" observable within the soak's time.
if (messageTimeout !== undefined) options.messageTimeout = Number(messageTimeout);
const service = new VarlinkService(
  { vendor: "varlink-ts", product: "attack-soak", version: "1", url: "https://example.org/soak" },
  options,
);

/** The process's resident set now and at its peak, in bytes, from /proc. */
function residentSet() {
  const status = readFileSync("/proc/self/status", "utf8");
  const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
  return { rss: kib("VmRSS"), peak: kib("VmHWM") };
}

service.addInterface(
  `interface org.example.attack

method Ping(ping: string) -> (pong: string)

method Echo(data: string) -> (data: string)

# With more: one reply every 50 ms until the client leaves.
method Slow() -> (i: int)

# After a full garbage collection: what the process holds.
method Stats() -> (rss: int, peakRss: int, heapUsed: int, external: int, budgetUsed: int, budgetLimit: int, evictions: int, connections: int, fds: int)
`,
  {
    Ping: ({ ping }) => ({ pong: ping }),
    Echo: ({ data }) => ({ data }),
    Slow: async function* (_, context) {
      for (let i = 0; !context.signal.aborted; i++) {
        yield { i };
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return { i: -1 };
    },
    Stats: () => {
      globalThis.gc?.();
      const budget = processMemoryBudget();
      const { rss, peak } = residentSet();
      const { heapUsed, external } = process.memoryUsage();
      return {
        rss,
        peakRss: peak,
        heapUsed,
        // Buffers and the copies of strings being written: memory outside the heap.
        external,
        budgetUsed: budget.used,
        budgetLimit: budget.limit,
        evictions: budget.evictions,
        connections: service.connectionCount,
        fds: readdirSync("/proc/self/fd").length,
      };
    },
  },
);
await service.listen(`unix:${socketPath}`);
process.stdout.write("ready\n");
