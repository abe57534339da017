/**
 * Streams that deliver at once: a value an `async *` handler yields goes out with `continues`
 * as soon as the generator waits for anything, the value it returns is the last reply, and
 * `context.reply()` without `more` answers ExpectedMore. Over real unix sockets, on the raw wire
 * where `continues` is visible.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  connect,
  defineInterface,
  ExpectedMoreError,
  method,
  VarlinkService,
  type CallContext,
  type Connection,
  type Handlers,
} from "@varlink-ts/runtime";
import type { InterfaceHandlers } from "@varlink-ts/runtime/wire";
import { deferred, INFO, type RawClient, rejection, Sandbox } from "@varlink-ts/test-kit";

const sandbox = new Sandbox();
const connections: Connection[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const connection of connections.splice(0)) connection.close();
  await sandbox.cleanup();
});

const STREAMS = `interface org.example.streams

# Yields event 1, waits a second, then yields (end = "yield") or returns (end = "return") event 2.
method Monitor(end: string) -> (event: int)

# Yields pages of size items, waiting for the test between pages.
method Pages(pages: int, size: int) -> (item: int)

method Returns(kind: string) -> (n: ?int)

method Flood(size: int) -> (tick: int, padding: string)

method Watch() -> (event: int)
`;

const S = "org.example.streams";

/** Serves org.example.streams with `handlers` on a unix socket and connects a raw client. */
async function serve(handlers: InterfaceHandlers): Promise<{ client: RawClient; path: string }> {
  const service = new VarlinkService(INFO, { logger: sandbox.log.logger, validateReplies: true });
  service.addInterface(STREAMS, handlers);
  const path = await sandbox.serve(service);
  return { client: await sandbox.raw(path), path };
}

