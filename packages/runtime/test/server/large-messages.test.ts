/**
 * Large messages end to end over a unix socket: a long list each way (serialized element by
 * element into buffers, decoded as its chunks arrive), with small calls pipelined around it.
 */
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { connect, ConnectionError, VarlinkService, type Connection } from "@varlink-ts/runtime";
import { Sandbox } from "@varlink-ts/test-kit";

const INTERFACE = `interface org.example.large

type Item (id: int, name: string, tags: []string)

method Echo(items: []Item) -> (items: []Item)

method Ping(ping: string) -> (pong: string)

method Count(n: int, size: int) -> (items: []Item)
`;

interface Item {
  id: number;
  name: string;
  tags: string[];
}

const sandbox = new Sandbox();
const clients: Connection[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await sandbox.cleanup();
});

/** About `bytes` of items, with characters of every UTF-8 length to cut across chunks. */
function items(bytes: number, seed = 0): Item[] {
  const name = "aé€😀".repeat(250);
  return Array.from({ length: Math.ceil(bytes / 2_600) }, (_, i) => ({ id: i + seed, name: `${i}:${name}`, tags: ["t", `${i % 7}`] }));
}

let address = "";

async function start(): Promise<Connection> {
  const service = sandbox.track(new VarlinkService({ vendor: "v", product: "p", version: "1", url: "u" }, { logger: sandbox.log.logger }));
  service.addInterface(INTERFACE, {
    Echo: ({ items }: { items: Item[] }) => ({ items }),
    Ping: ({ ping }: { ping: string }) => ({ pong: ping }),
    async *Count({ n, size }: { n: number; size: number }) {
      for (let i = 0; i < n; i++) yield { items: items(size, i) };
    },
  });
  const path = join(await sandbox.tempDir(), "large.sock");
  address = `unix:${path}`;
  await service.listen(address);
  const client = await connect(address, { maxMessageSize: 64 * 1024 * 1024 });
  clients.push(client);
  return client;
}

describe("large messages", () => {
  it("carries 12 MB each way unchanged, with small calls pipelined before and after", async () => {
    const client = await start();
    const sent = items(12 * 1024 * 1024);
    const before = client.call("org.example.large.Ping", { ping: "before" });
    const echo = client.call("org.example.large.Echo", { items: sent });
    const after = client.call("org.example.large.Ping", { ping: "after" });
    expect(await before).toEqual({ pong: "before" });
    expect(await echo).toEqual({ items: sent });
    expect(await after).toEqual({ pong: "after" });
  });

  it("streams several large replies to a more call, in order", async () => {
    const client = await start();
    const replies: Item[][] = [];
    for await (const reply of client.callMore("org.example.large.Count", { n: 3, size: 3 * 1024 * 1024 })) {
      replies.push((reply as unknown as { items: Item[] }).items);
    }
    expect(replies.map((list) => list[0]?.id)).toEqual([0, 1, 2]);
    expect(replies[2]).toEqual(items(3 * 1024 * 1024, 2));
    expect(await client.call("org.example.large.Ping", { ping: "still" })).toEqual({ pong: "still" });
  });

  it("refuses a large message over the server's limit, and keeps serving other connections", async () => {
    const client = await start();
    const other = await connect(address);
    clients.push(other);
    const refused = await client.call("org.example.large.Echo", { items: items(20 * 1024 * 1024) }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConnectionError);
    expect((refused as ConnectionError).code).toBe("closed");
    expect(sandbox.log.lines.join("\n")).toMatch(/exceeds the maximum size of 16777216 bytes/);
    expect(await other.call("org.example.large.Ping", { ping: "ok" })).toEqual({ pong: "ok" });
  });
});
