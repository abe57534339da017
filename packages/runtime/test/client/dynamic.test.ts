import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  getInfo,
  InterfaceNotFoundError,
  InvalidParameterError,
  MethodNotFoundError,
  openInterface,
  ProtocolError,
} from "@varlink-ts/runtime";
import type { DynamicInterface } from "@varlink-ts/runtime";
import { collect, connectPeer, rejection } from "./harness.js";
import type { Peer } from "./harness.js";

const moreSource = await readFile(
  new URL("../../../../fixtures/interop/org.example.more.varlink", import.meta.url),
  "utf8",
);

/** Opens org.example.more through the scripted server, which answers with the fixture's text. */
async function openMore(): Promise<Peer & { iface: DynamicInterface }> {
  const peer = await connectPeer();
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
    expect(iface.definition.name).toBe("org.example.more");
    expect(Object.keys(iface.methods)).toEqual(["Ping", "TestMore", "StopServing"]);
    expect(iface.methods.Ping?.member.output.fields.map((field) => field.name)).toEqual(["pong"]);
  });

  it("calls methods plainly, with more and with oneway", async () => {
    const { iface, connection } = await openMore();
    const pong = iface.methods.Ping?.({ ping: "hi" });
    const states = iface.methods.TestMore?.more({ n: 2 });
    const stop = iface.methods.StopServing?.oneway();
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
    const wrongType = await rejection(iface.methods.Ping!({ ping: 42 }));
    expect(wrongType).toBeInstanceOf(InvalidParameterError);
    expect((wrongType as InvalidParameterError).parameters).toEqual({ parameter: "ping" });
    const missing = await rejection(iface.methods.Ping!());
    expect((missing as InvalidParameterError).parameters).toEqual({ parameter: "ping" });
    const unknown = await rejection(iface.methods.Ping!({ ping: "x", extra: 1 }));
    expect((unknown as InvalidParameterError).parameters).toEqual({ parameter: "extra" });
    const { error } = await collect(iface.methods.TestMore!.more({ n: 1.5 }));
    expect((error as InvalidParameterError).parameters).toEqual({ parameter: "n" });
    expect(await rejection(iface.methods.StopServing!.oneway({ reason: false }))).toBeInstanceOf(
      InvalidParameterError,
    );
    // Only the call that fits reaches the service.
    const ok = iface.call("Ping", { ping: "ok" });
    expect((await connection.messages(2))[1]).toBe('{"method":"org.example.more.Ping","parameters":{"ping":"ok"}}');
    connection.reply({ parameters: { pong: "ok" } });
    expect(await ok).toEqual({ pong: "ok" });
  });

  it("rejects a method the interface does not have with MethodNotFoundError", async () => {
    const { iface, connection } = await openMore();
    const error = await rejection(iface.call("Nope"));
    expect(error).toBeInstanceOf(MethodNotFoundError);
    expect((error as MethodNotFoundError).parameters).toEqual({ method: "org.example.more.Nope" });
    expect((await collect(iface.callMore("Nope"))).error).toBeInstanceOf(MethodNotFoundError);
    expect(iface.methods.Nope).toBeUndefined();
    expect(connection.received).toHaveLength(1);
  });

  it.each([
    ["InterfaceNotFound", { error: "org.varlink.service.InterfaceNotFound", parameters: { interface: "org.example.nope" } }],
    ["InvalidParameter(interface)", { error: "org.varlink.service.InvalidParameter", parameters: { parameter: "interface" } }],
  ])("rejects an unknown interface answered with %s as InterfaceNotFoundError", async (_name, reply) => {
    const { client, connection } = await connectPeer();
    const opening = openInterface(client, "org.example.nope");
    await connection.messages(1);
    connection.reply(reply);
    const error = await rejection(opening);
    expect(error).toBeInstanceOf(InterfaceNotFoundError);
    expect((error as InterfaceNotFoundError).parameters).toEqual({ interface: "org.example.nope" });
  });

  it("rejects a description of another interface with ProtocolError", async () => {
    const { client, connection } = await connectPeer();
    const opening = openInterface(client, "org.example.other");
    await connection.messages(1);
    connection.reply({ parameters: { description: moreSource } });
    expect(await rejection(opening)).toBeInstanceOf(ProtocolError);
  });
});

describe("getInfo", () => {
  it("returns the service's GetInfo reply", async () => {
    const { client, connection } = await connectPeer();
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
    const { client, connection } = await connectPeer();
    const info = getInfo(client);
    await connection.messages(1);
    connection.reply({ parameters: { vendor: "Acme" } });
    expect(await rejection(info)).toBeInstanceOf(ProtocolError);
  });
});
