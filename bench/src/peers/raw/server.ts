/**
 * The raw Node baseline's server: NUL framing, JSON.parse and JSON.stringify over a unix socket,
 * no validation and no abstraction. Replies to one read go out in one write.
 * Usage: node server.js unix:PATH
 */
import { rmSync } from "node:fs";
import { createServer } from "node:net";
import { announceReady } from "../../shared/server-process.js";
import { smallItem } from "../../shared/workload.js";
import { onMessages } from "./framing.js";

interface Call {
  method: string;
  parameters: { ping?: string; items?: unknown[]; count?: number };
}

const address = process.argv[2];
if (address?.startsWith("unix:") !== true) throw new TypeError("usage: server.js unix:PATH");
const path = address.slice("unix:".length);
rmSync(path, { force: true });

const server = createServer((socket) => {
  let out: string[] = [];
  const reply = (call: Call): void => {
    const { method, parameters } = call;
    if (method === "org.example.bench.Ping") {
      out.push(`${JSON.stringify({ parameters: { pong: parameters.ping } })}\0`);
    } else if (method === "org.example.bench.Echo") {
      out.push(`${JSON.stringify({ parameters: { items: parameters.items } })}\0`);
    } else if (method === "org.example.bench.Stream") {
      const count = parameters.count ?? 0;
      for (let i = 0; i < count; i++) {
        const message =
          i + 1 < count
            ? { parameters: { item: smallItem(i) }, continues: true }
            : { parameters: { item: smallItem(i) } };
        out.push(`${JSON.stringify(message)}\0`);
      }
    } else {
      out.push(
        `${JSON.stringify({ error: "org.varlink.service.MethodNotFound", parameters: { method } })}\0`,
      );
    }
  };
  onMessages(
    socket,
    (text) => reply(JSON.parse(text) as Call),
    () => {
      if (out.length === 0) return;
      socket.write(out.join(""));
      out = [];
    },
  );
  socket.on("error", () => socket.destroy());
});
server.listen(path, announceReady);
