import { describe, expect, it } from "vitest";
import { ConnectionError } from "@varlink-ts/runtime";
import { collect, connectPeer, rejection, useSandbox } from "@varlink-ts/test-kit";

const sandbox = useSandbox();

describe("abort and timeout", () => {
  it("rejects the aborted call with aborted, the others with cancelled, and closes", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const controller = new AbortController();
    const before = client.call("org.example.A.Before");
    const aborted = client.call("org.example.A.Slow", {}, { signal: controller.signal });
    const after = client.callMore("org.example.A.After");
    await connection.messages(3);
    const reason = new Error("user gave up");
    controller.abort(reason);
    const error = await rejection(aborted);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: "aborted" });
    expect(error.cause).toBe(reason);
    for (const other of [await rejection(before), (await collect(after)).error]) {
      expect(other).toBeInstanceOf(ConnectionError);
      expect(other).toMatchObject({ code: "cancelled" });
      expect((other as Error).cause).toBe(error);
    }
    await connection.closedByPeer();
    expect(await rejection(client.call("org.example.A.Later"))).toMatchObject({ code: "cancelled" });
  });

  it("rejects a call that times out with timeout, naming the timeout, and cancels the others", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const other = client.call("org.example.A.Other");
    const slow = client.call("org.example.A.Slow", {}, { timeout: 30 });
    await connection.messages(2);
    const error = await rejection(slow);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: "timeout" });
    expect(error.message).toContain("30 ms");
    const cancelled = await rejection(other);
    expect(cancelled).toMatchObject({ code: "cancelled" });
    expect(cancelled.cause).toBe(error);
    await connection.closedByPeer();
  });

  it("applies a timeout to the whole of a more call", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const replies = client.callMore("org.example.A.Stream", {}, { timeout: 30 });
    await connection.messages(1);
    connection.reply({ parameters: { i: 1 }, continues: true });
    const { values, error } = await collect(replies);
    expect(values).toEqual([{ i: 1 }]);
    expect(error).toMatchObject({ code: "timeout" });
  });

  it("leaves the connection alone when the reply beats the timeout or the signal", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const controller = new AbortController();
    const quick = client.call("org.example.A.Quick", {}, { timeout: 60_000, signal: controller.signal });
    await connection.messages(1);
    connection.reply({ parameters: { quick: true } });
    expect(await quick).toEqual({ quick: true });
    controller.abort();
    const next = client.call("org.example.A.Next");
    await connection.messages(2);
    connection.reply({ parameters: { next: true } });
    expect(await next).toEqual({ next: true });
    expect(client.closed).toBe(false);
  });

  it("rejects an already aborted call without writing it and keeps the connection", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const signal = AbortSignal.abort(new Error("too late"));
    const error = await rejection(client.call("org.example.A.Never", {}, { signal }));
    expect(error).toMatchObject({ code: "aborted" });
    expect((await collect(client.callMore("org.example.A.Never", {}, { signal }))).error).toMatchObject({
      code: "aborted",
    });
    expect(await rejection(client.callOneway("org.example.A.Never", {}, { signal }))).toMatchObject({
      code: "aborted",
    });
    const sent = client.call("org.example.A.Sent");
    expect(await connection.messages(1)).toEqual(['{"method":"org.example.A.Sent","parameters":{}}']);
    connection.reply({ parameters: {} });
    expect(await sent).toEqual({});
  });

  it("rejects a negative or non-numeric timeout with RangeError", async () => {
    const { client } = await connectPeer(sandbox);
    expect(await rejection(client.call("org.example.A.B", {}, { timeout: -1 }))).toBeInstanceOf(RangeError);
    expect(await rejection(client.call("org.example.A.B", {}, { timeout: Number.NaN }))).toBeInstanceOf(
      RangeError,
    );
    expect(client.closed).toBe(false);
  });
});
