/**
 * The ts server for the `workers` scenario: the same service as server.ts, in one process or
 * from several worker processes through `serveWorkers`, with a Ping that optionally burns CPU.
 * Usage: node workers-server.js ADDRESS WORKERS CPU_ROUNDS (WORKERS 0: one process, no cluster).
 */
import { VarlinkService } from "@varlink-ts/runtime";
import { serveWorkers } from "@varlink-ts/runtime/workers";
import { register, type Handlers } from "../../gen/org.example.bench.js";
import { announceReady } from "../../shared/server-process.js";
import { smallItem } from "../../shared/workload.js";
import { BENCH_MAX_MESSAGE_SIZE } from "./limits.js";

const [address, workersArg = "0", roundsArg = "0"] = process.argv.slice(2);
if (address === undefined) throw new TypeError("usage: workers-server.js ADDRESS WORKERS CPU_ROUNDS");
const workers = Number(workersArg);
const cpuRounds = Number(roundsArg);

/**
 * A fixed amount of work (not a fixed time), so that a handler preempted by the client costs
 * more wall time instead of doing less: what a CPU-bound handler really does.
 */
function burn(rounds: number): number {
  let x = 1;
  for (let i = 0; i < rounds; i++) x = (x * 1103515245 + 12345) % 2147483648;
  return x;
}

function build(): VarlinkService {
  const handlers: Handlers = {
    ping: ({ ping }) => (burn(cpuRounds) < 0 ? { pong: "" } : { pong: ping }),
    echo: ({ items }) => ({ items }),
    async *stream({ count }) {
      for (let i = 0; i < count; i++) yield { item: smallItem(i) };
    },
  };
  const service = new VarlinkService(
    { vendor: "varlink-ts bench", product: "ts workers peer", version: "1", url: "https://varlink.org" },
    { validateReplies: true, maxMessageSize: BENCH_MAX_MESSAGE_SIZE },
  );
  register(service, handlers);
  return service;
}

if (workers === 0) {
  await build().listen(address);
  announceReady();
} else {
  const pool = await serveWorkers({ workers, address, start: build, grace: 1000 });
  // The orchestrator's protocol, from the primary only: "ready", then exit once SIGTERM (which
  // the pool handles itself) has stopped every worker. No memory report: it would be one process's.
  if (pool.isPrimary) process.stdout.write("ready\n");
}
