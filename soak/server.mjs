#!/usr/bin/env node
// The service the soak drives, in a process of its own so the driver can kill and restart it.
// It runs the runtime's built output (dist). Usage: server.mjs SOCKET_PATH. Prints "ready" once
// it listens. SIGTERM closes it (calls in progress get 100 ms) and exits 0; SIGKILL is the crash.
import { VarlinkService } from "@varlink-ts/runtime";

const service = new VarlinkService(
  { vendor: "varlink-ts", product: "soak", version: "1", url: "https://example.org/soak" },
  { logger: (message, cause) => process.stderr.write(`soak server: ${message}${cause ? ` ${cause}` : ""}\n`) },
);

const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

service.addInterface(
  `interface org.example.soak

# Returns what it was given, after delay milliseconds.
method Echo(id: int, payload: string, delay: int) -> (id: int, payload: string)

# Replies n times with i = 0..n-1.
method Stream(id: int, n: int) -> (id: int, i: int)
`,
  {
    Echo: async ({ id, payload, delay }, context) => {
      if (delay > 0) await sleep(delay, context.signal);
      return { id, payload };
    },
    Stream: async function* ({ id, n }) {
      for (let i = 0; i < n; i++) yield { id, i };
    },
  },
);

await service.listen(`unix:${process.argv[2]}`);
process.on("SIGTERM", () => {
  void service.close({ grace: 100 }).then(() => process.exit(0));
});
process.stdout.write("ready\n");
