/**
 * Compile-time proof that generated types reject misuse: every `@ts-expect-error` line must
 * fail to compile, and everything else must compile. typecheck.test.ts runs tsc on this file
 * under strict settings; an unused `@ts-expect-error` is itself an error, so a generator that
 * produced looser types would fail it.
 */
import type { VarlinkService } from "@varlink-ts/runtime";
import {
  OrgExampleBigint as Big,
  type OrgExampleComplex as Complex,
  OrgExampleDocs as Docs,
  type OrgExampleModes as Modes,
  OrgExampleMore as More,
  OrgVarlinkCertification as Cert,
} from "../../../../fixtures/generated/index.js";

declare const more: More.Client;
declare const modes: Modes.Client;
declare const complex: Complex.Client;
declare const certification: Cert.Client;
declare const big: Big.Client;
declare const service: VarlinkService;
declare const foo: Complex.TypeFoo;
declare const mytype: Cert.MyType;

/** A record typed with an interface, as application code has them: no index signature. */
interface UserRecord {
  userName: string;
  uid: number;
  memberOf?: string[];
}
declare const record: UserRecord;

/** A class that implements every method: what `register` takes. */
class MoreServer implements More.Handlers {
  ping({ ping }: More.PingParameters): More.PingResult {
    return { pong: ping };
  }
  async *testMore({ n }: More.TestMoreParameters): AsyncGenerator<More.TestMoreResult> {
    yield { state: { progress: n } };
  }
  stopServing(): void {}
}

