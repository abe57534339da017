import { describe, expect, it } from "vitest";
import {
  PermissionDeniedError,
  createClient,
  defineInterface,
  method,
  ValueError,
  VarlinkError,
} from "@varlink-ts/runtime";
import { collect, connectPeer, rejection, STANDARD_ERROR_REPLIES, useSandbox } from "@varlink-ts/test-kit";

const sandbox = useSandbox();

describe("calls on the wire", () => {
  it("sends a call and resolves with its reply's parameters", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const reply = client.call("org.example.ping.Ping", { ping: "hello" });
    expect(await connection.messages(1)).toEqual([
      '{"method":"org.example.ping.Ping","parameters":{"ping":"hello"}}',
    ]);
    connection.reply({ parameters: { pong: "hello" } });
    expect(await reply).toEqual({ pong: "hello" });
  });

  it("sends absent and null parameters as {} and sends only flags that are true", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const plain = client.call("org.example.A.Plain");
    const nulled = client.call("org.example.A.Nulled", null as unknown as object);
    const more = client.callMore("org.example.A.More");
    const oneway = client.callOneway("org.example.A.Oneway", { x: 1 });
    const upgrade = client.callUpgrade("org.example.A.Upgrade");
    expect(await connection.messages(5)).toEqual([
      '{"method":"org.example.A.Plain","parameters":{}}',
      '{"method":"org.example.A.Nulled","parameters":{}}',
      '{"method":"org.example.A.More","parameters":{},"more":true}',
      '{"method":"org.example.A.Oneway","parameters":{"x":1},"oneway":true}',
      '{"method":"org.example.A.Upgrade","parameters":{},"upgrade":true}',
    ]);
    await oneway;
    connection.reply({ parameters: { n: 1 } });
    connection.reply({});
    connection.reply({ parameters: { m: 1 } });
    connection.reply({ error: "org.example.A.NoUpgrade" });
    expect(await plain).toEqual({ n: 1 });
    expect(await nulled).toEqual({});
    expect((await collect(more)).values).toEqual([{ m: 1 }]);
    expect(await rejection(upgrade)).toMatchObject({ error: "org.example.A.NoUpgrade" });
  });

  it("pipelines calls: all are written before any reply, and replies are matched in order", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const first = client.call("org.example.A.Echo", { n: 1 });
    const second = client.call("org.example.A.Echo", { n: 2 });
    const third = client.call("org.example.A.Echo", { n: 3 });
    // The server answers only once it holds all three calls.
    const calls = await connection.messages(3);
    expect(calls.map((text) => (JSON.parse(text) as { parameters: unknown }).parameters)).toEqual([
      { n: 1 },
      { n: 2 },
      { n: 3 },
    ]);
    connection.send('{"parameters":{"r":1}}\0{"parameters":{"r":2}}\0{"parameters":{"r":3}}\0');
    expect(await Promise.all([first, second, third])).toEqual([{ r: 1 }, { r: 2 }, { r: 3 }]);
  });

  it("gives oneway calls no place among the replies", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const first = client.call("org.example.A.First");
    const quiet = client.callOneway("org.example.A.Quiet");
    const stream = client.callMore("org.example.A.Stream");
    const last = client.call("org.example.A.Last");
    await connection.messages(4);
    await quiet;
    connection.reply({ parameters: { who: "first" } });
    connection.reply({ parameters: { who: "stream", i: 1 }, continues: true });
    connection.reply({ parameters: { who: "stream", i: 2 } });
    connection.reply({ parameters: { who: "last" } });
    expect(await first).toEqual({ who: "first" });
    expect(await last).toEqual({ who: "last" });
    expect((await collect(stream)).values).toEqual([
      { who: "stream", i: 1 },
      { who: "stream", i: 2 },
    ]);
  });

  it("matches a thousand pipelined calls to their replies", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const calls = Array.from({ length: 1000 }, (_, n) => client.call("org.example.A.Echo", { n }));
    const received = await connection.messages(1000);
    connection.send(
      received
        .map((text) => `{"parameters":${JSON.stringify((JSON.parse(text) as { parameters: unknown }).parameters)}}\0`)
        .join(""),
    );
    const replies = await Promise.all(calls);
    expect(replies.every((reply, n) => reply.n === n)).toBe(true);
  });

  it("rejects a method that is not fully qualified or parameters that are not an object, writing nothing", async () => {
    const { client, connection } = await connectPeer(sandbox);
    expect(await rejection(client.call("Ping"))).toBeInstanceOf(TypeError);
    expect(await rejection(client.call("org.example.ping.", {}))).toBeInstanceOf(TypeError);
    expect(await rejection(client.call("org.example.A.B", [1] as unknown as object))).toBeInstanceOf(
      TypeError,
    );
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(await rejection(client.call("org.example.A.B", cyclic))).toBeInstanceOf(ValueError);
    expect(await rejection(client.call("org.example.A.B", { n: [undefined] }))).toBeInstanceOf(ValueError);
    const ok = client.call("org.example.A.Ok");
    expect(await connection.messages(1)).toEqual(['{"method":"org.example.A.Ok","parameters":{}}']);
    connection.reply({ parameters: {} });
    expect(await ok).toEqual({});
  });
});

