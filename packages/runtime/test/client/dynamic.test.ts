import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  getInfo,
  InterfaceNotFoundError,
  InvalidParameterError,
  openInterface,
  ProtocolError,
} from "@varlink-ts/runtime";
import type { DynamicClient } from "@varlink-ts/runtime";
import { collect, connectPeer, type Peer, rejection, useSandbox } from "@varlink-ts/test-kit";

const sandbox = useSandbox();

const moreSource = await readFile(
  new URL("../../../../fixtures/interop/org.example.more.varlink", import.meta.url),
  "utf8",
);

/** Opens org.example.more through the scripted server, which answers with the fixture's text. */
async function openMore(): Promise<Peer & { iface: DynamicClient }> {
  const peer = await connectPeer(sandbox);
  const opening = openInterface(peer.client, "org.example.more");
  expect(await peer.connection.messages(1)).toEqual([
    '{"method":"org.varlink.service.GetInterfaceDescription","parameters":{"interface":"org.example.more"}}',
  ]);
  peer.connection.reply({ parameters: { description: moreSource } });
  return { ...peer, iface: await opening };
}

describe("openInterface", () => {
  it("learns the interface and offers its methods by their varlink names", async () => {
    const { iface } = await openMore();
    expect(iface.descriptor.definition.name).toBe("org.example.more");
    expect(iface.descriptor.name).toBe("org.example.more");
    expect(Object.keys(iface.descriptor.methods)).toEqual(["Ping", "TestMore", "StopServing"]);
    for (const name of ["Ping", "TestMore", "StopServing"] as const) {
      expect(typeof iface[name]).toBe("function");
      expect(typeof iface[name]?.more).toBe("function");
      expect(typeof iface[name]?.oneway).toBe("function");
      expect(typeof iface[name]?.upgrade).toBe("function");
    }
    expect(
      iface.descriptor.definition.methods.get("Ping")?.output.fields.map((field) => field.name),
    ).toEqual(["pong"]);
  });

  it("calls methods plainly, with more and with oneway", async () => {
    const { iface, connection } = await openMore();
    const pong = iface.Ping?.({ ping: "hi" });
    const states = iface.TestMore?.more({ n: 2 });
    const stop = iface.StopServing?.oneway();
    expect((await connection.messages(4)).slice(1)).toEqual([
      '{"method":"org.example.more.Ping","parameters":{"ping":"hi"}}',
      '{"method":"org.example.more.TestMore","parameters":{"n":2},"more":true}',
      '{"method":"org.example.more.StopServing","parameters":{},"oneway":true}',
    ]);
    connection.reply({ parameters: { pong: "hi" } });
    connection.reply({ parameters: { state: { start: true } }, continues: true });
    connection.reply({ parameters: { state: { end: true } } });
    expect(await pong).toEqual({ pong: "hi" });
    expect((await collect(states!)).values).toEqual([{ state: { start: true } }, { state: { end: true } }]);
    await stop;
  });

  it("rejects parameters that do not fit with InvalidParameterError naming the field, sending nothing", async () => {
    const { iface, connection } = await openMore();
    const wrongType = await rejection(iface.Ping!({ ping: 42 }));
    expect(wrongType).toBeInstanceOf(InvalidParameterError);
    expect((wrongType as InvalidParameterError).parameters).toEqual({ parameter: "ping" });
    const missing = await rejection(iface.Ping!());
    expect((missing as InvalidParameterError).parameters).toEqual({ parameter: "ping" });
    const unknown = await rejection(iface.Ping!({ ping: "x", extra: 1 }));
    expect((unknown as InvalidParameterError).parameters).toEqual({ parameter: "extra" });
    const { error } = await collect(iface.TestMore!.more({ n: 1.5 }));
    expect((error as InvalidParameterError).parameters).toEqual({ parameter: "n" });
    expect(await rejection(iface.StopServing!.oneway({ reason: false }))).toBeInstanceOf(
      InvalidParameterError,
    );
    // Only the call that fits reaches the service.
    const ok = iface.Ping!({ ping: "ok" });
    expect((await connection.messages(2))[1]).toBe('{"method":"org.example.more.Ping","parameters":{"ping":"ok"}}');
    connection.reply({ parameters: { pong: "ok" } });
    expect(await ok).toEqual({ pong: "ok" });
  });

  it("has no member for a method the interface does not have, and sends nothing for it", async () => {
    const { iface, connection } = await openMore();
    expect(iface.Nope).toBeUndefined();
    expect("Nope" in iface).toBe(false);
    expect(iface.Nope?.()).toBeUndefined();
    expect(iface.Nope?.more()).toBeUndefined();
    expect(iface.Nope?.oneway()).toBeUndefined();
    // Nothing reached the service for it: the next message after GetInterfaceDescription is
    // the call that follows.
    const after = iface.Ping!({ ping: "after" });
    expect(await connection.messages(2)).toEqual([
      expect.stringContaining("GetInterfaceDescription"),
      '{"method":"org.example.more.Ping","parameters":{"ping":"after"}}',
    ]);
    connection.reply({ parameters: { pong: "after" } });
    expect(await after).toEqual({ pong: "after" });
  });

  it.each([
    ["InterfaceNotFound", { error: "org.varlink.service.InterfaceNotFound", parameters: { interface: "org.example.nope" } }],
    ["InvalidParameter(interface)", { error: "org.varlink.service.InvalidParameter", parameters: { parameter: "interface" } }],
  ])("rejects an unknown interface answered with %s as InterfaceNotFoundError", async (_name, reply) => {
    const { client, connection } = await connectPeer(sandbox);
    const opening = openInterface(client, "org.example.nope");
    await connection.messages(1);
    connection.reply(reply);
    const error = await rejection(opening);
    expect(error).toBeInstanceOf(InterfaceNotFoundError);
    expect((error as InterfaceNotFoundError).parameters).toEqual({ interface: "org.example.nope" });
  });

  it("rejects a description of another interface with ProtocolError", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const opening = openInterface(client, "org.example.other");
    await connection.messages(1);
    connection.reply({ parameters: { description: moreSource } });
    expect(await rejection(opening)).toBeInstanceOf(ProtocolError);
  });
});

describe("getInfo", () => {
  it("returns the service's GetInfo reply", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const info = getInfo(client);
    expect(await connection.messages(1)).toEqual(['{"method":"org.varlink.service.GetInfo","parameters":{}}']);
    const reply = {
      vendor: "Acme",
      product: "Pinger",
      version: "1.0",
      url: "https://example.org",
      interfaces: ["org.varlink.service", "org.example.more"],
    };
    connection.reply({ parameters: reply });
    expect(await info).toEqual(reply);
  });

  it("rejects a GetInfo reply without the declared fields", async () => {
    const { client, connection } = await connectPeer(sandbox);
    const info = getInfo(client);
    await connection.messages(1);
    connection.reply({ parameters: { vendor: "Acme" } });
    expect(await rejection(info)).toBeInstanceOf(ProtocolError);
  });
});
