import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConnectionError, connect, ProtocolError } from "@varlink-ts/runtime";
import { RawServer, rejection, useSandbox } from "@varlink-ts/test-kit";

const sandbox = useSandbox();

function rawServer(): Promise<RawServer> {
  return RawServer.start(sandbox);
}

describe("connect", () => {
  it("connects to a unix address and calls over it", async () => {
    const server = await rawServer();
    const client = await connect(`unix:${server.path}`);
    sandbox.track(client);
    const connection = await server.accept();
    const reply = client.call("org.example.ping.Ping", { ping: "x" });
    expect(await connection.messages(1)).toEqual(['{"method":"org.example.ping.Ping","parameters":{"ping":"x"}}']);
    connection.reply({ parameters: { pong: "x" } });
    expect(await reply).toEqual({ pong: "x" });
  });

  it("accepts a parsed address", async () => {
    const server = await rawServer();
    const client = await connect({ kind: "unix", path: server.path });
    sandbox.track(client);
    const connection = await server.accept();
    const reply = client.call("org.example.ping.Ping");
    await connection.messages(1);
    connection.reply({ parameters: {} });
    expect(await reply).toEqual({});
  });

  it("applies maxMessageSize to the connection", async () => {
    const server = await rawServer();
    const client = await connect(`unix:${server.path}`, { maxMessageSize: 64 });
    sandbox.track(client);
    const connection = await server.accept();
    const reply = client.call("org.example.ping.Ping");
    await connection.messages(1);
    connection.reply({ parameters: { long: "z".repeat(100) } });
    expect(await rejection(reply)).toBeInstanceOf(ProtocolError);
  });

  it("rejects with not-found when no socket exists", async () => {
    const server = await rawServer();
    const error = await rejection(connect(`unix:${path.join(server.dir, "missing.sock")}`));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: "not-found" });
  });

  it("rejects with aborted for an aborted signal", async () => {
    const server = await rawServer();
    const error = await rejection(connect(`unix:${server.path}`, { signal: AbortSignal.abort() }));
    expect(error).toMatchObject({ code: "aborted" });
  });

  it("rejects a malformed address", async () => {
    await expect(connect("nonsense")).rejects.toThrow();
  });
});
