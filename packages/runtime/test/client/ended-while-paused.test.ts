/**
 * A service that sends every reply of a `more` call and then closes: a consumer slower than the
 * stream still gets every reply, in order, before the iteration ends. (The client stops reading
 * while the consumer is far behind; the end of the connection must wait for the consumer too.)
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { afterEach, expect, it } from "vitest";
import { connect, type Connection } from "@varlink-ts/runtime";

const TOTAL = 3000;
let dir: string | undefined;
let server: Server | undefined;
let client: Connection | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  client?.close();
  for (const socket of sockets.splice(0)) socket.destroy();
  if (server !== undefined) await new Promise((resolve) => server?.close(resolve));
  server = undefined;
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

it("delivers every reply sent before the service closed to a slow consumer", async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "ended-paused-"));
  const socketPath = path.join(dir, "s.sock");
  server = createServer((socket) => {
    sockets.push(socket);
    socket.once("data", () => {
      const replies = Array.from({ length: TOTAL }, (_, i) =>
        JSON.stringify({ parameters: { i }, continues: i < TOTAL - 1 }),
      );
      // Everything at once, then the end of the connection.
      socket.end(replies.join("\0") + "\0");
    });
  });
  await new Promise<void>((resolve) => server!.listen(socketPath, resolve));
  client = await connect(`unix:${socketPath}`);
  const seen: number[] = [];
  for await (const reply of client.callMore<{ i: number }>("org.example.Count", {})) {
    seen.push(reply.i);
    // Slower than the socket: the client pauses reading long before the last reply.
    await nextTurn();
  }
  expect(seen.length).toBe(TOTAL);
  expect(seen.every((value, index) => value === index)).toBe(true);
});
