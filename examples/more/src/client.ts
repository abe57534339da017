/**
 * A client for org.example.more, like the Python binding's test_orgexamplemore.py client:
 * calls Ping, streams TestMore, then asks the service to stop.
 *
 *   client --varlink=ADDRESS [--n=STEPS]
 *
 * ADDRESS is any varlink address, `exec:PATH` included (the client then starts the server with
 * socket activation). Exits 0 on success, 1 when a call fails, 2 on bad usage.
 */
import { connect } from "@varlink-ts/runtime";

interface State {
  start?: boolean;
  progress?: number;
  end?: boolean;
}

function optionValue(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.slice(2).find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

function describeState(state: State): string {
  if (state.start === true) return "TestMore: start";
  if (state.end === true) return "TestMore: end";
  if (typeof state.progress === "number") return `TestMore: progress ${state.progress}`;
  return `TestMore: ${JSON.stringify(state)}`;
}

async function main(): Promise<number> {
  const address = optionValue("varlink");
  const steps = Number(optionValue("n") ?? "10");
  if (address === undefined || !Number.isInteger(steps)) {
    console.error("usage: client --varlink=ADDRESS [--n=STEPS]");
    return 2;
  }
  const client = await connect(address);
  try {
    const { pong } = await client.call<{ pong: string }>("org.example.more.Ping", { ping: "Test" });
    console.log(`Ping: ${pong}`);
    const replies = client.callMore<{ state: State }>("org.example.more.TestMore", { n: steps });
    for await (const { state } of replies) {
      console.log(describeState(state));
    }
    await client.call("org.example.more.StopServing", { reason: "the client is done" });
    console.log("StopServing: done");
    return 0;
  } finally {
    client.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`client: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
