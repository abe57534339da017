/**
 * A `more` stream nobody reads does not fill the client's memory: past MORE_BUFFER_LIMIT unread
 * replies, or MORE_BUFFER_BYTES of them, the client stops reading, the service feels the
 * backpressure, and every reply still arrives, in order, once the consumer catches up. What the
 * client holds counts against its memory budget, which closes it when spent.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { connect, ConnectionError, VarlinkService, type CallContext, type Connection } from "@varlink-ts/runtime";
import { MemoryBudget, MORE_BUFFER_BYTES } from "@varlink-ts/runtime/wire";

const TOTAL = 100_000;
let dir: string | undefined;
let service: VarlinkService | undefined;
let client: Connection | undefined;

let server: Server | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  client?.close();
  await service?.close({ grace: 0 });
  for (const socket of sockets.splice(0)) socket.destroy();
  if (server !== undefined) await new Promise((resolve) => server?.close(resolve));
  server = undefined;
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

it("stops reading a stream whose consumer is far behind, and loses nothing", async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "varlink-more-backpressure-"));
  let sent = 0;
  service = new VarlinkService({ vendor: "t", product: "t", version: "1", url: "https://example.org" });
  service.addInterface("interface org.example.flood\n\nmethod Flood() -> (i: int)\n", {
    // context.reply() resolves only when the connection takes more output.
    Flood: async (_parameters: object, context: CallContext<{ i: number }>) => {
      for (; sent < TOTAL - 1; sent++) await context.reply({ i: sent });
      sent++;
      return { i: TOTAL - 1 };
    },
  });
  const listener = await service.listen(`unix:${path.join(dir, "flood.sock")}`);
  client = await connect(listener.address);
  const replies = client.callMore<{ i: number }>("org.example.flood.Flood");

  // Nobody iterates yet: wait until the service is stuck on backpressure.
  let previous = -1;
  while (sent !== previous) {
    previous = sent;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(sent).toBeGreaterThan(0);
  expect(sent).toBeLessThan(TOTAL / 2);

  let expected = 0;
  for await (const { i } of replies) expect(i).toBe(expected++);
  expect(expected).toBe(TOTAL);
}, 60_000);

/**
 * A hostile service: answers any call with `count` replies of `size` bytes with `continues`, then
 * one without, writing as fast as the client takes them. `accepted` counts the bytes of replies
 * the kernel took; `blocked` is true while it waits for the client to read.
 */
async function floodingService(count: number, size: number): Promise<{
  address: string;
  state: { accepted: number; blocked: boolean; finished: boolean };
}> {
  dir = await mkdtemp(path.join(os.tmpdir(), "varlink-more-bytes-"));
  const state = { accepted: 0, blocked: false, finished: false };
  const reply = `{"parameters":{"data":"${"d".repeat(size)}"},"continues":true}\0`;
  server = createServer((socket) => {
    sockets.push(socket);
    socket.on("error", () => undefined);
    socket.once("data", async () => {
      for (let index = 0; index < count && !socket.destroyed; index++) {
        const more = socket.write(reply, (error) => {
          if (error === undefined || error === null) state.accepted += reply.length;
        });
        if (!more) {
          state.blocked = true;
          await new Promise((resolve) => socket.once("drain", resolve));
          state.blocked = false;
        }
      }
      socket.write(`{"parameters":{"data":"end"}}\0`);
      state.finished = true;
    });
  });
  const socketPath = path.join(dir, "flood.sock");
  await new Promise<void>((resolve) => server?.listen(socketPath, resolve));
  return { address: `unix:${socketPath}`, state };
}

it("stops reading at MORE_BUFFER_BYTES of unread replies, however few they are, and loses nothing", async () => {
  const size = 1024 * 1024;
  const count = 64;
  const { address, state } = await floodingService(count, size);
  const budget = new MemoryBudget(2 ** 30);
  client = await connect(address, { memoryBudget: budget });
  const replies = client.callMore<{ data: string }>("org.example.flood.Flood");
  // The consumer takes one reply, then is busy elsewhere.
  expect((await replies.next()).value?.data).toHaveLength(size);

  // Until the service has sent everything, or has been blocked for a while: the client stopped.
  let blockedFor = 0;
  while (!state.finished && blockedFor < 10) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    blockedFor = state.blocked ? blockedFor + 1 : 0;
  }
  // What the client took: the reply consumed, a buffer's worth, one reply being read, and the
  // kernel's socket buffers; with a count-only bound it was all 64 MiB.
  expect(state.finished).toBe(false);
  expect(state.accepted).toBeLessThanOrEqual(MORE_BUFFER_BYTES + 3 * size);
  expect(budget.used).toBeLessThanOrEqual(MORE_BUFFER_BYTES + 2 * size);

  let received = 1;
  for await (const { data } of replies) {
    if (data === "end") break;
    expect(data).toHaveLength(size);
    received++;
  }
  expect(received).toBe(count);
  expect(budget.used).toBe(0);
}, 60_000);

it("a client whose replies pass the memory budget is closed with ConnectionError cancelled", async () => {
  const { address } = await floodingService(4, 1024 * 1024);
  const budget = new MemoryBudget(256 * 1024);
  client = await connect(address, { memoryBudget: budget });
  const replies = client.callMore("org.example.flood.Flood");
  const error: unknown = await replies.next().then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ConnectionError);
  expect(error).toMatchObject({
    code: "cancelled",
    message: "connection closed: the memory budget of 262144 bytes for peers is spent, and this connection held the most",
  });
  expect(client.closed).toBe(true);
  expect(budget.used).toBe(0);
  expect(budget.evictions).toBe(1);
}, 60_000);
