/**
 * What `addInterface` takes as handlers: plain objects and class instances (whose prototype
 * methods are found and called on the instance), keyed by varlink method name for IDL text and by
 * member name for a descriptor; never a member every object inherits; and the call modes systemd's
 * markers require, which the server enforces before a handler runs.
 */
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import {
  connect,
  Connection,
  createClient,
  defineInterface,
  ExpectedMoreError,
  ExpectedUpgradeError,
  method,
  MethodNotImplementedError,
  VarlinkService,
  type CallContext,
  type Handlers,
} from "@varlink-ts/runtime";
import { duplexPair } from "@varlink-ts/runtime/testing";
import { collect, INFO, type RawClient, rejection, Sandbox } from "@varlink-ts/test-kit";

const sandbox = new Sandbox();
const connections: Connection[] = [];
const streams: Duplex[] = [];
afterEach(async () => {
  for (const connection of connections.splice(0)) connection.close();
  for (const stream of streams.splice(0)) stream.destroy();
  await sandbox.cleanup();
});

function newService(): VarlinkService {
  return sandbox.track(new VarlinkService(INFO, { logger: sandbox.log.logger }));
}

/** Serves `service` on a unix socket in a fresh directory and connects the runtime's client. */
async function listenAndConnect(service: VarlinkService): Promise<Connection> {
  const path = join(await sandbox.tempDir(), "service.sock");
  await service.listen(`unix:${path}`);
  const connection = await connect(`unix:${path}`);
  connections.push(connection);
  return connection;
}

/** Serves `service` over an in-memory pair and connects the runtime's client to it. */
function connectInMemory(service: VarlinkService): Connection {
  const [near, far] = duplexPair();
  service.serve(far);
  const connection = Connection.fromStream(near);
  connections.push(connection);
  return connection;
}

const H = "org.example.handlers";

const HANDLERS_INTERFACE = `# Methods the handler tests implement.
interface org.example.handlers

method Ping(ping: string) -> (pong: string)

# How many Ping calls this implementation answered.
method Count() -> (count: int)

method Unimplemented() -> ()
`;

const handlersDescriptor = defineInterface({
  name: H,
  description: HANDLERS_INTERFACE,
  methods: {
    ping: method<{ ping: string }, { pong: string }>("Ping"),
    count: method<{}, { count: number }>("Count"),
    unimplemented: method<{}, {}>("Unimplemented"),
  },
});

