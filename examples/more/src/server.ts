/**
 * A service for org.example.more, like the Python binding's test_orgexamplemore.py server.
 *
 *   server --varlink=ADDRESS [--step-ms=N]   listen on ADDRESS (unix:PATH, unix:@NAME, tcp:HOST:PORT)
 *   server [--step-ms=N]                     serve the socket passed by socket activation (LISTEN_FDS)
 *
 * `--step-ms=N` is the pause between TestMore's progress steps, in milliseconds: 10 by default,
 * quick enough for tests; 1000 paces it like the Python example.
 *
 * Prints `Listening on ADDRESS` once it accepts connections (the real port for `tcp:…:0`), and
 * exits when a client calls StopServing or on SIGTERM/SIGINT.
 */
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { VarlinkError, VarlinkService, type CallContext } from "@varlink-ts/runtime";

/** The interface file ships next to the package, one level above dist/. */
const IDL = readFileSync(new URL("../org.example.more.varlink", import.meta.url), "utf8");

/** One step of TestMore: exactly one of the fields is set. */
interface State {
  start?: boolean;
  progress?: number;
  end?: boolean;
}

/** Pause between progress steps by default: short enough for tests, long enough to see a stream. */
const DEFAULT_STEP_MS = 10;

const USAGE = "usage: server --varlink=ADDRESS [--step-ms=N] (or start it with socket activation)";

function optionValue(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.slice(2).find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

async function main(): Promise<void> {
  const stepOption = optionValue("step-ms");
  const stepMs = stepOption === undefined ? DEFAULT_STEP_MS : Number(stepOption);
  if (stepOption === "" || !Number.isInteger(stepMs) || stepMs < 0) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const service = new VarlinkService({
    vendor: "varlink-ts",
    product: "org.example.more example",
    version: "1",
    url: "https://varlink.org",
  });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void service.close();
  };

  service.addInterface(IDL, {
    Ping: ({ ping }: { ping: string }) => ({ pong: ping }),

    TestMore: async function* ({ n }: { n: number }, context: CallContext) {
      if (n < 1) {
        throw new VarlinkError("org.example.more.TestMoreError", { reason: "n must be at least 1" });
      }
      yield { state: { start: true } satisfies State };
      for (let step = 0; step <= n; step++) {
        // Sent at once: the client sees each step while the next one is still being waited for.
        yield { state: { progress: Math.floor((step * 100) / n) } satisfies State };
        // The client may leave mid-stream; stop sleeping for nobody.
        await sleep(stepMs, undefined, { signal: context.signal }).catch(() => undefined);
        if (context.signal.aborted) return;
      }
      // The last reply, after a wait: returned, so it goes out without `continues`.
      return { state: { end: true } satisfies State };
    },

    // Closing waits for this call's reply to be written, then ends the process's last handles.
    StopServing: () => stop(),
  });

  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);

  if (service.listenFromEnvironment()) {
    console.log("Listening on the activated socket");
    return;
  }
  const address = optionValue("varlink");
  if (address === undefined) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const listener = await service.listen(address);
  console.log(`Listening on ${listener.address}`);
}

main().catch((error: unknown) => {
  console.error(`server: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
