/**
 * This project's certification server is as strict as the Python reference: deliberately wrong
 * clients (a wrong value, a missing or extra flag, a flag sent as false, an unknown client id, a
 * call out of order, a wrong oneway Test11) are refused with the right error, and End says
 * `all_ok: true` only after a perfect run. The calls go to the real executable over a unix
 * socket, through the generated client or a raw connection that sends exactly the bytes given.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  CertificationError,
  ClientIdError,
  connect as connectClient,
  type Client,
  type MyType,
} from "./src/gen/org.varlink.certification.js";
import { DEFAULT_LIMITS, Sessions } from "./src/server/sessions.js";
import { startServer, useSandbox } from "@varlink-ts/test-kit";

const method = (name: string): string => `org.varlink.certification.${name}`;

/** Test09's value as docs/interop.md and the Python reference give it. */
const REFERENCE_MYTYPE = {
  object: {
    method: "org.varlink.certification.Test09",
    parameters: { map: { foo: "Foo", bar: "Bar" } },
  },
  enum: "two",
  struct: { first: 1, second: "2" },
  array: ["one", "two", "three"],
  dictionary: { foo: "Foo", bar: "Bar" },
  stringset: { one: {}, two: {}, three: {} },
  nullable: null,
  nullable_array_struct: null,
  interface: {
    foo: [null, { foo: "foo", bar: "bar" }, null, { one: "foo", two: "bar" }],
    anon: { foo: true, bar: false },
  },
};

/** This project's certification program (the sh launcher of dist/main.js). */
const CERTIFICATION = fileURLToPath(new URL("./certification", import.meta.url));

const sandbox = useSandbox({ scope: "file" });
let path = "";
const clients: Client[] = [];

