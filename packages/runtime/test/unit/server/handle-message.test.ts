/**
 * `service.handle(message)`: sans-IO serving, as the Python binding's `Service.handle`, driven
 * here directly and over a MessageChannel, a transport the runtime has no listener for.
 */
import { MessageChannel, type MessagePort } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { ProtocolError, VarlinkError, VarlinkService, type CallContext } from "@varlink-ts/runtime";

const IDL = `interface org.example.sans

method Ping(ping: string) -> (pong: string)

method Count(n: int) -> (i: int)

method Forever() -> (tick: int)

method Fail(why: string) -> ()

method Note(text: string) -> ()

method Big(n: int) -> (items: []string)

method Switch() -> ()

error Failed (why: string)
`;

const S = "org.example.sans";

interface Seen {
  notes: string[];
  aborted: boolean;
  switched: boolean;
}

function createService(seen: Seen, maxMessageSize?: number): VarlinkService {
  const service = new VarlinkService(
    { vendor: "Example", product: "Sans", version: "1", url: "https://example.org" },
    { ...(maxMessageSize === undefined ? {} : { maxMessageSize }), logger: () => undefined },
  );
  return service.addInterface(IDL, {
    Ping: ({ ping }: { ping: string }) => ({ pong: ping }),
    async *Count({ n }: { n: number }) {
      for (let i = 0; i < n; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (i === n - 1) return { i };
        yield { i };
      }
    },
    async *Forever(_: object, context: CallContext) {
      context.signal.addEventListener("abort", () => (seen.aborted = true));
      for (let tick = 0; ; tick++) {
        yield { tick };
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    },
    Fail: ({ why }: { why: string }) => {
      throw new VarlinkError(`${S}.Failed`, { why });
    },
    Note: ({ text }: { text: string }) => {
      seen.notes.push(text);
    },
    Big: ({ n }: { n: number }) => ({ items: Array.from({ length: n }, (_, i) => `item number ${i}`.padEnd(40, ".")) }),
    Switch: () => {
      seen.switched = true;
    },
  });
}

let seen: Seen;
let service: VarlinkService;
afterEach(async () => {
  await service.close();
});

function setUp(maxMessageSize?: number): void {
  seen = { notes: [], aborted: false, switched: false };
  service = createService(seen, maxMessageSize);
}

async function collect(message: string | Uint8Array): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const reply of service.handle(message)) {
    expect(reply).not.toContain("\0");
    out.push(JSON.parse(reply));
  }
  return out;
}

const call = (method: string, parameters: object = {}, flags: object = {}): string =>
  JSON.stringify({ method: `${S}.${method}`, parameters, ...flags });

/**
 * The service's side of a MessagePort: one message at a time, each answered in full before the
 * next, as a varlink connection is; a ProtocolError ends the conversation, as on a socket.
 */
function serveOn(port: MessagePort, target: VarlinkService): void {
  let turn = Promise.resolve();
  port.on("message", (message: string) => {
    turn = turn.then(async () => {
      try {
        for await (const reply of target.handle(message)) port.postMessage(reply);
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        port.close();
      }
    });
  });
}

