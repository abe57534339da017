import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectionError, InterfaceNotFoundError, ProtocolError } from "@varlink-ts/runtime";
import { connectInterface, DEFAULT_RESOLVER, resolve } from "@varlink-ts/runtime/transport";
import type { Connection } from "@varlink-ts/runtime";
import { rejection } from "./harness.js";
import { RawServer } from "./raw-server.js";

const servers: RawServer[] = [];
const clients: Connection[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const server of servers.splice(0)) await server.close();
});

async function rawServer(): Promise<RawServer> {
  const server = await RawServer.start();
  servers.push(server);
  return server;
}

describe("resolve", () => {
  it("uses the system resolver's address by default", () => {
    expect(DEFAULT_RESOLVER).toBe("unix:/run/org.varlink.resolver");
  });

  it("asks the resolver and returns the address, closing the resolver connection", async () => {
    const resolver = await rawServer();
    const address = resolve("org.example.more", { resolver: `unix:${resolver.path}` });
    const connection = await resolver.accept();
    expect(await connection.messages(1)).toEqual([
      '{"method":"org.varlink.resolver.Resolve","parameters":{"interface":"org.example.more"}}',
    ]);
    connection.reply({ parameters: { address: "unix:/run/org.example.more" } });
    expect(await address).toBe("unix:/run/org.example.more");
    await connection.closedByPeer();
  });

  it("rejects with InterfaceNotFoundError when the resolver does not know the interface", async () => {
    const resolver = await rawServer();
    const address = resolve("org.example.nope", { resolver: `unix:${resolver.path}` });
    const connection = await resolver.accept();
    await connection.messages(1);
    connection.reply({ error: "org.varlink.resolver.InterfaceNotFound", parameters: { interface: "org.example.nope" } });
    const error = await rejection(address);
    expect(error).toBeInstanceOf(InterfaceNotFoundError);
    expect((error as InterfaceNotFoundError).parameters).toEqual({ interface: "org.example.nope" });
  });

  it("rejects a reply without an address with ProtocolError", async () => {
    const resolver = await rawServer();
    const address = resolve("org.example.more", { resolver: `unix:${resolver.path}` });
    const connection = await resolver.accept();
    await connection.messages(1);
    connection.reply({ parameters: { address: 7 } });
    expect(await rejection(address)).toBeInstanceOf(ProtocolError);
  });

  it("rejects with ConnectionError when no resolver listens", async () => {
    const resolver = await rawServer();
    const error = await rejection(resolve("org.example.more", { resolver: `unix:${path.join(resolver.dir, "none")}` }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: "not-found" });
  });

  it("rejects with timeout, naming it, when the resolver does not answer", async () => {
    const resolver = await rawServer();
    const address = resolve("org.example.more", { resolver: `unix:${resolver.path}`, timeout: 50 });
    const connection = await resolver.accept();
    await connection.messages(1);
    const error = await rejection(address);
    expect(error).toMatchObject({ code: "timeout" });
    expect(error.message).toContain("50 ms");
    await connection.closedByPeer();
  });

  it("rejects with aborted when the signal fires during the lookup", async () => {
    const resolver = await rawServer();
    const controller = new AbortController();
    const address = resolve("org.example.more", { resolver: `unix:${resolver.path}`, signal: controller.signal });
    const connection = await resolver.accept();
    await connection.messages(1);
    controller.abort();
    expect(await rejection(address)).toMatchObject({ code: "aborted" });
  });
});

describe("connectInterface", () => {
  it("resolves the interface and connects to the service found", async () => {
    const resolver = await rawServer();
    const service = await rawServer();
    const connecting = connectInterface("org.example.more", { resolver: `unix:${resolver.path}` });
    const lookup = await resolver.accept();
    await lookup.messages(1);
    lookup.reply({ parameters: { address: `unix:${service.path}` } });
    const client = await connecting;
    clients.push(client);
    const connection = await service.accept();
    const reply = client.call("org.example.more.Ping", { ping: "p" });
    expect(await connection.messages(1)).toEqual(['{"method":"org.example.more.Ping","parameters":{"ping":"p"}}']);
    connection.reply({ parameters: { pong: "p" } });
    expect(await reply).toEqual({ pong: "p" });
  });
});
