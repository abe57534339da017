/**
 * This project's client driver: the generated typed client, used as a user would.
 * Usage: node client.js --address A --scenario S [--warmup MS] [--duration MS] [--size B]
 */
import { performance } from "node:perf_hooks";
import { connect, type Client } from "../../gen/org.example.bench.js";
import { parseDriverArgs, type DriverArgs } from "../../shared/driver-args.js";
import { waitForGoAhead } from "../../shared/handshake.js";
import { procStatusKiB, resetPeak } from "../../shared/memory.js";
import { printResult, type ClientResult } from "../../shared/report.js";
import { median, runScenario, type Loop } from "../../shared/timed.js";
import {
  ECHO_ITEMS,
  largeItems,
  smallItems,
  STREAM_COUNT,
} from "../../shared/workload.js";
import { BENCH_MAX_MESSAGE_SIZE } from "./limits.js";

const options = { maxMessageSize: BENCH_MAX_MESSAGE_SIZE };

function pingLoop(client: Client): Loop {
  return async (deadline) => {
    let n = 0;
    while (performance.now() < deadline) {
      const { pong } = await client.ping({ ping: "ping" });
      if (pong !== "ping") throw new Error(`unexpected pong ${pong}`);
      n++;
    }
    return n;
  };
}

function echoLoop(client: Client): Loop {
  const items = smallItems(ECHO_ITEMS);
  return async (deadline) => {
    let n = 0;
    while (performance.now() < deadline) {
      const reply = await client.echo({ items });
      if (reply.items.length !== ECHO_ITEMS || reply.items[ECHO_ITEMS - 1]?.id !== ECHO_ITEMS - 1) {
        throw new Error(`echo returned ${reply.items.length} items`);
      }
      n++;
    }
    return n;
  };
}

/** Whole stream calls until the deadline; an operation is one reply. */
function streamLoop(client: Client): Loop {
  return async (deadline) => {
    let n = 0;
    while (performance.now() < deadline) {
      let got = 0;
      for await (const { item } of client.stream.more({ count: STREAM_COUNT })) {
        if (item.id !== got) throw new Error(`stream reply ${got} carries item ${item.id}`);
        got++;
      }
      if (got !== STREAM_COUNT) throw new Error(`stream returned ${got} replies`);
      n += got;
    }
    return n;
  };
}

function timed(args: DriverArgs): Promise<ClientResult> {
  return runScenario(args, () => connect(args.address, options), (client) => client.close(), {
    ping: pingLoop,
    echo: echoLoop,
    stream: streamLoop,
  });
}

/** One echo of about `size` bytes each way: the first call's peak memory, the median time. */
async function large(args: DriverArgs): Promise<ClientResult> {
  const client = await connect(args.address, options);
  try {
    const small = smallItems(ECHO_ITEMS);
    for (let i = 0; i < 20; i++) await client.echo({ items: small });
    const items = largeItems(args.size);
    const bytes = JSON.stringify({ items }).length;
    await waitForGoAhead();
    const baselineKiB = resetPeak();
    let peakKiB = -1;
    const samples: number[] = [];
    for (let i = 0; i < args.repeat; i++) {
      const start = performance.now();
      const reply = await client.echo({ items });
      samples.push((performance.now() - start) / 1000);
      if (reply.items.length !== items.length)
        throw new Error(`echo returned ${reply.items.length} items`);
      if (i === 0) peakKiB = procStatusKiB("VmHWM");
    }
    return {
      operations: samples.length,
      seconds: median(samples),
      bytes,
      samples,
      baselineKiB,
      peakKiB,
    };
  } finally {
    client.close();
  }
}

const args = parseDriverArgs(process.argv.slice(2));
printResult(args.scenario === "large" ? await large(args) : await timed(args));
