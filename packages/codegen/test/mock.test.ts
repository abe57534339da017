/**
 * The generated mocks: a real service behind a connected client, every call recorded with its
 * flags, unimplemented methods answered with MethodNotImplemented, in memory or on a socket.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Connection, MethodNotImplementedError } from "@varlink-ts/runtime";
import {
  OrgExampleComplex as Complex,
  OrgExampleMore as More,
  OrgVarlinkCertification as Cert,
} from "../../../fixtures/generated/index.js";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe("generated createMock", () => {
  it("records plain, more and oneway calls of org.example.more with their flags", async () => {
    const mock = await More.createMock({
      ping: ({ ping }) => ({ pong: ping.toUpperCase() }),
      async *testMore({ n }) {
        for (let progress = 0; progress <= n; progress++) yield { state: { progress } };
      },
    });
    closers.push(() => mock.close());

    expect(await mock.client.ping({ ping: "hi" })).toEqual({ pong: "HI" });
    const progress: Array<number | null | undefined> = [];
    for await (const { state } of mock.client.testMore.more({ n: 2 }))
      progress.push(state.progress);
    expect(progress).toEqual([0, 1, 2]);
    await mock.client.ping.oneway({ ping: "quiet" });
    await mock.client.ping({ ping: "last" });

    expect(mock.calls).toEqual([
      { method: "ping", parameters: { ping: "hi" }, more: false, oneway: false, upgrade: false },
      { method: "testMore", parameters: { n: 2 }, more: true, oneway: false, upgrade: false },
      { method: "ping", parameters: { ping: "quiet" }, more: false, oneway: true, upgrade: false },
      { method: "ping", parameters: { ping: "last" }, more: false, oneway: false, upgrade: false },
    ]);
  });

  it("answers and records a call to a method without a handler", async () => {
    const mock = await More.createMock({});
    closers.push(() => mock.close());
    const failure = await mock.client
      .stopServing({ reason: "done" })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MethodNotImplementedError);
    expect(mock.calls).toEqual([
      {
        method: "stopServing",
        parameters: { reason: "done" },
        more: false,
        oneway: false,
        upgrade: false,
      },
    ]);
  });

  it("passes errors thrown by handlers to the client as their generated class", async () => {
    const mock = await Complex.createMock({
      foo() {
        throw new Complex.ErrorBar();
      },
    });
    closers.push(() => mock.close());
    const failure = await mock.client
      .foo({
        enum: { b: true, c: 1 },
        foo: {
          bool: true,
          int: 1,
          float: 1,
          string: "",
          anon: { foo: true, bar: 1, baz: [] },
          object: {},
          stringset: {},
        },
        interface: "b",
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Complex.ErrorBar);
    expect(mock.calls.map((call) => call.method)).toEqual(["foo"]);
  });

  it("calls handlers of a class instance with this set to the instance", async () => {
    // The mock takes a partial implementation, so the class implements only part of Handlers.
    class Counter implements Partial<More.Handlers> {
      private count = 0;
      ping({ ping }: More.PingParameters): More.PingResult {
        this.count += 1;
        return { pong: `${ping} #${this.count}` };
      }
    }
    const mock = await More.createMock(new Counter());
    closers.push(() => mock.close());
    await mock.client.ping({ ping: "a" });
    expect(await mock.client.ping({ ping: "b" })).toEqual({ pong: "b #2" });
  });

  it("listens on a unix socket when given an address, reachable by other clients", async () => {
    const dir = await mkdtemp(join(tmpdir(), "varlink-mock-"));
    closers.push(() => rm(dir, { recursive: true, force: true }));
    const address = `unix:${join(dir, "mock.sock")}`;
    const mock = await Cert.createMock({ start: () => ({ client_id: "mocked" }) }, { address });
    closers.push(() => mock.close());

    const other = await Cert.connect(address);
    closers.push(async () => other.close());
    expect(await other.start()).toEqual({ client_id: "mocked" });
    expect(await mock.client.start()).toEqual({ client_id: "mocked" });
    expect(mock.calls.map((call) => call.method)).toEqual(["start", "start"]);
  });

  it("serves GetInterfaceDescription with the exact IDL", async () => {
    const mock = await More.createMock();
    closers.push(() => mock.close());
    const reply = await mock.client.connection.call<{ description: string }>(
      "org.varlink.service.GetInterfaceDescription",
      { interface: "org.example.more" },
    );
    expect(reply.description).toBe(More.interfaceDescription);
    expect(mock.client.connection).toBeInstanceOf(Connection);
  });
});

describe("generated createMock: recorded calls narrow by method", () => {
  it("types each recorded call's parameters by its method", async () => {
    const mock = await More.createMock({ ping: ({ ping }) => ({ pong: ping }) });
    closers.push(() => mock.close());
    await mock.client.ping({ ping: "typed" });
    const [call] = mock.calls;
    // A compile-time proof as much as a run-time one: `method` narrows `parameters`.
    const ping = call?.method === "ping" ? call.parameters.ping : undefined;
    expect(ping).toBe("typed");
  });

  it("refuses a handler key that is not a method of the interface", async () => {
    await expect(
      More.createMock({ pong: () => ({ pong: "" }) } as Partial<More.Handlers>),
    ).rejects.toThrow(TypeError);
  });
});