describe("error replies", () => {
  const standard = STANDARD_ERROR_REPLIES;

  it.each(standard)("rejects %s with its standard class", async (name, parameters, errorClass) => {
    const { client, connection } = await connectPeer(sandbox);
    const reply = client.call("org.example.A.Fails");
    await connection.messages(1);
    connection.reply({ error: name, parameters });
    const error = await rejection(reply);
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ error: name, parameters });
  });

  class OutOfCheese extends VarlinkError<{ kind: string }> {
    static readonly varlinkName = "org.example.cheese.OutOfCheese";
    constructor(parameters: { kind: string }, options?: ErrorOptions) {
      super(OutOfCheese.varlinkName, parameters, options);
    }
  }

  const cheese = defineInterface({
    name: "org.example.cheese",
    description: [
      "interface org.example.cheese",
      "method Get() -> (kind: string)",
      "error OutOfCheese (kind: string)",
      "",
    ].join("\n"),
    methods: { get: method<{}, { kind: string }>("Get") },
    errors: [OutOfCheese],
  });

  it("rejects a raw call with a plain VarlinkError for any name but the standard ones", async () => {
    const { client, connection } = await connectPeer(sandbox);
    // A typed client declaring OutOfCheese exists on this very connection: that must not change
    // how the connection's own calls map errors (there is no global registry).
    createClient(cheese, client);
    const declared = client.call("org.example.cheese.Get");
    const unknown = client.call("org.example.cheese.Get");
    await connection.messages(2);
    connection.reply({ error: "org.example.cheese.OutOfCheese", parameters: { kind: "brie" } });
    connection.reply({ error: "org.example.cheese.Unheard" });
    const error = await rejection(declared);
    expect(error).not.toBeInstanceOf(OutOfCheese);
    expect(error.constructor).toBe(VarlinkError);
    expect(error).toMatchObject({ error: "org.example.cheese.OutOfCheese", parameters: { kind: "brie" } });
    // The class still recognizes it by its varlink name.
    expect(OutOfCheese.is(error)).toBe(true);
    expect(OutOfCheese.is(new VarlinkError("org.example.cheese.Unheard", {}))).toBe(false);
    const other = await rejection(unknown);
    expect(other.constructor).toBe(VarlinkError);
    expect(other).toMatchObject({ error: "org.example.cheese.Unheard", parameters: {} });
    expect(OutOfCheese.is(other)).toBe(false);
  });

  it("rejects a typed client's call with the error classes its interface declares", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const typed = createClient(cheese, client);
    const declared = typed.get();
    const standardError = typed.get();
    const unknown = typed.get();
    const fine = typed.get();
    expect(await connection.messages(4)).toEqual(
      Array(4).fill('{"method":"org.example.cheese.Get","parameters":{}}'),
    );
    connection.reply({ error: "org.example.cheese.OutOfCheese", parameters: { kind: "brie" } });
    connection.reply({ error: "org.varlink.service.PermissionDenied", parameters: {} });
    connection.reply({ error: "org.example.cheese.Unheard" });
    connection.reply({ parameters: { kind: "gouda" } });
    const error = await rejection(declared);
    expect(error).toBeInstanceOf(OutOfCheese);
    expect(error.constructor).toBe(OutOfCheese);
    expect(error.name).toBe("OutOfCheese");
    expect((error as OutOfCheese).parameters).toEqual({ kind: "brie" });
    expect(OutOfCheese.is(error)).toBe(true);
    // The standard errors are mapped too, and other names stay plain.
    expect(await rejection(standardError)).toBeInstanceOf(PermissionDeniedError);
    const other = await rejection(unknown);
    expect(other.constructor).toBe(VarlinkError);
    expect(other).toMatchObject({ error: "org.example.cheese.Unheard", parameters: {} });
    expect(await fine).toEqual({ kind: "gouda" });
  });

  it("maps declared errors in a typed client's streams and upgrades as well", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const typed = createClient(cheese, client);
    const stream = typed.get.more();
    await connection.messages(1);
    connection.reply({ parameters: { kind: "feta" }, continues: true });
    connection.reply({ error: "org.example.cheese.OutOfCheese", parameters: { kind: "feta" } });
    const { values, error } = await collect(stream);
    expect(values).toEqual([{ kind: "feta" }]);
    expect(error).toBeInstanceOf(OutOfCheese);
    const upgrade = typed.get.upgrade();
    await connection.messages(2);
    connection.reply({ error: "org.example.cheese.OutOfCheese", parameters: { kind: "none" } });
    expect(await rejection(upgrade)).toBeInstanceOf(OutOfCheese);
  });

  it("keeps the connection usable after an error reply", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const failing = client.call("org.example.A.Fails");
    const next = client.call("org.example.A.Works");
    await connection.messages(2);
    connection.reply({ error: "org.varlink.service.PermissionDenied", parameters: {} });
    connection.reply({ parameters: { ok: true } });
    expect(await rejection(failing)).toBeInstanceOf(PermissionDeniedError);
    expect(await next).toEqual({ ok: true });
    const after = client.call("org.example.A.After");
    await connection.messages(3);
    connection.reply({ parameters: { after: true } });
    expect(await after).toEqual({ after: true });
    expect(client.closed).toBe(false);
  });
});