/** Uses that must compile. */
export async function correctUse(): Promise<void> {
  const { pong } = await more.ping({ ping: "x" });
  pong satisfies string;
  for await (const { state } of more.testMore.more({ n: 3 }, { timeout: 1000 })) {
    state.progress satisfies number | null | undefined;
  }
  (await more.ping.oneway({ ping: "x" })) satisfies void;
  const upgraded = await more.ping.upgrade({ ping: "x" });
  upgraded.parameters.pong satisfies string;
  await more.stopServing();
  await more.stopServing({ reason: null });
  await more.stopServing(undefined, { timeout: 5 });
  await complex.foo({ enum: { b: true, c: 1 }, foo, interface: "b" });
  const { mytype } = await certification.test09({ client_id: "id", set: { one: {} } });
  mytype.enum satisfies "one" | "two" | "three";
  // The call modes systemd's markers allow.
  (await modes.get({ name: "a" })).value satisfies string;
  for await (const { value } of modes.get.more({ name: "a" })) value satisfies string;
  await modes.get.upgrade({ name: "a" });
  (await modes.list({})).name satisfies string;
  for await (const { name } of modes.list.more({ prefix: "a" })) name satisfies string;
  await modes.list.oneway();
  for await (const { event } of modes.watch.more()) event satisfies string;
  (await modes.tunnel.upgrade({ protocol: "raw" })).stream.end();
  More.register(service, new MoreServer());
  More.register(service, {
    ping: ({ ping }) => ({ pong: ping }),
    stopServing: () => undefined,
    async *testMore() {
      yield { state: { end: true } };
    },
  });
  service.addInterface(More.descriptor, { ping: ({ ping }) => ({ pong: ping }) });
  const mock = await More.createMock({ ping: ({ ping }) => ({ pong: ping }) });
  const [call] = mock.calls;
  if (call?.method === "testMore") call.parameters.n satisfies number;
  // What the runtime accepts when a value is sent, the types accept too.
  // An optional field given `undefined` is left out, as when it is absent.
  await more.stopServing({ reason: undefined });
  await complex.foo({ enum: { b: true, c: 1 }, foo: { ...foo, type: undefined }, interface: "b" });
  // An `object` field takes any object, one typed with an interface included, and a JSON object.
  await complex.foo({ enum: { b: true, c: 1 }, foo: { ...foo, object: record }, interface: "b" });
  await certification.test10.more({ client_id: "id", mytype: { ...mytype, object: { a: [1] } } });
  // An `any` field takes any JSON value but null, an interface-typed object included.
  await Docs.createMock({ open: ({ path }) => ({ state: { path, extra: record } }) });
  await Docs.createMock({ open: ({ path }) => ({ state: { path, extra: [1, "two", null] } }) });
  // A `[string]()` set takes a Set of strings, a `[string]T` map a Map, arrays readonly arrays.
  await certification.test09({ client_id: "id", set: new Set(["one", "two"]) });
  await certification.test08({ client_id: "id", map: new Map([["foo", "Foo"]]) });
  await certification.test11.oneway({ client_id: "id", last_more_replies: ["a", "b"] as const });
  const sent: Cert.MyType = mytype;
  await certification.test10.more({
    client_id: "id",
    mytype: { ...sent, stringset: new Set(["a"]), dictionary: new Map([["a", "b"]]) },
  });
  // Received values keep their wire form: a set arrives as an object.
  const { set } = await certification.test08({ client_id: "id", map: {} });
  set satisfies Record<string, Record<string, never>>;
  // Handlers, `context.reply()` and mocks send Sets and Maps as well.
  service.addInterface(Cert.descriptor, {
    test08: ({ map }) => ({ set: new Set(Object.keys(map)) }),
    async test09({ set: received }, context) {
      await context.reply({ mytype: { ...mytype, stringset: new Set(Object.keys(received)) } });
      return { mytype: { ...mytype, nullable: undefined, dictionary: new Map() } };
    },
    async *test10() {
      yield { string: "a" };
    },
  });
  await Cert.createMock({ test07: () => ({ map: new Map([["a", "b"]]) }) });
  // Fields the `bigint` option selects are bigints, sent and received; the others numbers.
  const { total, count } = await big.add({ total: 2n ** 64n - 1n, values: [1n, 2n] });
  total satisfies bigint;
  count satisfies number;
  const { limit, usage } = await big.get({ name: "memory" });
  limit.max satisfies bigint;
  limit.hits satisfies number;
  limit.history satisfies bigint[];
  limit.per_user satisfies Record<string, bigint>;
  limit.window?.start satisfies bigint | undefined;
  limit.window?.end satisfies bigint | null | undefined;
  usage.bytes satisfies bigint;
  usage.files satisfies number;
  Big.register(service, {
    add: ({ total: sum, values }) => ({
      total: values.reduce((a, b) => a + b, sum),
      count: values.length,
    }),
    get: () => ({
      limit: { max: 1n, hits: 0, history: [], per_user: new Map([["root", 1n]]) },
      usage: { bytes: 0n, files: 0 },
    }),
  });
  void new Big.Exceeded({ limit: 2n ** 64n - 1n, attempts: 3 });
  throw new More.TestMoreError({ reason: "because" });
}