describe("handle()", () => {
  it("answers a call with its reply, as text without a NUL", async () => {
    setUp();
    expect(await collect(call("Ping", { ping: "hi" }))).toEqual([{ parameters: { pong: "hi" } }]);
  });

  it("accepts a trailing NUL, and bytes", async () => {
    setUp();
    expect(await collect(`${call("Ping", { ping: "a" })}\0`)).toEqual([{ parameters: { pong: "a" } }]);
    expect(await collect(new TextEncoder().encode(`${call("Ping", { ping: "b" })}\0`))).toEqual([{ parameters: { pong: "b" } }]);
    expect(await collect(Buffer.from(call("Ping", { ping: "ü" })))).toEqual([{ parameters: { pong: "ü" } }]);
  });

  it("yields several replies for more, every one but the last with continues", async () => {
    setUp();
    expect(await collect(call("Count", { n: 3 }, { more: true }))).toEqual([
      { parameters: { i: 0 }, continues: true },
      { parameters: { i: 1 }, continues: true },
      { parameters: { i: 2 } },
    ]);
    // Without more, a generator answers ExpectedMore, as on a socket.
    expect(await collect(call("Count", { n: 3 }))).toEqual([{ error: "org.varlink.service.ExpectedMore", parameters: {} }]);
  });

  it("yields nothing for oneway, errors included, and the handler runs", async () => {
    setUp();
    expect(await collect(call("Note", { text: "x" }, { oneway: true }))).toEqual([]);
    expect(await collect(call("Fail", { why: "y" }, { oneway: true }))).toEqual([]);
    expect(seen.notes).toEqual(["x"]);
  });

  it("sends errors as error replies", async () => {
    setUp();
    expect(await collect(call("Fail", { why: "because" }))).toEqual([{ error: `${S}.Failed`, parameters: { why: "because" } }]);
    expect(await collect(call("Nope"))).toEqual([{ error: "org.varlink.service.MethodNotFound", parameters: { method: "Nope" } }]);
    expect(await collect(JSON.stringify({ method: "org.example.none.Ping" }))).toEqual([
      { error: "org.varlink.service.InterfaceNotFound", parameters: { interface: "org.example.none" } },
    ]);
  });

  it("checks parameters exactly as on a socket", async () => {
    setUp();
    expect(await collect(call("Ping", { ping: 1 }))).toEqual([
      { error: "org.varlink.service.InvalidParameter", parameters: { parameter: "ping" } },
    ]);
    expect(await collect(call("Ping", { ping: "a", extra: true }))).toEqual([
      { error: "org.varlink.service.InvalidParameter", parameters: { parameter: "extra" } },
    ]);
  });

  it("throws a ProtocolError for what would close a connection", async () => {
    setUp(64);
    const malformed = [
      "{not json",
      "[1]",
      JSON.stringify({ parameters: {} }),
      JSON.stringify({ method: `${S}.Ping`, oneway: true, more: true }),
      JSON.stringify({ method: `${S}.Ping`, bogus: 1 }),
      `${call("Ping", { ping: "a" })}\0${call("Ping", { ping: "b" })}\0`,
      Uint8Array.of(0x7b, 0xff, 0x7d),
      call("Ping", { ping: "x".repeat(64) }),
    ];
    for (const message of malformed) await expect(collect(message)).rejects.toBeInstanceOf(ProtocolError);
  });

  it("refuses upgrade with a ProtocolError before the handler runs", async () => {
    setUp();
    await expect(collect(call("Switch", {}, { upgrade: true }))).rejects.toThrow(ProtocolError);
    expect(seen.switched).toBe(false);
  });

  it("gives a large reply (serialized as buffers) as text without its NUL", async () => {
    setUp();
    const [reply] = (await collect(call("Big", { n: 50_000 }))) as [{ parameters: { items: string[] } }];
    expect(reply.parameters.items).toHaveLength(50_000);
    expect(reply.parameters.items[49_999]).toMatch(/^item number 49999\.+$/);
  });

  it("ends a stream and fires the handler's signal when the consumer leaves", async () => {
    setUp();
    const ticks: unknown[] = [];
    for await (const reply of service.handle(call("Forever", {}, { more: true }))) {
      ticks.push(JSON.parse(reply));
      if (ticks.length === 3) break;
    }
    expect(ticks).toEqual([0, 1, 2].map((tick) => ({ parameters: { tick }, continues: true })));
    expect(seen.aborted).toBe(true);
  });

  it("ends a stream when options.signal aborts", async () => {
    setUp();
    const controller = new AbortController();
    let count = 0;
    for await (const _ of service.handle(call("Forever", {}, { more: true }), { signal: controller.signal })) {
      if (++count === 2) controller.abort();
    }
    expect(count).toBe(2);
    expect(seen.aborted).toBe(true);
  });

  it("serves over a MessageChannel", async () => {
    setUp();
    const { port1, port2 } = new MessageChannel();
    serveOn(port2, service);
    const received: unknown[] = [];
    const done = new Promise<void>((resolve) => port1.on("close", resolve));
    port1.on("message", (message: string) => received.push(JSON.parse(message)));
    port1.postMessage(call("Ping", { ping: "over a port" }));
    port1.postMessage(call("Count", { n: 2 }, { more: true }));
    port1.postMessage(call("Note", { text: "quiet" }, { oneway: true }));
    port1.postMessage(call("Fail", { why: "no" }));
    port1.postMessage("not varlink");
    await done;
    expect(received).toEqual([
      { parameters: { pong: "over a port" } },
      { parameters: { i: 0 }, continues: true },
      { parameters: { i: 1 } },
      { error: `${S}.Failed`, parameters: { why: "no" } },
    ]);
    expect(seen.notes).toEqual(["quiet"]);
  });

  it("takes no call once the service is closed", async () => {
    setUp();
    await service.close();
    await expect(collect(call("Ping", { ping: "late" }))).rejects.toThrow("the service is closed");
  });
});
