import { afterEach, describe, expect, it } from "vitest";
import { createTestService, Hooks, Sandbox } from "@varlink-ts/test-kit";

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

const T = "org.example.test";
const PING = `{"method":"${T}.Ping","parameters":{"ping":"ok"}}\0`;

const violations: [string, string | Buffer][] = [
  ["invalid JSON", "{nope\0"],
  ["invalid UTF-8", Buffer.concat([Buffer.from(`{"method":"${T}.Ping","parameters":{"ping":"`), Buffer.from([0xc3, 0x28]), Buffer.from('"}}\0')])],
  ["an array", "[]\0"],
  ["a string", '"hello"\0'],
  ["null", "null\0"],
  ["a reply", '{"parameters":{}}\0'],
  ["a method that is not a string", '{"method":42}\0'],
  ["a method without a dot", '{"method":"Ping"}\0'],
  ["an unknown key without a dot", `{"method":"${T}.Ping","parameters":{"ping":"x"},"id":1}\0`],
  ["a flag that is not a boolean", `{"method":"${T}.Ping","parameters":{"ping":"x"},"more":"yes"}\0`],
  ["a null flag", `{"method":"${T}.Ping","parameters":{"ping":"x"},"oneway":null}\0`],
  ["two flags", `{"method":"${T}.Ping","parameters":{"ping":"x"},"more":true,"oneway":true}\0`],
  ["upgrade and more", `{"method":"${T}.Ping","parameters":{"ping":"x"},"more":true,"upgrade":true}\0`],
  ["parameters that are an array", `{"method":"${T}.Ping","parameters":["x"]}\0`],
  ["parameters that are a string", `{"method":"${T}.Ping","parameters":"x"}\0`],
];

describe("protocol violations", () => {
  it.each(violations)("closes only the connection that sent %s, after one log line", async (_, bytes) => {
    const path = await sandbox.serve(createTestService(new Hooks(), { logger: sandbox.log.logger }));
    const bad = await sandbox.raw(path);
    const good = await sandbox.raw(path);
    // A call before the violation is still answered: the connection closes after its reply.
    bad.send(Buffer.concat([Buffer.from(PING), Buffer.from(bytes)]));
    expect(await bad.nextText()).toBe('{"parameters":{"pong":"ok"}}');
    await bad.closed;
    expect(sandbox.log.lines).toHaveLength(1);
    expect(sandbox.log.lines[0]).toMatch(/^varlink: closing the connection after a protocol violation: /);
    expect(await good.call({ method: `${T}.Ping`, parameters: { ping: "still" } })).toEqual({
      parameters: { pong: "still" },
    });
  });

  it("closes a connection whose message grows past maxMessageSize", async () => {
    const path = await sandbox.serve(createTestService(new Hooks(), { logger: sandbox.log.logger, maxMessageSize: 1024 }));
    const bad = await sandbox.raw(path);
    const good = await sandbox.raw(path);
    expect(await bad.call({ method: `${T}.Ping`, parameters: { ping: "x".repeat(900) } })).toEqual({
      parameters: { pong: "x".repeat(900) },
    });
    // No NUL ever comes: the server must give up at the limit rather than buffer on.
    bad.send(`{"method":"${T}.Ping","parameters":{"ping":"${"x".repeat(4096)}`);
    await bad.closed;
    expect(sandbox.log.lines).toEqual([
      "varlink: closing the connection after a protocol violation: message exceeds the maximum size of 1024 bytes",
    ]);
    expect(await good.call({ method: `${T}.Ping`, parameters: { ping: "ok" } })).toEqual({ parameters: { pong: "ok" } });
  });

  it("survives garbage of every kind on many connections at once", async () => {
    const path = await sandbox.serve(createTestService(new Hooks(), { logger: sandbox.log.logger }));
    const clients = await Promise.all(violations.map(() => sandbox.raw(path)));
    clients.forEach((client, index) => client.send(violations[index]![1]));
    await Promise.all(clients.map((client) => client.closed));
    const good = await sandbox.raw(path);
    expect(await good.call({ method: "org.varlink.service.GetInfo" })).toMatchObject({
      parameters: { interfaces: ["org.varlink.service", T] },
    });
  });

  it("serves a call that arrives one byte at a time", async () => {
    const c = await sandbox.raw(await sandbox.serve(createTestService(new Hooks(), { logger: sandbox.log.logger })));
    const call = Buffer.from(`{"method":"${T}.Ping","parameters":{"ping":"\u00e9t\u00e9 \u{1f600}"}}\0`);
    for (const byte of call) {
      c.socket.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await c.nextText()).toBe('{"parameters":{"pong":"\u00e9t\u00e9 \u{1f600}"}}');
    expect(sandbox.log.lines).toEqual([]);
  });
});