describe("a class instance keyed by varlink method name, with IDL text", () => {
  /** State in private fields, so every call fails unless `this` is the instance. */
  class Pinger {
    #pings = 0;
    readonly #receivers: unknown[];

    constructor(receivers: unknown[]) {
      this.#receivers = receivers;
    }

    Ping({ ping }: { ping: string }): { pong: string } {
      this.#receivers.push(this);
      this.#pings += 1;
      return { pong: this.decorate(ping) };
    }

    async Count(): Promise<{ count: number }> {
      this.#receivers.push(this);
      return { count: this.#pings };
    }

    /** A helper on the prototype that is not a method of the interface. */
    decorate(text: string): string {
      return `${text}!`;
    }
  }

  it("calls the prototype's methods with `this` being the instance", async () => {
    const service = newService();
    const receivers: unknown[] = [];
    const pinger = new Pinger(receivers);
    service.addInterface(HANDLERS_INTERFACE, pinger);
    const connection = await listenAndConnect(service);

    expect(await connection.call(`${H}.Ping`, { ping: "one" })).toEqual({ pong: "one!" });
    expect(await connection.call(`${H}.Ping`, { ping: "two" })).toEqual({ pong: "two!" });
    expect(await connection.call(`${H}.Count`)).toEqual({ count: 2 });
    expect(receivers).toHaveLength(3);
    for (const receiver of receivers) expect(receiver).toBe(pinger);
    // A declared method the class lacks still answers MethodNotImplemented.
    const missing = await rejection(connection.call(`${H}.Unimplemented`));
    expect(missing).toBeInstanceOf(MethodNotImplementedError);
    expect((missing as MethodNotImplementedError).parameters).toEqual({ method: "Unimplemented" });
    expect(sandbox.log.lines).toEqual([]);
  });

  it("finds methods inherited through several classes, calling overrides on the instance", async () => {
    class LoudPinger extends Pinger {
      override decorate(text: string): string {
        return text.toUpperCase();
      }
    }
    const service = newService();
    const receivers: unknown[] = [];
    const loud = new LoudPinger(receivers);
    service.addInterface(HANDLERS_INTERFACE, loud);
    const connection = connectInMemory(service);

    expect(await connection.call(`${H}.Ping`, { ping: "hey" })).toEqual({ pong: "HEY" });
    expect(await connection.call(`${H}.Count`)).toEqual({ count: 1 });
    expect(receivers).toEqual([loud, loud]);
    expect(sandbox.log.lines).toEqual([]);
  });

  it("takes an instance that also holds state of its own", async () => {
    class Counter {
      pings = 0;
      readonly label = "counter";
      Ping({ ping }: { ping: string }): { pong: string } {
        this.pings += 1;
        return { pong: `${this.label}:${ping}` };
      }
      Count(): { count: number } {
        return { count: this.pings };
      }
    }
    const service = newService();
    const counter = new Counter();
    service.addInterface(HANDLERS_INTERFACE, counter);
    const connection = await listenAndConnect(service);
    expect(await connection.call(`${H}.Ping`, { ping: "a" })).toEqual({ pong: "counter:a" });
    expect(await connection.call(`${H}.Count`)).toEqual({ count: 1 });
    expect(counter.pings).toBe(1);
  });
});

describe("a class instance keyed by member name, with a descriptor", () => {
  class MemberPinger implements Handlers<typeof handlersDescriptor> {
    #pings = 0;
    readonly receivers: unknown[] = [];

    ping({ ping }: { ping: string }, context: CallContext): { pong: string } {
      this.receivers.push(this);
      this.#pings += 1;
      return { pong: `${ping} via ${context.method}` };
    }

    count(): { count: number } {
      this.receivers.push(this);
      return { count: this.#pings };
    }

    unimplemented(): void {
      throw new MethodNotImplementedError({ method: "Unimplemented" });
    }
  }

  it("calls the prototype's methods by member name, with `this` being the instance", async () => {
    const service = newService();
    const pinger = new MemberPinger();
    service.addInterface(handlersDescriptor, pinger);
    const connection = await listenAndConnect(service);
    const client = createClient(handlersDescriptor, connection);

    expect(await client.ping({ ping: "typed" })).toEqual({ pong: `typed via ${H}.Ping` });
    // The same handler answers the varlink method name on the wire.
    expect(await connection.call(`${H}.Ping`, { ping: "raw" })).toEqual({ pong: `raw via ${H}.Ping` });
    expect(await client.count()).toEqual({ count: 2 });
    expect(pinger.receivers).toHaveLength(3);
    for (const receiver of pinger.receivers) expect(receiver).toBe(pinger);
    expect(sandbox.log.lines).toEqual([]);
  });

  it("takes a partial implementation: a method the class lacks answers MethodNotImplemented", async () => {
    class PartialPinger {
      ping({ ping }: { ping: string }): { pong: string } {
        return { pong: this.twice(ping) };
      }
      twice(text: string): string {
        return `${text}${text}`;
      }
    }
    const service = newService();
    service.addInterface(handlersDescriptor, new PartialPinger());
    const connection = connectInMemory(service);
    const client = createClient(handlersDescriptor, connection);
    expect(await client.ping({ ping: "ab" })).toEqual({ pong: "abab" });
    expect(await rejection(client.count())).toBeInstanceOf(MethodNotImplementedError);
    expect(await rejection(client.unimplemented())).toBeInstanceOf(MethodNotImplementedError);
  });
});

describe("what is never taken as a handler", () => {
  const TRICKY_INTERFACE = `interface org.example.tricky
method Describe() -> (text: string)
method Value() -> (value: int)
method Owns() -> ()
method Locale() -> ()
method Make() -> ()
`;
  const T = "org.example.tricky";
  // Member names that every object inherits from Object.prototype.
  const tricky = defineInterface({
    name: T,
    description: TRICKY_INTERFACE,
    methods: {
      toString: method<{}, { text: string }>("Describe"),
      valueOf: method<{}, { value: number }>("Value"),
      hasOwnProperty: method<{}, {}>("Owns"),
      toLocaleString: method<{}, {}>("Locale"),
      // Inherited by a class instance, this is its class.
      constructor: method<{}, {}>("Make"),
    },
  });
  const inherited = ["Describe", "Value", "Owns", "Locale", "Make"];

  it.each([
    ["a plain object", () => ({})],
    ["a class instance", () => new (class Empty {})()],
    ["an object without prototype", () => Object.create(null) as object],
  ])("answers MethodNotImplemented for Object.prototype members with %s", async (_kind, make) => {
    const service = newService();
    service.addInterface(tricky, make());
    const connection = connectInMemory(service);
    for (const name of inherited) {
      const error = await rejection(connection.call(`${T}.${name}`));
      expect(error).toBeInstanceOf(MethodNotImplementedError);
      expect((error as MethodNotImplementedError).parameters).toEqual({ method: name });
    }
    // Nothing was called and failed: no InternalError was logged.
    expect(sandbox.log.lines).toEqual([]);
  });

  it("takes such a member when the handlers define it themselves", async () => {
    class Describer {
      toString(): { text: string } {
        return { text: "own toString" };
      }
    }
    const service = newService();
    // TypeScript compares these members with Object's own toString and valueOf, which a
    // handler's signature cannot match; at run time only what the handlers define counts.
    service.addInterface(tricky, new Describer() as never);
    const connection = connectInMemory(service);
    expect(await connection.call(`${T}.Describe`)).toEqual({ text: "own toString" });
    expect(await rejection(connection.call(`${T}.Value`))).toBeInstanceOf(MethodNotImplementedError);

    const other = newService();
    other.addInterface(tricky, { valueOf: () => ({ value: 7 }) } as never);
    const second = connectInMemory(other);
    expect(await second.call(`${T}.Value`)).toEqual({ value: 7 });
    expect(await rejection(second.call(`${T}.Describe`))).toBeInstanceOf(MethodNotImplementedError);
  });

  it("throws TypeError for an own key that is not a method, and registers nothing", async () => {
    const service = newService();
    const ping = ({ ping }: { ping: string }) => ({ pong: ping });
    expect(() => service.addInterface(HANDLERS_INTERFACE, { Ping: ping, Pnig: ping })).toThrow(TypeError);
    expect(() => service.addInterface(HANDLERS_INTERFACE, { Ping: ping, Pnig: ping })).toThrow(/Pnig/);
    // A descriptor's handlers are keyed by member name, not by varlink name.
    expect(() => service.addInterface(handlersDescriptor, { Ping: ping } as never)).toThrow(TypeError);
    expect(() => service.addInterface(handlersDescriptor, { Ping: ping } as never)).toThrow(/Ping/);
    const bare = Object.assign(Object.create(null) as object, { Ping: ping, extra: ping });
    expect(() => service.addInterface(HANDLERS_INTERFACE, bare)).toThrow(TypeError);
    // A key of a method whose value is not a function.
    expect(() => service.addInterface(HANDLERS_INTERFACE, { Ping: "pong" })).toThrow(TypeError);
    expect(() => service.addInterface(handlersDescriptor, { ping: 42 } as never)).toThrow(TypeError);
    class Shadowed {
      Ping = 42;
    }
    expect(() => service.addInterface(HANDLERS_INTERFACE, new Shadowed())).toThrow(TypeError);

    // None of the failed attempts left the interface half registered.
    service.addInterface(HANDLERS_INTERFACE, { Ping: ping });
    const connection = connectInMemory(service);
    expect(await connection.call(`${H}.Ping`, { ping: "ok" })).toEqual({ pong: "ok" });
    expect(await rejection(connection.call(`${H}.Count`))).toBeInstanceOf(MethodNotImplementedError);
  });
});

describe("methods marked as requiring a flag", () => {
  const M = "org.example.modes";
  const MODES_INTERFACE = `interface org.example.modes

# Streams i = 0..n-1.
# [Requires 'more' flag]
method Watch(n: int) -> (i: int)

# Switches the connection to a raw protocol that says hello.
# [Requires 'upgrade' flag]
method Open(protocol: string) -> (ready: bool)

# One reply, or a stream of n with more.
# [Supports 'more' flag]
method List(n: int) -> (i: int)
`;
  const modes = defineInterface({
    name: M,
    description: MODES_INTERFACE,
    methods: {
      watch: method<{ n: number }, { i: number }, "requires-more">("Watch"),
      open: method<{ protocol: string }, { ready: boolean }, "requires-upgrade">("Open"),
      list: method<{ n: number }, { i: number }, "supports-more">("List"),
    },
  });

  async function* count(n: number): AsyncGenerator<{ i: number }> {
    for (let i = 0; i < n; i++) yield { i };
  }

  /** The implementation, and how often each handler actually ran. */
  class Modes implements Handlers<typeof modes> {
    readonly runs = { watch: 0, open: 0, list: 0 };
    watch({ n }: { n: number }): AsyncIterable<{ i: number }> {
      this.runs.watch += 1;
      return count(n);
    }
    open({ protocol }: { protocol: string }, context: CallContext): { ready: boolean } {
      this.runs.open += 1;
      void context.upgradedStream().then(
        (stream) => {
          streams.push(stream);
          stream.end(`hello in ${protocol}`);
        },
        () => undefined,
      );
      return { ready: true };
    }
    list({ n }: { n: number }, context: CallContext): { i: number } | AsyncIterable<{ i: number }> {
      this.runs.list += 1;
      return context.more ? count(n) : { i: n };
    }
  }

  async function serveModes(): Promise<{ impl: Modes; path: string }> {
    const service = newService();
    const impl = new Modes();
    service.addInterface(modes, impl);
    const path = join(await sandbox.tempDir(), "modes.sock");
    await service.listen(`unix:${path}`);
    return { impl, path };
  }

  async function readAll(stream: Duplex): Promise<string> {
    let text = "";
    for await (const chunk of stream) text += (chunk as Buffer).toString("utf8");
    return text;
  }

  it("answers ExpectedMore and ExpectedUpgrade on the wire without running the handler", async () => {
    const { impl, path } = await serveModes();
    const c: RawClient = await sandbox.raw(path);
    expect(await c.call({ method: `${M}.Watch`, parameters: { n: 2 } })).toEqual({
      error: "org.varlink.service.ExpectedMore",
      parameters: {},
    });
    expect(await c.call({ method: `${M}.Watch`, parameters: { n: 2 }, upgrade: true })).toEqual({
      error: "org.varlink.service.ExpectedMore",
      parameters: {},
    });
    expect(await c.call({ method: `${M}.Open`, parameters: { protocol: "x" } })).toEqual({
      error: "org.varlink.service.ExpectedUpgrade",
      parameters: {},
    });
    expect(await c.call({ method: `${M}.Open`, parameters: { protocol: "x" }, more: true })).toEqual({
      error: "org.varlink.service.ExpectedUpgrade",
      parameters: {},
    });
    expect(impl.runs).toEqual({ watch: 0, open: 0, list: 0 });

    // With the flag, the same connection streams.
    c.send({ method: `${M}.Watch`, parameters: { n: 2 }, more: true });
    expect(await c.nextText()).toBe('{"parameters":{"i":0},"continues":true}');
    expect(await c.nextText()).toBe('{"parameters":{"i":1}}');
    expect(impl.runs.watch).toBe(1);
    // A method that only supports more answers a plain call.
    expect(await c.call({ method: `${M}.List`, parameters: { n: 4 } })).toEqual({ parameters: { i: 4 } });
    expect(sandbox.log.lines).toEqual([]);
  });

  it("rejects with ExpectedMoreError / ExpectedUpgradeError on the client, serves flagged calls", async () => {
    const { impl, path } = await serveModes();
    const connection = await connect(`unix:${path}`);
    connections.push(connection);

    expect(await rejection(connection.call(`${M}.Watch`, { n: 3 }))).toBeInstanceOf(ExpectedMoreError);
    expect(await collect(connection.callMore(`${M}.Watch`, { n: 3 }))).toEqual({
      values: [{ i: 0 }, { i: 1 }, { i: 2 }],
      error: undefined,
    });

    expect(await rejection(connection.call(`${M}.Open`, { protocol: "p" }))).toBeInstanceOf(
      ExpectedUpgradeError,
    );
    expect(impl.runs).toEqual({ watch: 1, open: 0, list: 0 });
    const { parameters, stream } = await connection.callUpgrade(`${M}.Open`, { protocol: "p" });
    streams.push(stream);
    expect(parameters).toEqual({ ready: true });
    expect(await readAll(stream)).toBe("hello in p");
    expect(impl.runs.open).toBe(1);
  });

  it("gives a typed client only the calls each method allows, and the server enforces them", async () => {
    const { impl, path } = await serveModes();
    const client = createClient(modes, await connect(`unix:${path}`));
    connections.push(client.connection);

    expect(await collect(client.watch.more({ n: 2 }))).toEqual({
      values: [{ i: 0 }, { i: 1 }],
      error: undefined,
    });
    // @ts-expect-error: a method that requires more has no plain call.
    const plain = client.watch({ n: 2 }) as Promise<unknown>;
    expect(await rejection(plain)).toBeInstanceOf(ExpectedMoreError);
    expect(impl.runs.watch).toBe(1);

    expect(await client.list({ n: 5 })).toEqual({ i: 5 });
    expect(await collect(client.list.more({ n: 2 }))).toEqual({
      values: [{ i: 0 }, { i: 1 }],
      error: undefined,
    });

    // @ts-expect-error: a method that requires upgrade has no plain call.
    const refused = client.open({ protocol: "q" }) as Promise<unknown>;
    expect(await rejection(refused)).toBeInstanceOf(ExpectedUpgradeError);
    expect(impl.runs.open).toBe(0);
    const { parameters, stream } = await client.open.upgrade({ protocol: "q" });
    streams.push(stream);
    expect(parameters).toEqual({ ready: true });
    expect(await readAll(stream)).toBe("hello in q");
  });
});
