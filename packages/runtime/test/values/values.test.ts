/**
 * Values are never lost silently, at either end: an `int` that a JavaScript number cannot hold
 * exactly is refused (by the service, as InvalidParameter naming the field; by a typed client, as
 * a ValueError naming the field) rather than passed on rounded; Sets, Maps and BigInts are sent
 * in their varlink form; values JSON would drop or change are refused before anything is sent.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import {
  connect,
  type Connection,
  createClient,
  defineInterface,
  method,
  ValueError,
  VarlinkService,
} from "@varlink-ts/runtime";
import { createMock } from "@varlink-ts/runtime/testing";
import { collect, connectPeer, INFO, rejection, Sandbox } from "@varlink-ts/test-kit";

const IDL = `interface org.example.values

type Item (id: int, score: float, name: string)

method Count(n: int) -> (n: int)

method Items() -> (items: []Item, total: int)

method Names() -> (names: []string)

type Node (value: int, next: ?Node)

method Chain() -> (node: Node)
`;

const Values = defineInterface({
  name: "org.example.values",
  description: IDL,
  methods: {
    count: method<{ n: number }, { n: number }>("Count"),
    items: method<Record<string, never>, { items: { id: number; score: number; name: string }[]; total: number }>("Items"),
    names: method<Record<string, never>, { names: string[] }>("Names"),
    chain: method<Record<string, never>, { node: object }>("Chain"),
  },
});

const sandbox = new Sandbox();
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await sandbox.cleanup();
});

describe("an int beyond ±(2^53 − 1) arriving at a service", () => {
  it("is refused with InvalidParameter naming the field, never rounded", async () => {
    const service = new VarlinkService(INFO, { logger: sandbox.log.logger });
    const seen: number[] = [];
    service.addInterface(IDL, { Count: ({ n }: { n: number }) => (seen.push(n), { n }) });
    const client = await sandbox.raw(await sandbox.serve(service));
    for (const literal of ["9007199254740993", "9007199254740992", "-9223372036854775808"]) {
      client.send(`{"method":"org.example.values.Count","parameters":{"n":${literal}}}\0`);
      expect(await client.next()).toEqual({
        error: "org.varlink.service.InvalidParameter",
        parameters: { parameter: "n" },
      });
    }
    client.send(`{"method":"org.example.values.Count","parameters":{"n":9007199254740991}}\0`);
    expect(await client.next()).toEqual({ parameters: { n: 9007199254740991 } });
    expect(seen).toEqual([9007199254740991]);
  });
});

describe("an int beyond ±(2^53 − 1) in a reply to a typed client", () => {
  it("rejects the call with a ValueError naming the field; the connection goes on", async () => {
    const { client: connection, connection: server } = await connectPeer(sandbox);
    const client = createClient(Values, connection);
    const items = client.items();
    await server.messages(1);
    server.send(
      '{"parameters":{"items":[{"id":1,"score":1e300,"name":"a"},{"id":9007199254740993,"score":2,"name":"b"}],"total":2}}\0',
    );
    const error = await rejection(items);
    expect(error).toBeInstanceOf(ValueError);
    expect((error as ValueError).path).toBe("items[1].id");
    expect(error.message).toContain("org.example.values.Items");
    // A float may be as large as it likes; the next call on the connection is answered.
    const names = client.names();
    await server.messages(2);
    server.send('{"parameters":{"names":["x"]}}\0');
    expect(await names).toEqual({ names: ["x"] });
  });

  it("ends a more stream with the ValueError and drops the rest of its replies", async () => {
    const { client: connection, connection: server } = await connectPeer(sandbox);
    const client = createClient(Values, connection);
    const replies = client.count.more({ n: 3 });
    await server.messages(1);
    server.send('{"parameters":{"n":1},"continues":true}\0');
    server.send('{"parameters":{"n":18446744073709551615},"continues":true}\0');
    server.send('{"parameters":{"n":3}}\0');
    const { values, error } = await collect(replies);
    expect(values).toEqual([{ n: 1 }]);
    expect(error).toBeInstanceOf(ValueError);
    expect((error as ValueError).path).toBe("n");
    const after = client.count({ n: 4 });
    await server.messages(2);
    server.send('{"parameters":{"n":4}}\0');
    expect(await after).toEqual({ n: 4 });
    expect(connection.closed).toBe(false);
  });

  it("is found deep inside a recursive type", async () => {
    const { client: connection, connection: server } = await connectPeer(sandbox);
    const client = createClient(Values, connection);
    const chain = client.chain();
    await server.messages(1);
    server.send('{"parameters":{"node":{"value":1,"next":{"value":2,"next":{"value":-9007199254740993}}}}}\0');
    const error = await rejection(chain);
    expect((error as ValueError).path).toBe("node.next.next.value");
  });

  it("costs nothing for a method whose result holds no int", async () => {
    const { client: connection, connection: server } = await connectPeer(sandbox);
    const client = createClient(Values, connection);
    const names = client.names();
    await server.messages(1);
    // Not an int field: a string of digits, and a rounded number where the type says string.
    server.send('{"parameters":{"names":["9007199254740993"]}}\0');
    expect(await names).toEqual({ names: ["9007199254740993"] });
  });
});

describe("values JSON would not carry unchanged, before sending", () => {
  it.each([
    ["NaN", { n: Number.NaN }, "n"],
    ["a function", { n: 1, extra: () => 1 }, "extra"],
    ["a Date", { when: new Date(0) }, "when"],
    ["an undefined array element", { list: [1, undefined] }, "list[1]"],
  ])("refuses %s, naming the field, and sends nothing", async (_what, parameters, path) => {
    const { client, connection: server } = await connectPeer(sandbox);
    const error = await rejection(client.call("org.example.values.Anything", parameters));
    expect(error).toBeInstanceOf(ValueError);
    expect((error as ValueError).path).toBe(path);
    // Nothing was written for it: the next call is the first message the peer sees.
    const next = client.call("org.example.values.Next");
    expect(await server.messages(1)).toEqual(['{"method":"org.example.values.Next","parameters":{}}']);
    server.reply({ parameters: {} });
    await next;
  });

  it("leaves out an optional field given as undefined, as absent", async () => {
    const { client, connection: server } = await connectPeer(sandbox);
    const call = client.call("org.example.values.Anything", { reason: undefined, n: 1 });
    expect(await server.messages(1)).toEqual(['{"method":"org.example.values.Anything","parameters":{"n":1}}']);
    server.reply({ parameters: {} });
    await call;
  });

  it("sends a BigInt as its digits", async () => {
    const { client, connection: server } = await connectPeer(sandbox);
    const call = client.call("org.example.values.Count", { n: 2n ** 64n - 1n });
    expect(await server.messages(1)).toEqual([
      '{"method":"org.example.values.Count","parameters":{"n":18446744073709551615}}',
    ]);
    server.reply({ parameters: {} });
    await call;
  });
});

describe("a Set and a Map sent to a service in another process", () => {
  it("arrive as the varlink set and map they stand for", async () => {
    const dir = await mkdtemp(join(tmpdir(), "varlink-values-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const address = `unix:${join(dir, "echo.sock")}`;
    const script = fileURLToPath(new URL("./fixtures/echo-service.mjs", import.meta.url));
    const child: ChildProcess = spawn(process.execPath, [script, address], { stdio: ["ignore", "pipe", "inherit"] });
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await once(child, "exit");
      }
    });
    const lines = createInterface({ input: child.stdout! });
    const [ready] = (await once(lines, "line")) as [string];
    expect(ready).toBe("ready");

    const connection: Connection = await connect(address);
    cleanups.push(() => connection.close());
    const sent = {
      set: new Set(["a", "b"]),
      map: new Map([["x", 1], ["y", 2]]),
      nested: new Map([["k", new Set(["v"])]]),
    };
    const reply = await connection.call<{ received: unknown }>("org.example.values.Echo", { sent });
    expect(reply.received).toEqual({
      set: { a: {}, b: {} },
      map: { x: 1, y: 2 },
      nested: { k: { v: {} } },
    });
  });
});

describe("await using", () => {
  it("closes a connection, a typed client and a mock at the end of the block", async () => {
    const { client: connection } = await connectPeer(sandbox);
    {
      await using client = createClient(Values, connection);
      expect(client.connection.closed).toBe(false);
    }
    expect(connection.closed).toBe(true);
    const other = await connectPeer(sandbox);
    {
      await using disposable = other.client;
      expect(disposable.closed).toBe(false);
    }
    expect(other.client.closed).toBe(true);
    let client: Connection | undefined;
    {
      await using mock = await createMock(Values, { names: () => ({ names: [] }) });
      client = mock.client.connection;
      expect(await mock.client.names()).toEqual({ names: [] });
    }
    expect(client.closed).toBe(true);
  });
});
