import { describe, expect, it } from "vitest";
import net from "node:net";
import path from "node:path";
import { Duplex } from "node:stream";
import { ConnectionError, ProtocolError, Connection } from "@varlink-ts/runtime";
import { collect, connectPeer, rejection, useSandbox } from "@varlink-ts/test-kit";

const sandbox = useSandbox();

describe("the connection ending", () => {
  it("rejects every pending call with closed when the service dies mid-call", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const first = client.call("org.example.A.One");
    const second = client.call("org.example.A.Two");
    const stream = client.callMore("org.example.A.Three");
    await connection.messages(3);
    connection.socket.destroy();
    for (const error of [await rejection(first), await rejection(second), (await collect(stream)).error]) {
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ code: "closed" });
    }
    expect(client.closed).toBe(true);
    expect(await rejection(client.call("org.example.A.After"))).toMatchObject({ code: "closed" });
  });

  it("rejects pending calls when the service half-closes after a partial reply", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const pending = client.call("org.example.A.One");
    await connection.messages(1);
    connection.send('{"parameters":{"half":');
    connection.socket.end();
    expect(await rejection(pending)).toMatchObject({ code: "closed" });
  });

  it("close() rejects pending calls with cancelled, closes the socket, and rejects later calls", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const pending = client.call("org.example.A.One");
    const stream = client.callMore("org.example.A.Two");
    await connection.messages(2);
    client.close();
    expect(await rejection(pending)).toMatchObject({ code: "cancelled" });
    expect((await collect(stream)).error).toMatchObject({ code: "cancelled" });
    await connection.closedByPeer();
    const later = await rejection(client.callOneway("org.example.A.Three"));
    expect(later).toBeInstanceOf(ConnectionError);
    expect(later).toMatchObject({ code: "cancelled" });
    client.close();
  });

  it("resolves a oneway call once written, and rejects one still unwritten when closed", async () => {
    const { client, connection } = await connectPeer(sandbox);
    await client.callOneway("org.example.A.Note", { n: 1 });
    expect(await connection.messages(1)).toEqual([
      '{"method":"org.example.A.Note","parameters":{"n":1},"oneway":true}',
    ]);
    const unwritten = client.callOneway("org.example.A.Note", { n: 2 });
    client.close();
    expect(await rejection(unwritten)).toMatchObject({ code: "cancelled" });
  });

  it("closes with Symbol.asyncDispose, as `await using` does", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const dispose = (client as unknown as Record<symbol, () => Promise<void>>)[Symbol.asyncDispose];
    expect(typeof dispose).toBe("function");
    await dispose?.call(client);
    expect(client.closed).toBe(true);
    await connection.closedByPeer();
  });

  it("reports a stream error as an io ConnectionError with the cause", async () => {
    const stream = new Duplex({ read() {}, write(_chunk, _encoding, callback) { callback(); } });
    const client = Connection.fromStream(stream);
    const pending = client.call("org.example.A.One");
    const failure = new Error("disk on fire");
    stream.destroy(failure);
    const error = await rejection(pending);
    expect(error).toMatchObject({ code: "io" });
    expect(error.cause).toBe(failure);
  });

  it("rejects calls on a socket that fails to connect with the failure's code", async () => {
    const { server } = await connectPeer(sandbox);
    const socket = net.connect(path.join(server.dir, "missing.sock"));
    const client = Connection.fromStream(socket);
    const error = await rejection(client.call("org.example.A.One"));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: "not-found" });
  });

  it("rejects calls at once on a stream that has already ended", async () => {
    const stream = new Duplex({ read() {}, write(_chunk, _encoding, callback) { callback(); } });
    stream.destroy();
    const client = Connection.fromStream(stream);
    expect(await rejection(client.call("org.example.A.One"))).toMatchObject({ code: "closed" });
  });
});

describe("a service that breaks the protocol", () => {
  const garbage: Array<[string, string | Buffer, RegExp]> = [
    ["invalid JSON", "{not json}\0", /not valid JSON/],
    ["JSON that is not an object", "[1,2,3]\0", /not a JSON object/],
    ["a bare string", '"hello"\0', /not a JSON object/],
    ["invalid UTF-8", Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x00]), /UTF-8/],
    ["parameters that are not an object", '{"parameters":[1]}\0', /parameters/],
    ["an error name that is not a string", '{"error":42}\0', /error/],
  ];

  it.each(garbage)("rejects pending calls with ProtocolError on %s and closes", async (_name, bytes, message) => {
    const { client, connection } = await connectPeer(sandbox);
    const first = client.call("org.example.A.One");
    const second = client.call("org.example.A.Two");
    await connection.messages(2);
    connection.send(bytes);
    const error = await rejection(first);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.message).toMatch(message);
    expect(await rejection(second)).toBeInstanceOf(ProtocolError);
    await connection.closedByPeer();
    const later = await rejection(client.call("org.example.A.Three"));
    expect(later).toBeInstanceOf(ConnectionError);
    expect(later.cause).toBe(error);
  });

  it("closes the connection on a reply that no call asked for", async () => {
    const { client, connection } = await connectPeer(sandbox);
    connection.reply({ parameters: { surprise: true } });
    await connection.closedByPeer();
    expect(client.closed).toBe(true);
    const later = await rejection(client.call("org.example.A.One"));
    expect(later.cause).toBeInstanceOf(ProtocolError);
    expect((later.cause as Error).message).toMatch(/no call was pending/);
  });

  it("closes on a second reply to a plain call", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const one = client.call("org.example.A.One");
    await connection.messages(1);
    connection.send('{"parameters":{"n":1}}\0{"parameters":{"n":2}}\0');
    expect(await one).toEqual({ n: 1 });
    await connection.closedByPeer();
    expect(client.closed).toBe(true);
  });

  it("rejects a reply larger than maxMessageSize before its end arrives", async () => {
    const { client, connection } = await connectPeer(sandbox, { maxMessageSize: 1024 });
    const pending = client.call("org.example.A.Big");
    await connection.messages(1);
    connection.send(`{"parameters":{"blob":"${"x".repeat(2000)}`);
    const error = await rejection(pending);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.message).toMatch(/1024/);
    await connection.closedByPeer();
  });

  it("rejects a reply over the default 16 MiB limit", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const pending = client.call("org.example.A.Big");
    await connection.messages(1);
    connection.send(Buffer.alloc(16 * 1024 * 1024 + 1, 0x20));
    const error = await rejection(pending);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.message).toMatch(/16777216/);
  });

  it("accepts a reply of nearly 16 MiB", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const pending = client.call<{ blob: string }>("org.example.A.Big");
    await connection.messages(1);
    const blob = "y".repeat(16 * 1024 * 1024 - 64);
    connection.send(`{"parameters":{"blob":"${blob}"}}\0`);
    expect((await pending).blob.length).toBe(blob.length);
  });
});
