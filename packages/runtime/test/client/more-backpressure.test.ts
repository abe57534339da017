/**
 * A `more` stream nobody reads does not fill the client's memory: past MORE_BUFFER_LIMIT unread
 * replies the client stops reading, the service feels the backpressure, and every reply still
 * arrives, in order, once the consumer catches up.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { connect, VarlinkService, type CallContext, type Connection } from "@varlink-ts/runtime";

const TOTAL = 100_000;
let dir: string | undefined;
let service: VarlinkService | undefined;
let client: Connection | undefined;

afterEach(async () => {
  client?.close();
  await service?.close({ grace: 0 });
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
