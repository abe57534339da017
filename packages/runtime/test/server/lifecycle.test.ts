import { existsSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { VarlinkService } from "@varlink-ts/runtime";
import { duplexPair } from "@varlink-ts/runtime/testing";
import { createTestService, deferred, Hooks, INFO, RawClient, Sandbox } from "@varlink-ts/test-kit";

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

const T = "org.example.test";

/** Whether connecting to a unix socket path fails. */
function refuses(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

describe("the handler's signal", () => {
  it("fires when the client goes away during a call", async () => {
    const hooks = new Hooks();
    const c = await sandbox.raw(await sandbox.serve(createTestService(hooks, { logger: sandbox.log.logger })));
    c.send({ method: `${T}.Wait` });
    await hooks.waiting.promise;
    c.socket.destroy();
    // The wait is only a guard against a hang: what is asserted is that the signal fired.
    const outcome = await Promise.race([
      hooks.aborted.promise.then(() => "aborted"),
      new Promise((resolve) => setTimeout(() => resolve("still running after 5 s"), 5000)),
    ]);
    expect(outcome).toBe("aborted");
  });

  it("is the call's own: many calls whose listeners stay behind cause no leak warning", async () => {
    const hooks = new Hooks();
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on("warning", onWarning);
    try {
      const c = await sandbox.raw(await sandbox.serve(createTestService(hooks, { logger: sandbox.log.logger })));
      for (let i = 0; i < 30; i++) {
        hooks.gate = deferred();
        hooks.gate.resolve();
        expect(await c.call({ method: `${T}.Wait` })).toEqual({ parameters: { how: "opened" } });
      }
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.name === "MaxListenersExceededWarning")).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });
});

describe("listen and close", () => {
  it("listens on several addresses and serves them all", async () => {
    const service = sandbox.track(createTestService(new Hooks(), { logger: sandbox.log.logger }));
    const path = join(await sandbox.tempDir(), "service.sock");
    const unix = await service.listen(`unix:${path}`);
    const tcp = await service.listen("tcp:127.0.0.1:0");
    expect(unix.address).toBe(`unix:${path}`);
    const port = Number(/^tcp:127\.0\.0\.1:(\d+)$/.exec(tcp.address)?.[1]);
    expect(port).toBeGreaterThan(0);

    const viaUnix = await sandbox.raw(path);
    expect(await viaUnix.call({ method: `${T}.Ping`, parameters: { ping: "unix" } })).toEqual({ parameters: { pong: "unix" } });
    const socket = createConnection({ host: "127.0.0.1", port });
    await new Promise((resolve) => socket.once("connect", resolve));
    const viaTcp = new RawClient(socket);
    try {
      expect(await viaTcp.call({ method: `${T}.Ping`, parameters: { ping: "tcp" } })).toEqual({ parameters: { pong: "tcp" } });
    } finally {
      socket.destroy();
    }
  });

  it("lets a call in progress finish, closes idle connections and removes the socket file", async () => {
    const hooks = new Hooks();
    const service = sandbox.track(createTestService(hooks, { logger: sandbox.log.logger }));
    const path = join(await sandbox.tempDir(), "service.sock");
    await service.listen(`unix:${path}`);
    const busy = await sandbox.raw(path);
    const idle = await sandbox.raw(path);
    expect(await idle.call({ method: `${T}.Ping`, parameters: { ping: "x" } })).toEqual({ parameters: { pong: "x" } });
    busy.send({ method: `${T}.Wait` });
    await hooks.waiting.promise;

    const closing = service.close({ grace: 60_000 });
    await idle.closed;
    expect(existsSync(path)).toBe(false);
    expect(await refuses(path)).toBe(true);
    // The call in progress still completes and is answered, then its connection closes.
    hooks.gate.resolve();
    expect(await busy.nextText()).toBe('{"parameters":{"how":"opened"}}');
    await busy.closed;
    await closing;
    expect(service.close()).toBe(closing);
  });

  it("destroys connections whose calls outlast the grace period", async () => {
    const hooks = new Hooks();
    const service = sandbox.track(createTestService(hooks, { logger: sandbox.log.logger }));
    const path = join(await sandbox.tempDir(), "service.sock");
    await service.listen(`unix:${path}`);
    const busy = await sandbox.raw(path);
    busy.send({ method: `${T}.Wait` });
    await hooks.waiting.promise;
    await service.close({ grace: 10 });
    await busy.closed;
    await hooks.aborted.promise;
    expect(busy.unread).toBe(0);
  });

  it("takes no new connections or listeners once closed", async () => {
    const service = new VarlinkService(INFO, { logger: sandbox.log.logger });
    await service.close();
    const [mine, theirs] = duplexPair();
    const client = new RawClient(theirs);
    service.serve(mine);
    await client.closed;
    await expect(service.listen(`unix:${join(await sandbox.tempDir(), "late.sock")}`)).rejects.toThrow("closed");
  });
});

describe("limits", () => {
  it("closes connections beyond maxConnections", async () => {
    const path = await sandbox.serve(createTestService(new Hooks(), { logger: sandbox.log.logger, maxConnections: 1 }));
    const first = await sandbox.raw(path);
    expect(await first.call({ method: `${T}.Ping`, parameters: { ping: "1" } })).toEqual({ parameters: { pong: "1" } });
    const second = await sandbox.raw(path);
    await second.closed;
    expect(sandbox.log.lines).toEqual(["varlink: refusing a connection beyond the limit of 1"]);
    expect(await first.call({ method: `${T}.Ping`, parameters: { ping: "2" } })).toEqual({ parameters: { pong: "2" } });
    first.socket.destroy();
    await first.closed;
    // The slot frees once the server has seen the first client go; until then a newcomer is
    // turned away, so try until one is served.
    for (;;) {
      const third = await sandbox.raw(path);
      const outcome = await third.call({ method: `${T}.Ping`, parameters: { ping: "3" } }).catch(() => "refused");
      if (outcome !== "refused") {
        expect(outcome).toEqual({ parameters: { pong: "3" } });
        break;
      }
    }
  });

  it("closes a connection that stays idle past idleTimeout, but not during a call", async () => {
    const hooks = new Hooks();
    const path = await sandbox.serve(createTestService(hooks, { logger: sandbox.log.logger, idleTimeout: 50 }));
    const quiet = await sandbox.raw(path);
    await quiet.closed;
    const busy = await sandbox.raw(path);
    busy.send({ method: `${T}.Wait` });
    await hooks.waiting.promise;
    await new Promise((resolve) => setTimeout(resolve, 200));
    hooks.gate.resolve();
    expect(await busy.nextText()).toBe('{"parameters":{"how":"opened"}}');
    await busy.closed;
  });
});

describe("serve", () => {
  it("serves any Duplex, such as an in-memory pair", async () => {
    const service = sandbox.track(createTestService(new Hooks(), { logger: sandbox.log.logger }));
    const [mine, theirs] = duplexPair();
    service.serve(mine);
    const client = new RawClient(theirs);
    client.send({ method: `${T}.Ping`, parameters: { ping: "memory" } });
    expect(await client.nextText()).toBe('{"parameters":{"pong":"memory"}}');
    client.send({ method: `${T}.Count`, parameters: { n: 2 }, more: true });
    expect(await client.nextText()).toBe('{"parameters":{"i":0},"continues":true}');
    expect(await client.nextText()).toBe('{"parameters":{"i":1}}');
    theirs.end();
    await client.closed;
  });
});
