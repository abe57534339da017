/**
 * The raw Node baseline's client driver: callbacks chained by hand, JSON.parse of each reply,
 * the fields the scenario needs checked by hand and nothing else. The ceiling of Node.
 * Usage: node client.js --address unix:PATH --scenario S [--warmup MS] [--duration MS] [--size B]
 */
import { performance } from "node:perf_hooks";
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
import { RawConnection, type RawReply } from "./connection.js";

/**
 * Repeats `call` until the deadline; `call` reports through `done` how many operations it
 * completed (one round trip, or the replies of one stream).
 */
function chain(
  call: (done: (operations: number) => void, fail: (error: Error) => void) => void,
): Loop {
  return (deadline) =>
    new Promise((resolve, reject) => {
      let n = 0;
      const next = (operations: number): void => {
        n += operations;
        if (performance.now() < deadline) call(next, reject);
        else resolve(n);
      };
      call(next, reject);
    });
}

function failed(reply: RawReply): Error | undefined {
  return reply.error === undefined ? undefined : new Error(reply.error);
}

function pingLoop(connection: RawConnection): Loop {
  return chain((done, fail) =>
    connection.send("org.example.bench.Ping", { ping: "ping" }, (reply) => {
      if (reply.parameters?.["pong"] !== "ping")
        fail(failed(reply) ?? new Error("unexpected pong"));
      else done(1);
    }),
  );
}

function echoLoop(connection: RawConnection): Loop {
  const items = smallItems(ECHO_ITEMS);
  return chain((done, fail) =>
    connection.send("org.example.bench.Echo", { items }, (reply) => {
      const got = reply.parameters?.["items"] as unknown[] | undefined;
      if (got?.length !== ECHO_ITEMS) fail(failed(reply) ?? new Error("echo lost items"));
      else done(1);
    }),
  );
}

function streamLoop(connection: RawConnection): Loop {
  return chain((done, fail) => {
    let got = 0;
    connection.send(
      "org.example.bench.Stream",
      { count: STREAM_COUNT },
      (reply) => {
        const item = reply.parameters?.["item"] as { id?: number } | undefined;
        if (item?.id !== got)
          return fail(failed(reply) ?? new Error(`stream reply ${got} is wrong`));
        got++;
        if (reply.continues !== true) done(got);
      },
      true,
    );
  });
}

function timed(args: DriverArgs): Promise<ClientResult> {
  return runScenario(args, () => RawConnection.open(args.address), (connection) => connection.close(), {
    ping: pingLoop,
    echo: echoLoop,
    stream: streamLoop,
  });
}

function echo(connection: RawConnection, items: unknown[]): Promise<RawReply> {
  return new Promise((resolve) => connection.send("org.example.bench.Echo", { items }, resolve));
}

/** One echo of about `size` bytes each way: the first call's peak memory, the median time. */
async function large(args: DriverArgs): Promise<ClientResult> {
  const connection = await RawConnection.open(args.address);
  try {
    const small = smallItems(ECHO_ITEMS);
    for (let i = 0; i < 20; i++) await echo(connection, small);
    const items = largeItems(args.size);
    const bytes = JSON.stringify({ items }).length;
    await waitForGoAhead();
    const baselineKiB = resetPeak();
    let peakKiB = -1;
    const samples: number[] = [];
    for (let i = 0; i < args.repeat; i++) {
      const start = performance.now();
      const reply = await echo(connection, items);
      samples.push((performance.now() - start) / 1000);
      if ((reply.parameters?.["items"] as unknown[] | undefined)?.length !== items.length) {
        throw new Error("echo lost items");
      }
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
    connection.close();
  }
}

const args = parseDriverArgs(process.argv.slice(2));
printResult(args.scenario === "large" ? await large(args) : await timed(args));
