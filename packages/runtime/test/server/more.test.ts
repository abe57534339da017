import { afterEach, describe, expect, it } from "vitest";
import { createTestService, Hooks, type RawClient, Sandbox } from "@varlink-ts/test-kit";

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

const T = "org.example.test";

async function client(hooks = new Hooks()): Promise<RawClient> {
  return sandbox.raw(await sandbox.serve(createTestService(hooks, { logger: sandbox.log.logger })));
}

describe("more calls", () => {
  it("sends every yielded value, with continues on all but the last", async () => {
    const c = await client();
    c.send({ method: `${T}.Count`, parameters: { n: 3 }, more: true });
    expect(await c.nextText()).toBe('{"parameters":{"i":0},"continues":true}');
    expect(await c.nextText()).toBe('{"parameters":{"i":1},"continues":true}');
    expect(await c.nextText()).toBe('{"parameters":{"i":2}}');
    c.send({ method: `${T}.Ping`, parameters: { ping: "after" } });
    expect(await c.nextText()).toBe('{"parameters":{"pong":"after"}}');
  });

  it("answers a generator handler called without more with ExpectedMore", async () => {
    const c = await client();
    c.send({ method: `${T}.Count`, parameters: { n: 3 } });
    expect(await c.nextText()).toBe('{"error":"org.varlink.service.ExpectedMore","parameters":{}}');
  });

  it("answers a plain handler called with more with one reply without continues", async () => {
    const c = await client();
    c.send({ method: `${T}.Ping`, parameters: { ping: "once" }, more: true });
    expect(await c.nextText()).toBe('{"parameters":{"pong":"once"}}');
    c.send({ method: `${T}.Ping`, parameters: { ping: "next" } });
    expect(await c.nextText()).toBe('{"parameters":{"pong":"next"}}');
  });

  it("answers an iterable that yields nothing with one empty reply", async () => {
    const c = await client();
    c.send({ method: `${T}.Tick`, parameters: { n: 0 }, more: true });
    expect(await c.nextText()).toBe('{"parameters":{}}');
  });

  it("sends the values produced before a failure, then the error", async () => {
    const c = await client();
    c.send({ method: `${T}.Count`, parameters: { n: -1 }, more: true });
    expect(await c.nextText()).toBe('{"parameters":{"i":0},"continues":true}');
    expect(await c.nextText()).toBe('{"error":"org.example.test.Boom","parameters":{"reason":"negative"}}');
  });

  it("stops iterating when the client goes away", async () => {
    const hooks = new Hooks();
    const c = await client(hooks);
    c.send({ method: `${T}.Tick`, parameters: {}, more: true });
    expect(await c.nextText()).toBe('{"parameters":{"tick":0},"continues":true}');
    c.socket.destroy();
    await hooks.tickFinished.promise;
  });

  it("waits for a slow reader instead of buffering without bound", async () => {
    const hooks = new Hooks();
    const c = await client(hooks);
    const size = 64 * 1024;
    c.socket.pause();
    c.send({ method: `${T}.Tick`, parameters: { size }, more: true });
    // An endless stream to a reader that reads nothing: production must stall at what the
    // socket buffers hold. Wait until the count stops moving.
    let last = -1;
    while (hooks.ticks !== last || hooks.ticks === 0) {
      last = hooks.ticks;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const stalledAt = hooks.ticks;
    expect(stalledAt * size).toBeLessThan(16 * 1024 * 1024);
    c.socket.resume();
    for (let i = 0; i < stalledAt + 20; i++) {
      const reply = (await c.next()) as { parameters: { tick: number }; continues: boolean };
      expect(reply.parameters.tick).toBe(i);
      expect(reply.continues).toBe(true);
    }
    expect(hooks.ticks).toBeGreaterThan(stalledAt);
  });

  it("takes no new calls while a client does not read its replies", async () => {
    const hooks = new Hooks();
    const c = await client(hooks);
    const count = 1000;
    const ping = "p".repeat(16 * 1024);
    c.socket.pause();
    const call = `{"method":"${T}.Ping","parameters":{"ping":"${ping}"}}\0`;
    for (let i = 0; i < count; i++) c.send(call);
    let last = -1;
    while (hooks.pings !== last || hooks.pings === 0) {
      last = hooks.pings;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(hooks.pings).toBeLessThan(count);
    expect(hooks.pings * ping.length).toBeLessThan(8 * 1024 * 1024);
    c.socket.resume();
    for (let i = 0; i < count; i++) expect(await c.next()).toEqual({ parameters: { pong: ping } });
    expect(hooks.pings).toBe(count);
  });
});
