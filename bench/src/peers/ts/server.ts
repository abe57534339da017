/**
 * This project's server for org.example.bench: the generated `register` on a VarlinkService,
 * as a user would write it. Usage: node server.js ADDRESS
 */
import { VarlinkService } from "@varlink-ts/runtime";
import { register, type Handlers } from "../../gen/org.example.bench.js";
import { smallItem } from "../../shared/workload.js";
import { announceReady } from "../../shared/server-process.js";
import { BENCH_MAX_MESSAGE_SIZE } from "./limits.js";

const handlers: Handlers = {
  ping: ({ ping }) => ({ pong: ping }),
  echo: ({ items }) => ({ items }),
  async *stream({ count }) {
    for (let i = 0; i < count; i++) yield { item: smallItem(i) };
  },
};

const address = process.argv[2];
if (address === undefined) throw new TypeError("usage: server.js ADDRESS");
const service = new VarlinkService(
  { vendor: "varlink-ts bench", product: "ts peer", version: "1", url: "https://varlink.org" },
  // Replies are checked against the interface as well as calls, whatever NODE_ENV says, so
  // parameters are checked on both ends of every call measured.
  { validateReplies: true, maxMessageSize: BENCH_MAX_MESSAGE_SIZE },
);
register(service, handlers);
await service.listen(address);
announceReady();