/** The next reply's text, or a failure naming what did not arrive in time. */
async function next(client: RawClient, what: string, ms = 3000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no reply within ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([client.nextText(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The next reply, parsed. */
async function nextReply<T>(client: RawClient, what: string): Promise<T> {
  return JSON.parse(await next(client, what)) as T;
}

type Tick = { parameters: { tick: number }; continues?: boolean };

function continued(parameters: object): string {
  return JSON.stringify({ parameters, continues: true });
}

function last(parameters: object): string {
  return JSON.stringify({ parameters });
}

describe("a yielded reply leaves as soon as the generator waits", () => {
  it.each(["yield", "return"])(
    "sends a monitor's first event at once, not when the second happens (%s)",
    async (end) => {
      // The second event happens only once the client has the first: held back, it never would.
      let release = (): void => undefined;
      const secondEvent = new Promise<void>((resolve) => (release = resolve));
      const { client } = await serve({
        Monitor: async function* ({ end }: { end: string }) {
          yield { event: 1 };
          await secondEvent;
          if (end === "return") return { event: 2 };
          yield { event: 2 };
        },
      });
      client.send({ method: `${S}.Monitor`, parameters: { end }, more: true });
      // The wait is a guard against a hang, not a measure: the first event must come at all.
      const first = await Promise.race([
        next(client, "the first event"),
        sleep(5000).then(() => "nothing while the generator waits"),
      ]);
      expect(first).toBe(continued({ event: 1 }));
      release();
      expect(await next(client, "the second event")).toBe(last({ event: 2 }));
      expect(sandbox.log.lines).toEqual([]);
    },
  );

  it("sends a tight-loop enumeration's bursts before it waits, and ends it without continues", async () => {
    const size = 20_000;
    const gates = [deferred(), deferred()];
    const produced: number[] = [];
    const immediates = vi.spyOn(globalThis, "setImmediate");
    const { client } = await serve({
      Pages: async function* ({ pages, size }: { pages: number; size: number }) {
        let item = 0;
        for (let page = 0; page < pages; page++) {
          if (page > 0) await gates[page - 1]!.promise;
          // The last page goes through resolved promises: that is no wait either.
          for (let i = 0; i < size; i++) {
            if (page === pages - 1) await Promise.resolve();
            yield { item: item++ };
          }
          produced.push(item);
        }
      },
    });
    client.send({ method: `${S}.Pages`, parameters: { pages: 3, size }, more: true });
    let item = 0;
    for (let page = 0; page < 3; page++) {
      const wrong: string[] = [];
      for (let i = 0; i < size; i++, item++) {
        const text = await next(client, `item ${item}, while the handler waits before page ${page + 1}`);
        const expected = page === 2 && i === size - 1 ? last({ item }) : continued({ item });
        if (text !== expected && wrong.length < 3) wrong.push(`${text} instead of ${expected}`);
      }
      expect(wrong).toEqual([]);
      // The whole page arrived while the handler waits for the next: its last item too.
      expect(produced).toHaveLength(page + 1);
      gates[page]?.resolve();
    }
    client.send({ method: "org.varlink.service.GetInfo" });
    expect(await nextReply(client, "GetInfo")).toMatchObject({ parameters: { product: INFO.product } });
    // One Immediate at a time per stream, not one per reply.
    expect(immediates.mock.calls.length).toBeLessThan((3 * size) / 20);
  });

  it("keeps backpressure: a slow reader stalls a stream that waits between replies", async () => {
    const size = 64 * 1024;
    let produced = 0;
    let stop = false;
    const idle = deferred();
    const { client } = await serve({
      Flood: async function* ({ size }: { size: number }, context: CallContext) {
        const padding = "x".repeat(size);
        while (!stop) {
          produced++;
          yield { tick: produced - 1, padding };
          // A wait after every reply: each one leaves on its own, while the generator waits.
          await sleep(0);
        }
        idle.resolve();
        await new Promise((resolve) => context.signal.addEventListener("abort", resolve));
      },
    });
    client.socket.pause();
    client.send({ method: `${S}.Flood`, parameters: { size }, more: true });
    let previous = -1;
    while (produced !== previous || produced === 0) {
      previous = produced;
      await sleep(200);
    }
    // Production stops at what the socket buffers hold, far from the 16 MiB output limit.
    expect(produced * size).toBeLessThan(4 * 1024 * 1024);
    const stalledAt = produced;
    client.socket.resume();
    for (let tick = 0; tick < stalledAt + 20; tick++) {
      const reply = await nextReply<Tick>(client, `tick ${tick}`);
      expect(reply.parameters.tick).toBe(tick);
      expect(reply.continues).toBe(true);
    }
    stop = true;
    await idle.promise;
    // The generator now waits for nothing but the client's leaving: its last reply is out too.
    for (let tick = stalledAt + 20; tick < produced; tick++) {
      const reply = await nextReply<Tick>(client, `tick ${tick} of ${produced}`);
      expect(reply.parameters.tick).toBe(tick);
    }
    expect(sandbox.log.lines).toEqual([]);
  });
});

describe("the value a generator returns is the final reply", () => {
  it("sends it after the yielded values, which all get continues", async () => {
    const { client } = await serve({
      Returns: async function* ({ kind }: { kind: string }) {
        if (kind === "after-yields") {
          yield { n: 1 };
          yield { n: 2 };
          return { n: 3 };
        }
        if (kind === "after-wait") {
          yield { n: 1 };
          await sleep(20);
          return { n: 2 };
        }
        if (kind === "only") return { n: 7 };
        await sleep(20);
        return undefined;
      },
    });
    const call = (kind: string) => client.send({ method: `${S}.Returns`, parameters: { kind }, more: true });
    call("after-yields");
    expect(await next(client, "1")).toBe(continued({ n: 1 }));
    expect(await next(client, "2")).toBe(continued({ n: 2 }));
    expect(await next(client, "3")).toBe(last({ n: 3 }));
    call("after-wait");
    expect(await next(client, "1")).toBe(continued({ n: 1 }));
    expect(await next(client, "2")).toBe(last({ n: 2 }));
    call("only");
    expect(await next(client, "7")).toBe(last({ n: 7 }));
    // Nothing yielded, nothing returned: one empty reply, as before.
    call("nothing");
    expect(await next(client, "the empty reply")).toBe(last({}));
    expect(sandbox.log.lines).toEqual([]);
  });

  it("is missing when a stream ends after its last reply went out: InternalError and a log line", async () => {
    const { client } = await serve({
      Returns: async function* () {
        yield { n: 1 };
        await sleep(20);
      },
    });
    client.send({ method: `${S}.Returns`, parameters: { kind: "forgot" }, more: true });
    expect(await next(client, "1")).toBe(continued({ n: 1 }));
    const error = await nextReply(client, "the error");
    expect(error).toEqual({ error: "org.varlink.service.InternalError", parameters: {} });
    expect(sandbox.log.lines).toHaveLength(1);
    expect(sandbox.log.lines[0]).toContain(`${S}.Returns ended without a final reply`);
    expect(sandbox.log.lines[0]).toMatch(/must `return` its final reply/);
    // The call is over; the connection goes on.
    client.send({ method: "org.varlink.service.GetInfo" });
    expect(await nextReply(client, "GetInfo")).toMatchObject({ parameters: { product: INFO.product } });
  });

  it("ends any other async iterable, which cannot return one, with its last value", async () => {
    // A Readable ends after waiting, and cannot return a final reply: its values keep waiting for
    // the next one (or the end), so the stream still ends right.
    const { client } = await serve({
      Returns: () =>
        Readable.from(
          (async function* () {
            yield { n: 1 };
            await sleep(20);
            yield { n: 2 };
            await sleep(20);
          })(),
        ),
    });
    client.send({ method: `${S}.Returns`, parameters: { kind: "readable" }, more: true });
    expect(await next(client, "1")).toBe(continued({ n: 1 }));
    expect(await next(client, "2")).toBe(last({ n: 2 }));
    expect(sandbox.log.lines).toEqual([]);
  });

  it("lets context.reply() inside a generator follow the value yielded before it", async () => {
    const { client } = await serve({
      Returns: async function* (_parameters: object, context: CallContext<{ n: number }>) {
        yield { n: 1 };
        await context.reply({ n: 2 });
        yield { n: 3 };
      },
    });
    client.send({ method: `${S}.Returns`, parameters: { kind: "mixed" }, more: true });
    expect(await next(client, "1")).toBe(continued({ n: 1 }));
    expect(await next(client, "2")).toBe(continued({ n: 2 }));
    expect(await next(client, "3")).toBe(last({ n: 3 }));
  });
});

describe("context.reply() without more", () => {
  it("answers ExpectedMore to a handler that lets the rejection propagate", async () => {
    const seen: { error?: unknown } = {};
    const { path } = await serve({
      Watch: async (_parameters: object, context: CallContext<{ event: number }>) => {
        try {
          await context.reply({ event: 1 });
          return { event: 2 };
        } catch (error) {
          seen.error = error;
          throw error;
        }
      },
    });
    const connection = await connect(`unix:${path}`);
    connections.push(connection);
    const error = await rejection(connection.call(`${S}.Watch`));
    expect(error).toBeInstanceOf(ExpectedMoreError);
    expect(seen.error).toBeInstanceOf(ExpectedMoreError);
    expect(sandbox.log.lines).toEqual([]);
  });
});

// Types only (checked by `tsc -p tsconfig.check.json`): a stream is AsyncIterable<R, R | void>.
const Typed = defineInterface({
  name: "org.example.typed",
  description: "interface org.example.typed\n\nmethod Watch() -> (event: int)\n",
  methods: { watch: method<Record<string, never>, { event: number }>("Watch") },
});
export const typedHandlers: Handlers<typeof Typed>[] = [
  {
    async *watch() {
      yield { event: 1 };
    },
  },
  {
    async *watch() {
      yield { event: 1 };
      return { event: 2 };
    },
  },
  {
    // @ts-expect-error the returned value is the last reply, so it must be one
    async *watch() {
      yield { event: 1 };
      return { wrong: true };
    },
  },
];
