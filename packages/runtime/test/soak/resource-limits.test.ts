/**
 * Clients that attack the server's memory and descriptors within the protocol: messages that grow
 * without end or never end, clients that stop reading their replies, handlers that outrun a
 * client, floods of connections. Each offender is dropped with a log line, and the server goes on
 * serving a connection that behaves.
 */
import { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { connect, type ServiceOptions, type VarlinkService } from "@varlink-ts/runtime";
import { eventually, LogLines, type RawClient, Sandbox, sleep } from "@varlink-ts/test-kit";
import { createReliabilityService, R, Seen } from "./reliability-service.js";

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

const ping = (text: string): string => `{"method":"${R}.Ping","parameters":{"ping":"${text}"}}\0`;

interface Served {
  service: VarlinkService;
  path: string;
  logs: LogLines;
  seen: Seen;
  /** Connected before the attack; must be answered after it. */
  bystander: RawClient;
}

async function serve(options: ServiceOptions): Promise<Served> {
  const logs = new LogLines();
  const seen = new Seen();
  const service = createReliabilityService(seen, { ...options, logger: logs.logger });
  const path = (await sandbox.listen(service)).slice("unix:".length);
  const bystander = await sandbox.raw(path);
  return { service, path, logs, seen, bystander };
}

async function stillAnswers(bystander: RawClient): Promise<void> {
  bystander.send(ping("alive"));
  expect(await bystander.nextText()).toBe('{"parameters":{"pong":"alive"}}');
}

/** Writes `chunk` until the peer closes or `limit` chunks are out; returns the bytes accepted. */
async function writeUntilClosed(client: RawClient, chunk: Buffer, limit: number): Promise<number> {
  let written = 0;
  for (let i = 0; i < limit; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      if (client.socket.destroyed || !client.socket.writable) resolve(false);
      else client.socket.write(chunk, (error) => resolve(error === undefined || error === null));
    });
    if (!ok) return written;
    written += chunk.length;
  }
  return written;
}

describe("messages that grow or crawl", () => {
  it("stops reading a message at the default 16 MiB limit and drops its sender", async () => {
    const { logs, path, bystander } = await serve({});
    const attacker = await sandbox.raw(path);
    attacker.send(`{"method":"${R}.Ping","parameters":{"ping":"`);
    // 64 MiB offered; the server must stop taking it at 16 MiB, not buffer it all.
    const written = await writeUntilClosed(attacker, Buffer.alloc(1024 * 1024, 0x78), 64);
    expect(written).toBeLessThan(24 * 1024 * 1024);
    expect(logs.lines).toEqual([
      "varlink: closing the connection after a protocol violation: message exceeds the maximum size of 16777216 bytes",
    ]);
    await stillAnswers(bystander);
  });

  it("drops a client whose message does not end within messageTimeout", async () => {
    const { logs, path, service, bystander } = await serve({ messageTimeout: 1000 });
    const attacker = await sandbox.raw(path);
    attacker.send(`{"method":"${R}.Ping","parameters":{"ping":"`);
    // One byte every 50 ms: far below any size limit, and never a NUL. The loop is bounded.
    let sent = 0;
    while (sent < 200 && attacker.socket.writable && !logs.has(/did not end/)) {
      attacker.send("x");
      sent++;
      await sleep(50);
    }
    expect(logs.lines).toEqual(["varlink: closing a connection whose message did not end within 1000 ms"]);
    expect(sent).toBeLessThan(200);
    expect(await eventually(() => service.connectionCount === 1)).toBe(true);
    await stillAnswers(bystander);
  });

  it("serves a message that arrives in pieces well within messageTimeout", async () => {
    const { logs, path } = await serve({ messageTimeout: 5000 });
    const client = await sandbox.raw(path);
    for (const piece of ping("slow but fine").match(/.{1,8}/gs) ?? []) {
      client.send(piece);
      await sleep(10);
    }
    expect(await client.nextText()).toBe('{"parameters":{"pong":"slow but fine"}}');
    expect(logs.lines).toEqual([]);
  });
});

