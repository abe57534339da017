import type { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createTestService, Hooks, type RawClient, Sandbox } from "@varlink-ts/test-kit";

const sandbox = new Sandbox();
const upgraded: Duplex[] = [];
afterEach(async () => {
  for (const stream of upgraded.splice(0)) stream.destroy();
  await sandbox.cleanup();
});

const T = "org.example.test";

async function client(hooks: Hooks): Promise<RawClient> {
  return sandbox.raw(await sandbox.serve(createTestService(hooks, { logger: sandbox.log.logger })));
}

/** Speaks the "shout" protocol on the server's side of an upgraded stream: echo in upper case. */
function shout(stream: Duplex): void {
  upgraded.push(stream);
  stream.on("data", (chunk: Buffer) => stream.write(chunk.toString("utf8").toUpperCase()));
}

describe("upgrade", () => {
  it("hands over the raw stream after the reply, with the bytes that followed the call", async () => {
    const hooks = new Hooks();
    const c = await client(hooks);
    // The call and the first bytes of the new protocol arrive in one write.
    c.send(`{"method":"${T}.Upgrade","parameters":{"protocol":"shout"},"upgrade":true}\0hello`);
    expect(await c.nextText()).toBe('{"parameters":{"ready":true}}');
    const stream = await hooks.upgraded.promise;
    // Whoever takes the stream may start reading later without losing a byte.
    await new Promise((resolve) => setImmediate(resolve));
    shout(stream);
    expect((await c.rawBytes(5)).toString()).toBe("HELLO");
    c.send(" and {\"method\":\"not varlink\"}");
    expect((await c.rawBytes(29)).toString()).toBe(' AND {"METHOD":"NOT VARLINK"}');
    expect(sandbox.log.lines).toEqual([]);
  });

  it("does not read past the upgrade call even when later bytes arrive separately", async () => {
    const hooks = new Hooks();
    const c = await client(hooks);
    c.send({ method: `${T}.Upgrade`, parameters: { protocol: "shout" }, upgrade: true });
    expect(await c.nextText()).toBe('{"parameters":{"ready":true}}');
    shout(await hooks.upgraded.promise);
    // Bytes that look like a varlink call are not varlink any more.
    c.send(`{"method":"${T}.Ping","parameters":{"ping":"x"}}`);
    const expected = `{"METHOD":"ORG.EXAMPLE.TEST.PING","PARAMETERS":{"PING":"X"}}`;
    expect((await c.rawBytes(expected.length)).toString()).toBe(expected);
  });

  it("keeps speaking varlink when the upgrade call fails", async () => {
    const hooks = new Hooks();
    const c = await client(hooks);
    c.send(
      `{"method":"${T}.Upgrade","parameters":{"protocol":"refuse"},"upgrade":true}\0` +
        `{"method":"${T}.Ping","parameters":{"ping":"still varlink"}}\0`,
    );
    expect(await c.nextText()).toBe('{"error":"org.example.test.Boom","parameters":{"reason":"refused"}}');
    expect(await c.nextText()).toBe('{"parameters":{"pong":"still varlink"}}');
  });

  it("closes the connection after the reply when no handler takes the stream", async () => {
    const c = await client(new Hooks());
    c.send({ method: `${T}.Upgrade`, parameters: { protocol: "unclaimed" }, upgrade: true });
    expect(await c.nextText()).toBe('{"parameters":{"ready":true}}');
    await c.closed;
  });

  it("refuses upgradedStream() on a call without upgrade", async () => {
    const c = await client(new Hooks());
    c.send({ method: `${T}.Upgrade`, parameters: { protocol: "shout" } });
    expect(await c.nextText()).toBe('{"error":"org.varlink.service.InternalError","parameters":{}}');
    expect(sandbox.log.lines).toEqual([`varlink: ${T}.Upgrade failed`]);
    expect(sandbox.log.causes[0]).toBeInstanceOf(TypeError);
  });
});
