/**
 * The lossless mode: `int` fields a descriptor selects (its `bigint` option, from the codegen
 * config or, for the dynamic client, `openInterface`'s option) are JavaScript `bigint`s, exact
 * to the last digit both ways, even beyond 2^53; unselected ones stay numbers and refuse what a
 * number cannot hold. Integers sent as decimal strings (UAPI.20) are taken in both modes.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  connect,
  createClient,
  defineInterface,
  InvalidParameterError,
  method,
  openInterface,
  VarlinkService,
} from "@varlink-ts/runtime";
import { connectPeer, INFO, rejection, Sandbox } from "@varlink-ts/test-kit";

const IDL = `interface org.example.big

type Limits (memory: int, tasks: ?int, nested: (values: []int))

method Echo(n: int) -> (n: int)

method Small(n: int) -> (n: int)

method Get() -> (limits: Limits)
`;

const Big = defineInterface({
  name: "org.example.big",
  description: IDL,
  methods: {
    echo: method<{ n: bigint }, { n: bigint }>("Echo"),
    small: method<{ n: number }, { n: number }>("Small"),
    get: method<Record<string, never>, { limits: { memory: bigint; tasks?: number | null; nested: { values: bigint[] } } }>("Get"),
  },
  bigint: ["Echo.n", "Limits.memory", "Limits.nested"],
});

const sandbox = new Sandbox();
const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await sandbox.cleanup();
});

/** A service of org.example.big whose handlers record what they received. */
async function serveBig(received: unknown[]): Promise<string> {
  const service = new VarlinkService(INFO, { logger: sandbox.log.logger });
  service.addInterface(Big, {
    echo: ({ n }) => (received.push(n), { n }),
    small: ({ n }) => (received.push(n), { n }),
    get: () => ({ limits: { memory: 2n ** 64n - 1n, tasks: 5, nested: { values: [1n, 2n ** 53n + 1n] } } }),
  });
  return sandbox.serve(service);
}

describe("a service with bigint fields", () => {
  it("hands its handler exact bigints, from numbers, big literals and decimal strings", async () => {
    const received: unknown[] = [];
    const client = await sandbox.raw(await serveBig(received));
    for (const [literal, expected] of [
      ["42", 42n],
      ["9007199254740993", 9007199254740993n],
      ["18446744073709551615", 18446744073709551615n],
      ['"-9223372036854775808"', -9223372036854775808n],
    ] as const) {
      client.send(`{"method":"org.example.big.Echo","parameters":{"n":${literal}}}\0`);
      expect(await client.nextText()).toBe(`{"parameters":{"n":${expected}}}`);
    }
    expect(received).toEqual([42n, 9007199254740993n, 18446744073709551615n, -9223372036854775808n]);
    client.send('{"method":"org.example.big.Echo","parameters":{"n":18446744073709551616}}\0');
    expect(await client.next()).toEqual({ error: "org.varlink.service.InvalidParameter", parameters: { parameter: "n" } });
  });

  it("keeps unselected ints numbers: a safe decimal string is taken, a larger integer refused", async () => {
    const received: unknown[] = [];
    const client = await sandbox.raw(await serveBig(received));
    client.send('{"method":"org.example.big.Small","parameters":{"n":"42"}}\0');
    expect(await client.next()).toEqual({ parameters: { n: 42 } });
    client.send('{"method":"org.example.big.Small","parameters":{"n":"9007199254740993"}}\0');
    expect(await client.next()).toEqual({ error: "org.varlink.service.InvalidParameter", parameters: { parameter: "n" } });
    expect(received).toEqual([42]);
  });
});

describe("a typed client with bigint fields", () => {
  it("sends and receives 2^53 + 1 exactly, both ways, over a socket", async () => {
    const received: unknown[] = [];
    const path = await serveBig(received);
    const client = createClient(Big, await connect(`unix:${path}`));
    closers.push(() => client.close());
    expect(await client.echo({ n: 2n ** 53n + 1n })).toEqual({ n: 9007199254740993n });
    expect(received).toEqual([9007199254740993n]);
    const { limits } = await client.get();
    expect(limits).toEqual({ memory: 18446744073709551615n, tasks: 5, nested: { values: [1n, 9007199254740993n] } });
    expect(typeof limits.tasks).toBe("number");
  });

  it("reads a decimal string and a small number as bigints in selected fields", async () => {
    const { client: connection, connection: server } = await connectPeer(sandbox);
    const client = createClient(Big, connection);
    const echo = client.echo({ n: 1n });
    await server.messages(1);
    server.send('{"parameters":{"n":"123456789012345678901"}}\0');
    const error = await rejection(echo);
    expect(error.message).toContain("out of the 64-bit range");
    const next = client.echo({ n: 2n });
    await server.messages(2);
    server.send('{"parameters":{"n":"7"}}\0');
    expect(await next).toEqual({ n: 7n });
  });
});

describe("the dynamic client's bigint option", () => {
  it("reads every int as a bigint when asked, and refuses big ones when not", async () => {
    const path = await serveBig([]);
    const connection = await connect(`unix:${path}`);
    closers.push(() => connection.close());
    const lossless = await openInterface(connection, "org.example.big", { bigint: true });
    expect(await lossless.Get?.()).toEqual({
      limits: { memory: 18446744073709551615n, tasks: 5n, nested: { values: [1n, 9007199254740993n] } },
    });
    const plain = await openInterface(connection, "org.example.big");
    const error = await rejection(plain.Get!());
    expect(error.message).toContain("limits.memory");
    expect(error).not.toBeInstanceOf(InvalidParameterError);
  });
});

describe("a descriptor's bigint selectors", () => {
  it("are refused when they select nothing, at registration and at createClient", async () => {
    const wrong = defineInterface({ ...Big, bigint: ["Limits.tasks.nope", "Echo.m"] });
    const service = new VarlinkService(INFO, { logger: sandbox.log.logger });
    expect(() => service.addInterface(wrong, {})).toThrow(
      'bigint selector "Limits.tasks.nope": Limits.tasks is not an anonymous struct, so it has no field nope',
    );
    const { client: connection } = await connectPeer(sandbox);
    const typo = defineInterface({ ...Big, bigint: ["Echo.m"] });
    expect(() => createClient(typo, connection)).toThrow(
      'bigint selector "Echo.m": Echo has no field m in its parameters or its result',
    );
  });
});
