/**
 * org.example.more end to end over a unix socket: plain calls, `more` streaming, `oneway`, a
 * declared error rejecting as its generated class, and MethodNotImplemented for a method the
 * server left out.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MethodNotImplementedError } from "@varlink-ts/runtime";
import { OrgExampleMore as More } from "../../../fixtures/generated/index.js";
import { type Served, serveInterfaces, useSandbox } from "@varlink-ts/test-kit";

const sandbox = useSandbox();

describe("org.example.more: generated client against generated server", () => {
  let served: Served;
  let client: More.Client;
  let pings: string[];

  beforeEach(async () => {
    pings = [];
    // A plain object of handlers; StopServing is deliberately not implemented, so the interface
    // is added through its descriptor, which takes a partial set (`register` requires them all).
    served = await serveInterfaces(sandbox, (service) =>
      service.addInterface(More.descriptor, {
        ping({ ping }) {
          pings.push(ping);
          return { pong: ping };
        },
        async *testMore({ n }) {
          if (n < 0) throw new More.TestMoreError({ reason: `n must not be negative, got ${n}` });
          yield { state: { start: true } };
          for (let step = 1; step <= n; step++)
            yield { state: { progress: Math.round((step * 100) / n) } };
          yield { state: { end: true } };
        },
      }),
    );
    client = await More.connect(served.address);
  });

  afterEach(async () => {
    client.close();
    await served.close();
  });

  it("answers a plain call", async () => {
    expect(await client.ping({ ping: "hello" })).toEqual({ pong: "hello" });
  });

  it("streams every reply of a more call, in order", async () => {
    const states: More.State[] = [];
    for await (const { state } of client.testMore.more({ n: 4 })) states.push(state);
    expect(states).toEqual([
      { start: true },
      { progress: 25 },
      { progress: 50 },
      { progress: 75 },
      { progress: 100 },
      { end: true },
    ]);
  });

  it("sends a oneway call, which the server runs without replying", async () => {
    await expect(
      client.ping.oneway({ ping: "fire and forget" }),
    ).resolves.toBeUndefined();
    // Calls on one connection run in order, so the next reply proves the oneway call was handled.
    await client.ping({ ping: "after" });
    expect(pings).toEqual(["fire and forget", "after"]);
  });

  it("rejects with the generated TestMoreError class when the handler throws it", async () => {
    const replies = client.testMore.more({ n: -1 });
    const failure = await (async () => {
      for await (const reply of replies) void reply;
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(More.TestMoreError);
    expect(More.TestMoreError.is(failure)).toBe(true);
    expect((failure as More.TestMoreError).parameters).toEqual({
      reason: "n must not be negative, got -1",
    });
  });

  it("answers MethodNotImplemented for a method without a handler", async () => {
    const failure = await client.stopServing().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MethodNotImplementedError);
    expect((failure as MethodNotImplementedError).error).toBe(
      "org.varlink.service.MethodNotImplemented",
    );
  });
});