/** Misuse that must not compile. */
export async function misuse(): Promise<void> {
  // @ts-expect-error a field of the wrong type
  await more.ping({ ping: 1 });
  // @ts-expect-error a required field missing
  await more.ping({});
  // @ts-expect-error parameters left out although a field is required
  await more.ping();
  // @ts-expect-error a field the method does not have
  await more.ping({ ping: "x", pong: "y" });
  // @ts-expect-error a value that is not one of the enum's
  await complex.foo({ enum: { b: true, c: 1 }, foo, interface: "d" });
  // @ts-expect-error a value outside an anonymous enum
  const bar: Complex.ErrorFooParametersBar = "while";
  void bar;
  const result = await more.ping({ ping: "x" });
  // @ts-expect-error a field the result does not have
  void result.pang;
  // @ts-expect-error a nullable field still has a type
  await more.stopServing({ reason: 5 });
  // @ts-expect-error a oneway call resolves to nothing, not a reply
  const nothing: More.PingResult = await more.ping.oneway({ ping: "x" });
  void nothing;
  // @ts-expect-error a more call gives an async iterable, not a reply
  void (await more.testMore.more({ n: 1 })).state;
  // @ts-expect-error flags are no longer options: the call mode is a member
  await more.testMore({ n: 1 }, { more: true });
  // @ts-expect-error a map's values have the declared type
  await certification.test08({ client_id: "id", map: { a: 1 } });
  // @ts-expect-error a string set's values are empty objects
  await certification.test09({ client_id: "id", set: { one: true } });
  // @ts-expect-error [Requires 'more' flag]: no plain call
  await modes.watch();
  // @ts-expect-error [Requires 'more' flag]: no oneway call
  await modes.watch.oneway();
  // @ts-expect-error [Requires 'upgrade' flag]: no plain call
  await modes.tunnel({ protocol: "raw" });
  // @ts-expect-error [Requires 'upgrade' flag]: no more call
  modes.tunnel.more({ protocol: "raw" });
  // @ts-expect-error [Supports 'more' flag]: no upgrade call
  await modes.list.upgrade({});
  More.register(service, {
    // @ts-expect-error a handler must return the method's result
    ping: () => ({ pang: "x" }),
    stopServing: () => undefined,
    testMore: () => ({ state: {} }),
  });
  // @ts-expect-error register requires every method
  More.register(service, { ping: ({ ping }) => ({ pong: ping }) });
  // @ts-expect-error a misspelled handler in a class: `ping` is missing
  class Misspelled implements More.Handlers {
    pnig({ ping }: More.PingParameters): More.PingResult {
      return { pong: ping };
    }
    testMore(): More.TestMoreResult {
      return { state: {} };
    }
    stopServing(): void {}
  }
  void Misspelled;
  // @ts-expect-error a mock's handler keys are the methods' names
  await More.createMock({ pnig: () => ({ pong: "x" }) });
  // @ts-expect-error a required field cannot be given `undefined`
  await more.ping({ ping: undefined });
  // @ts-expect-error `any` excludes null (UAPI.20): only `?any` takes it
  await Docs.createMock({ open: ({ path }) => ({ state: { path, extra: null } }) });
  // @ts-expect-error a string set takes a Set of strings, not of numbers
  await certification.test09({ client_id: "id", set: new Set([1, 2]) });
  // @ts-expect-error a map takes a Map of its value type
  await certification.test08({ client_id: "id", map: new Map([["a", 1]]) });
  // @ts-expect-error a map of strings is not a set: no Set
  await certification.test08({ client_id: "id", map: new Set(["a"]) });
  // @ts-expect-error an `object` field takes a JSON object, not an array
  await complex.foo({ enum: { b: true, c: 1 }, foo: { ...foo, object: [] }, interface: "b" });
  // @ts-expect-error nor a Map
  await complex.foo({ enum: { b: true, c: 1 }, foo: { ...foo, object: new Map() }, interface: "b" });
  // @ts-expect-error nor null
  await complex.foo({ enum: { b: true, c: 1 }, foo: { ...foo, object: null }, interface: "b" });
  // @ts-expect-error a handler's reply sends a Set only for a set
  await Cert.createMock({ test07: () => ({ map: new Set(["a"]) }) });
  const received = await certification.test08({ client_id: "id", map: {} });
  // @ts-expect-error a received set is an object, as it arrives, not a Set
  void received.set.has("a");
  // @ts-expect-error a bigint field takes a bigint, not a number
  await big.add({ total: 10, values: [] });
  // @ts-expect-error in an array too
  await big.add({ total: 10n, values: [10] });
  // @ts-expect-error in a map too
  const perUser: Big.Limit["per_user"] = { root: 10 };
  void perUser;
  // @ts-expect-error an int field the option does not select is a number, not a bigint
  void new Big.Exceeded({ limit: 10n, attempts: 10n });
  // @ts-expect-error nor is a field of the same struct
  const hits: Big.Limit["hits"] = 10n;
  void hits;
  // @ts-expect-error an error class takes its declared parameters
  throw new More.TestMoreError({ reason: 1 });
}
