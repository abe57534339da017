import { describe, expect, it } from "vitest";
import { ConnectionError, ProtocolError, VarlinkError } from "@varlink-ts/runtime";
import { collect, connectPeer, rejection, useSandbox } from "@varlink-ts/test-kit";

const sandbox = useSandbox();

describe("callMore", () => {
  it("writes the call at once and buffers replies that arrive before iteration", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const replies = client.callMore("org.example.more.TestMore", { n: 3 });
    const marker = client.call("org.example.more.Ping");
    await connection.messages(2);
    connection.reply({ parameters: { i: 1 }, continues: true });
    connection.reply({ parameters: { i: 2 }, continues: true });
    connection.reply({ parameters: { i: 3 } });
    connection.reply({ parameters: { pong: true } });
    // The marker's reply comes last, so every more reply has been received by now.
    expect(await marker).toEqual({ pong: true });
    expect(await collect(replies)).toEqual({
      values: [{ i: 1 }, { i: 2 }, { i: 3 }],
      error: undefined,
    });
  });

  it("yields replies as they arrive and ends after the one without continues", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const iterator = client.callMore("org.example.more.TestMore")[Symbol.asyncIterator]();
    await connection.messages(1);
    const first = iterator.next();
    connection.reply({ parameters: { i: 1 }, continues: true });
    expect(await first).toEqual({ value: { i: 1 }, done: false });
    const second = iterator.next();
    connection.reply({ parameters: { i: 2 }, continues: false });
    expect(await second).toEqual({ value: { i: 2 }, done: false });
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    expect(client.closed).toBe(false);
  });

  it("throws the error reply after the replies before it", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const replies = client.callMore("org.example.more.TestMore");
    await connection.messages(1);
    connection.reply({ parameters: { i: 1 }, continues: true });
    connection.reply({ error: "org.example.more.TestMoreError", parameters: { reason: "tired" } });
    const { values, error } = await collect(replies);
    expect(values).toEqual([{ i: 1 }]);
    expect(error).toBeInstanceOf(VarlinkError);
    expect(error).toMatchObject({ error: "org.example.more.TestMoreError", parameters: { reason: "tired" } });
    expect(client.closed).toBe(false);
  });

  it("closes the connection when the loop is left early, cancelling the other calls", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const replies = client.callMore("org.example.more.TestMore");
    const other = client.call("org.example.more.Ping");
    await connection.messages(2);
    connection.reply({ parameters: { i: 1 }, continues: true });
    const seen: unknown[] = [];
    for await (const reply of replies) {
      seen.push(reply);
      break;
    }
    expect(seen).toEqual([{ i: 1 }]);
    const error = await rejection(other);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: "cancelled" });
    await connection.closedByPeer();
    expect(client.closed).toBe(true);
    expect(await rejection(client.call("org.example.more.Ping"))).toMatchObject({ code: "cancelled" });
  });

  it("does not close the connection when the loop is left after the last reply", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const replies = client.callMore("org.example.more.TestMore");
    const marker = client.call("org.example.more.Ping");
    await connection.messages(2);
    connection.reply({ parameters: { i: 1 }, continues: true });
    connection.reply({ parameters: { i: 2 } });
    connection.reply({ parameters: {} });
    await marker;
    for await (const reply of replies) {
      expect(reply).toEqual({ i: 1 });
      break;
    }
    expect(client.closed).toBe(false);
  });

  it("rejects the iteration at once when the service dies mid-stream", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const replies = client.callMore("org.example.more.TestMore");
    await connection.messages(1);
    connection.reply({ parameters: { i: 1 }, continues: true });
    const iterator = replies[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ value: { i: 1 }, done: false });
    const waiting = iterator.next();
    connection.socket.destroy();
    const error = await rejection(waiting);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: "closed" });
  });

  it("treats continues on a call without more as a protocol error and closes", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const plain = client.call("org.example.more.Ping");
    const behind = client.callMore("org.example.more.TestMore");
    await connection.messages(2);
    connection.reply({ parameters: {}, continues: true });
    const error = await rejection(plain);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.message).toMatch(/continues/);
    expect((await collect(behind)).error).toBeInstanceOf(ProtocolError);
    await connection.closedByPeer();
  });
});