beforeAll(async () => {
  path = join(await sandbox.tempDir(), "certification.sock");
  await startServer(sandbox, CERTIFICATION, [`--varlink=unix:${path}`]);
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

async function connect(address = `unix:${path}`): Promise<Client> {
  const client = await connectClient(address);
  clients.push(client);
  return client;
}

/** The error a call is refused with. */
async function refusal(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    (reply) => expect.unreachable(`the call was answered: ${JSON.stringify(reply)}`),
    (error: unknown) => error,
  );
}

/** The CertificationError's wants and got, after checking that it is one. */
async function certificationRefusal(call: Promise<unknown>): Promise<{ wants: unknown; got: unknown }> {
  const error = await refusal(call);
  expect(error).toBeInstanceOf(CertificationError);
  expect((error as CertificationError).error).toBe("org.varlink.certification.CertificationError");
  return (error as CertificationError).parameters;
}

/** Runs Start … Test09 correctly, passing each reply on. */
async function walkToTest10(client: Client): Promise<{ client_id: string; mytype: MyType }> {
  const { client_id } = await client.start();
  const { bool } = await client.test01({ client_id });
  const { int } = await client.test02({ client_id, bool });
  const { float } = await client.test03({ client_id, int });
  const { string } = await client.test04({ client_id, float });
  const five = await client.test05({ client_id, string });
  const { struct } = await client.test06({ client_id, ...five });
  const { map } = await client.test07({ client_id, struct });
  const { set } = await client.test08({ client_id, map });
  const { mytype } = await client.test09({ client_id, set });
  return { client_id, mytype };
}

async function test10Strings(client: Client, client_id: string, mytype: MyType): Promise<string[]> {
  const strings: string[] = [];
  for await (const reply of client.test10.more({ client_id, mytype })) strings.push(reply.string);
  return strings;
}

describe("a correct client", () => {
  it("gets the reference values at every step, End says all_ok, and the id is then forgotten", async () => {
    const client = await connect();
    const { client_id } = await client.start();
    expect(client_id).toMatch(/^\S+$/);
    expect(await client.test01({ client_id })).toStrictEqual({ bool: true });
    expect(await client.test02({ client_id, bool: true })).toStrictEqual({ int: 1 });
    expect(await client.test03({ client_id, int: 1 })).toStrictEqual({ float: 1 });
    expect(await client.test04({ client_id, float: 1 })).toStrictEqual({ string: "ping" });
    const five = { bool: false, int: 2, float: Math.PI, string: "a lot of string" };
    expect(await client.test05({ client_id, string: "ping" })).toStrictEqual(five);
    expect(await client.test06({ client_id, ...five })).toStrictEqual({ struct: five });
    const map = { foo: "Foo", bar: "Bar" };
    expect(await client.test07({ client_id, struct: five })).toStrictEqual({ map });
    const set = { one: {}, two: {}, three: {} };
    expect(await client.test08({ client_id, map })).toStrictEqual({ set });
    const { mytype } = await client.test09({ client_id, set });
    expect(mytype).toStrictEqual(REFERENCE_MYTYPE);
    const strings = await test10Strings(client, client_id, mytype);
    expect(strings).toStrictEqual(Array.from({ length: 10 }, (_, i) => `Reply number ${i + 1}`));
    await client.test11.oneway({ client_id, last_more_replies: strings });
    expect(await client.end({ client_id })).toStrictEqual({ all_ok: true });

    expect(await refusal(client.end({ client_id }))).toBeInstanceOf(ClientIdError);
  });

  it("may send Test10's nullable fields back absent instead of null", async () => {
    const client = await connect();
    const { client_id, mytype } = await walkToTest10(client);
    const { nullable: _nullable, nullable_array_struct: _array, ...withoutNulls } = mytype;
    const strings = await test10Strings(client, client_id, withoutNulls);
    await client.test11.oneway({ client_id, last_more_replies: strings });
    expect(await client.end({ client_id })).toStrictEqual({ all_ok: true });
  });
});

describe("a wrong client is refused", () => {
  it("for a wrong value, with the expected and the received call, and End says all_ok false", async () => {
    const client = await connect();
    const { client_id } = await client.start();
    await client.test01({ client_id });
    const { wants, got } = await certificationRefusal(client.test02({ client_id, bool: false }));
    expect(wants).toStrictEqual({ method: method("Test02"), parameters: { client_id, bool: true } });
    expect(got).toStrictEqual({ method: method("Test02"), parameters: { client_id, bool: false } });
    expect(await client.end({ client_id })).toStrictEqual({ all_ok: false });
  });

  it("for Test10 without more", async () => {
    const client = await connect();
    const { client_id, mytype } = await walkToTest10(client);
    const { wants, got } = await certificationRefusal(client.test10({ client_id, mytype }));
    expect(wants).toStrictEqual({ method: method("Test10"), parameters: { client_id, mytype }, more: true });
    expect(got).toStrictEqual({ method: method("Test10"), parameters: { client_id, mytype } });
  });

  it("for more on a call that is not Test10", async () => {
    const client = await connect();
    const { client_id } = await client.start();
    const replies = client.test01.more({ client_id })[Symbol.asyncIterator]();
    const { wants, got } = await certificationRefusal(replies.next());
    expect(wants).toStrictEqual({ method: method("Test01"), parameters: { client_id } });
    expect(got).toStrictEqual({ method: method("Test01"), parameters: { client_id }, more: true });
  });

  it('for a flag sent as false ("more": false, "oneway": false), which is not the same as no flag', async () => {
    const raw = await sandbox.raw(path);
    raw.send({ method: method("Start"), oneway: false });
    expect(await raw.next()).toStrictEqual({
      error: "org.varlink.certification.CertificationError",
      parameters: {
        wants: { method: method("Start"), parameters: {} },
        got: { method: method("Start"), oneway: false },
      },
    });
    raw.send({ method: method("Start") });
    const { client_id } = ((await raw.next()) as { parameters: { client_id: string } }).parameters;
    raw.send({ method: method("Test01"), parameters: { client_id }, more: false });
    expect(await raw.next()).toStrictEqual({
      error: "org.varlink.certification.CertificationError",
      parameters: {
        wants: { method: method("Test01"), parameters: { client_id } },
        got: { method: method("Test01"), parameters: { client_id }, more: false },
      },
    });
  });

  it("for an unknown client id, with ClientIdError", async () => {
    const client = await connect();
    const error = await refusal(client.test01({ client_id: "not-a-client-id" }));
    expect(error).toBeInstanceOf(ClientIdError);
    expect((error as ClientIdError).error).toBe("org.varlink.certification.ClientIdError");
    expect((error as ClientIdError).parameters).toStrictEqual({});
  });

  it("for a call out of order, naming the call that was due", async () => {
    const client = await connect();
    const { client_id } = await client.start();
    const { wants, got } = await certificationRefusal(client.test03({ client_id, int: 1 }));
    expect(wants).toStrictEqual({ method: method("Test01"), parameters: { client_id } });
    expect(got).toStrictEqual({ method: method("Test03"), parameters: { client_id, int: 1 } });
  });

  it("for Test11 without oneway", async () => {
    const client = await connect();
    const { client_id, mytype } = await walkToTest10(client);
    const strings = await test10Strings(client, client_id, mytype);
    const { wants, got } = await certificationRefusal(client.test11({ client_id, last_more_replies: strings }));
    const parameters = { client_id, last_more_replies: strings };
    expect(wants).toStrictEqual({ method: method("Test11"), parameters, oneway: true });
    expect(got).toStrictEqual({ method: method("Test11"), parameters });
  });

  it("for a oneway Test11 with the wrong strings: no reply can say so, but End says all_ok false", async () => {
    const client = await connect();
    const { client_id, mytype } = await walkToTest10(client);
    const strings = await test10Strings(client, client_id, mytype);
    await client.test11.oneway({ client_id, last_more_replies: strings.slice(1) });
    expect(await client.end({ client_id })).toStrictEqual({ all_ok: false });
  });

  it("for a null added inside Test10's object value, which is not a nullable field", async () => {
    const client = await connect();
    const { client_id, mytype } = await walkToTest10(client);
    const changed = { ...mytype, object: { ...(mytype.object as object), extra: null } };
    const { got } = await certificationRefusal(
      test10Strings(client, client_id, changed as MyType),
    );
    expect(got).toStrictEqual({ method: method("Test10"), parameters: { client_id, mytype: changed }, more: true });
  });

  it("call by call when calls are pipelined among org.varlink.service calls", async () => {
    const raw = await sandbox.raw(path);
    raw.send({ method: method("Start") });
    const { client_id } = ((await raw.next()) as { parameters: { client_id: string } }).parameters;
    raw.send({ method: "org.varlink.service.GetInfo" });
    raw.send({ method: method("Test01"), parameters: { client_id, unknown: 1 } });
    raw.send({ method: method("Test01"), parameters: { client_id }, oneway: false });
    raw.send({ method: method("Test01"), parameters: { client_id } });
    expect(await raw.next()).toMatchObject({ parameters: { product: "org.varlink.certification" } });
    expect(await raw.next()).toStrictEqual({
      error: "org.varlink.service.InvalidParameter",
      parameters: { parameter: "unknown" },
    });
    expect(await raw.next()).toMatchObject({
      parameters: { got: { method: method("Test01"), parameters: { client_id }, oneway: false } },
    });
    expect(await raw.next()).toStrictEqual({ parameters: { bool: true } });
  });
});

describe("client ids", () => {
  it("are forgotten oldest first beyond --max-clients", async () => {
    const dir = await sandbox.tempDir();
    const { address } = await startServer(sandbox, CERTIFICATION, [`--varlink=unix:${join(dir, "small.sock")}`, "--max-clients=2"]);
    const client = await connect(address);
    const first = await client.start();
    const second = await client.start();
    const third = await client.start();
    expect(await refusal(client.test01(first))).toBeInstanceOf(ClientIdError);
    expect(await client.test01(second)).toStrictEqual({ bool: true });
    expect(await client.test01(third)).toStrictEqual({ bool: true });
  });

  it("expire a minute after Start", () => {
    let now = 1_000_000;
    const sessions = new Sessions({ ...DEFAULT_LIMITS, now: () => now });
    const session = sessions.start();
    now += DEFAULT_LIMITS.lifetime - 1;
    expect(sessions.get(session.id)).toBe(session);
    now += 1;
    expect(sessions.get(session.id)).toBeUndefined();
    expect(DEFAULT_LIMITS.lifetime).toBe(60_000);
  });
});