describe("calls sent behind a call that never ends", () => {
  const calls = Buffer.from(ping("q".repeat(1000)).repeat(1024));

  it("do not hide a client that hangs up: the call's signal fires at once", async () => {
    const { logs, path, seen, bystander } = await serve({});
    const attacker = await sandbox.raw(path);
    attacker.send(`{"method":"${R}.Hang"}\0`);
    expect(await eventually(() => seen.hanging === 1)).toBe(true);
    // 4 MiB of calls behind it: far more than the kernel buffers, far less than the limit.
    for (let i = 0; i < 4; i++) {
      await new Promise<void>((resolve) => attacker.socket.write(calls, () => resolve()));
    }
    attacker.socket.destroy();
    expect(await eventually(() => seen.hanging === 0)).toBe(true);
    expect(seen.hangsAborted).toBe(1);
    expect(logs.lines).toEqual([]);
    await stillAnswers(bystander);
  });

  it("are held up to maxMessageSize bytes; a client that sends more is dropped", async () => {
    const limit = 1024 * 1024;
    const { logs, path, seen, service, bystander } = await serve({ maxMessageSize: limit });
    const attacker = await sandbox.raw(path);
    attacker.send(`{"method":"${R}.Hang"}\0`);
    expect(await eventually(() => seen.hanging === 1)).toBe(true);
    const written = await writeUntilClosed(attacker, calls, 16);
    expect(written).toBeLessThan(16 * calls.length);
    expect(logs.lines).toEqual([
      `varlink: closing a connection that sent more than ${limit} bytes ahead of the call in progress`,
    ]);
    expect(await eventually(() => seen.hanging === 0)).toBe(true);
    expect(await eventually(() => service.connectionCount === 1)).toBe(true);
    await stillAnswers(bystander);
  });
});

describe("clients that do not read their replies", () => {
  it("drops a client that calls in a loop without reading, once writeTimeout passes", async () => {
    const { logs, path, service, bystander } = await serve({ writeTimeout: 300 });
    const attacker = await sandbox.raw(path);
    attacker.socket.pause();
    const payload = "p".repeat(16 * 1024);
    const calls = 500;
    for (let i = 0; i < calls; i++) attacker.send(ping(payload));
    expect(await eventually(() => logs.has(/has not read/))).toBe(true);
    expect(logs.lines).toEqual(["varlink: closing a connection that has not read its replies for 300 ms"]);
    expect(await eventually(() => service.connectionCount === 1)).toBe(true);
    // What was written before the drop is intact; the rest was never answered.
    attacker.socket.resume();
    let answered = 0;
    for (;;) {
      const reply = await attacker.nextText().catch(() => undefined);
      if (reply === undefined) break;
      expect(reply).toBe(`{"parameters":{"pong":"${payload}"}}`);
      answered++;
    }
    expect(answered).toBeLessThan(calls);
    await stillAnswers(bystander);
  });

  it("drops a client that stops reading in the middle of an endless stream", async () => {
    const { logs, path, service, bystander } = await serve({ writeTimeout: 300 });
    const attacker = await sandbox.raw(path);
    attacker.send(`{"method":"${R}.Stream","parameters":{},"more":true}\0`);
    expect(await attacker.nextText()).toBe('{"parameters":{"i":0},"continues":true}');
    attacker.socket.pause();
    expect(await eventually(() => logs.has(/has not read/))).toBe(true);
    expect(logs.lines).toEqual(["varlink: closing a connection that has not read its replies for 300 ms"]);
    expect(await eventually(() => service.connectionCount === 1)).toBe(true);
    await stillAnswers(bystander);
  });

  it("keeps a client that reads slowly", async () => {
    const { logs, path } = await serve({ writeTimeout: 500 });
    const client = await sandbox.raw(path);
    // 6 MB in 10 KB replies: far more than the socket buffers, so the server waits on the reader.
    client.send(`{"method":"${R}.Stream","parameters":{"n":600,"size":10000},"more":true}\0`);
    const padding = "x".repeat(10_000);
    // Reads in bursts with pauses shorter than the limit, for longer than the limit in all:
    // slow, but always making progress.
    for (let i = 0; i < 600; i++) {
      if (i % 60 === 0) {
        client.socket.pause();
        await sleep(100);
        client.socket.resume();
      }
      expect(JSON.parse(await client.nextText())).toEqual({ parameters: { i, padding }, continues: true });
    }
    expect(JSON.parse(await client.nextText())).toEqual({ parameters: { i: 600, padding } });
    expect(logs.lines).toEqual([]);
  });

  it("drops a client once more than maxQueuedOutput waits for it", async () => {
    const limit = 1024 * 1024;
    const { logs, path, service, bystander } = await serve({ maxQueuedOutput: limit, writeTimeout: Infinity });
    const attacker = await sandbox.raw(path);
    attacker.socket.pause();
    // 5 MB of replies produced in one go by a handler that does not wait for the client.
    attacker.send(`{"method":"${R}.Burst","parameters":{"count":5000,"size":1000},"more":true}\0`);
    expect(await eventually(() => logs.lines.length > 0)).toBe(true);
    expect(logs.lines).toEqual([
      `varlink: closing a connection that does not read its replies: more than ${limit} bytes queued`,
    ]);
    expect(await eventually(() => service.connectionCount === 1)).toBe(true);
    await stillAnswers(bystander);
  });

  it("delivers a burst below maxQueuedOutput in full and in order, without a listener per reply", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on("warning", onWarning);
    try {
      const { logs, path } = await serve({});
      const client = await sandbox.raw(path);
      // 2 MB at once: more than the socket takes, so the handler's replies wait for 'drain'.
      client.send(`{"method":"${R}.Burst","parameters":{"count":2000,"size":1000},"more":true}\0`);
      const padding = "x".repeat(1000);
      for (let i = 0; i < 2000; i++) {
        expect(JSON.parse(await client.nextText())).toEqual({ parameters: { i, padding }, continues: true });
      }
      expect(JSON.parse(await client.nextText())).toEqual({ parameters: { i: 2000, padding: "" } });
      expect(logs.lines).toEqual([]);
      await sleep(0);
      expect(warnings.map((warning) => warning.message)).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("drops a connection that is closing but whose client never takes its last replies", async () => {
    const logs = new LogLines();
    const service = createReliabilityService(new Seen(), { logger: logs.logger, writeTimeout: 200 });
    // A peer that sends but never accepts a byte: every write stays pending.
    const stuck = new Duplex({ read() {}, write() {} });
    service.serve(stuck);
    stuck.push(ping("answered but never taken"));
    stuck.push("{not json\0");
    expect(await eventually(() => logs.lines.length >= 2)).toBe(true);
    expect(logs.lines).toEqual([
      "varlink: closing the connection after a protocol violation: message is not valid JSON",
      "varlink: closing a connection that has not read its replies for 200 ms",
    ]);
    expect(stuck.destroyed).toBe(true);
    expect(service.connectionCount).toBe(0);
    await service.close({ grace: 0 });
  });
});

describe("floods of connections", () => {
  it("holds at most maxConnections under a flood, and serves again once it is gone", async () => {
    const { logs, path, service, bystander } = await serve({ maxConnections: 10 });
    const flood = await Promise.all(Array.from({ length: 200 }, () => sandbox.raw(path)));
    for (const client of flood) client.send(ping("flood"));
    let refused = 0;
    for (const client of flood) void client.closed.then(() => refused++);
    expect(await eventually(() => refused >= 191)).toBe(true);
    expect(service.connectionCount).toBeLessThanOrEqual(10);
    // One line for the flood, not one per connection: the rest are counted for a later line.
    expect(logs.lines).toEqual(["varlink: refusing a connection beyond the limit of 10"]);
    for (const client of flood) client.socket.destroy();
    await stillAnswers(bystander);
    expect(await eventually(() => service.connectionCount === 1)).toBe(true);
    const client = sandbox.track(await connect(`unix:${path}`));
    expect(await client.call(`${R}.Ping`, { ping: "after" })).toEqual({ pong: "after" });
  });

  it("survives running out of file descriptors (a child limited to 64) and serves afterwards", async () => {
    const path = await sandbox.socketPath();
    const child = await sandbox.node(new URL("fixtures/service.mjs", import.meta.url), [path], { shell: "ulimit -n 64" });
    const flood = await Promise.all(
      Array.from({ length: 150 }, async () => {
        const client = await sandbox.raw(path);
        client.send(`{"method":"org.example.child.Ping","parameters":{"ping":"flood"}}\0`);
        return client;
      }),
    );
    // Some were served, the rest closed by the server for want of descriptors or still queued.
    expect(await eventually(() => flood.some((client) => client.unread > 0))).toBe(true);
    for (const client of flood) client.socket.destroy();
    expect(child.running).toBe(true);
    // The server frees descriptors as it notices the flood is gone; until then a newcomer may be
    // turned away, so try a bounded number of times.
    let reply: unknown;
    for (let attempt = 0; attempt < 100 && reply === undefined; attempt++) {
      const client = sandbox.track(await connect(`unix:${path}`, { timeout: 10_000 }));
      reply = await client.call("org.example.child.Ping", { ping: "after" }).catch(() => sleep(50));
    }
    expect(reply).toEqual({ pong: "after" });
  });
});
