/**
 * Load: a thousand connections calling at once while a hundred more vanish in the middle of calls
 * and streams. Every call that completed got its own reply, and once everyone is gone the server
 * holds no connection, no file descriptor and no listener it did not hold before.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { connect, type Connection } from "@varlink-ts/runtime";
import { eventually, LogLines, openFds, type RawClient, Sandbox } from "@varlink-ts/test-kit";
import { createReliabilityService, R, Seen } from "./reliability-service.js";

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

/** The soft limit on open files, from /proc/self/limits. */
function fdLimit(): number {
  const line = readFileSync("/proc/self/limits", "utf8")
    .split("\n")
    .find((text) => text.startsWith("Max open files"));
  const soft = line?.split(/\s{2,}/)[1];
  return soft === undefined || soft === "unlimited" ? Number.POSITIVE_INFINITY : Number(soft);
}

const WANTED = 1000;
const VANISHING = 100;
const PINGS = 3;
const STREAM = 3;

describe("a thousand connections", () => {
  it("all get their own replies while a hundred more vanish mid-call and mid-stream; nothing leaks", async () => {
    // Both ends of every connection live in this process: two descriptors each, plus headroom.
    const connections = Math.min(WANTED, Math.floor((fdLimit() - 256) / 2) - VANISHING);
    expect(connections, `the open-file limit (${fdLimit()}) leaves room for too few connections`).toBeGreaterThanOrEqual(100);

    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(`${warning.name}: ${warning.message}`);
    };
    process.on("warning", onWarning);
    const logs = new LogLines();
    const seen = new Seen();
    const service = createReliabilityService(seen, { logger: logs.logger });
    try {
      const address = await sandbox.listen(service);
      const path = address.slice("unix:".length);
      const fdsBefore = openFds();

      // All at once: more than the socket's queue of unaccepted connections holds.
      const clients: Connection[] = await Promise.all(
        Array.from({ length: connections }, () => connect(address).then((client) => sandbox.track(client))),
      );

      // Half vanish mid-call (Hang never answers), half mid-stream (an endless Stream, after its
      // first reply); all leave together once every one of their calls is under way.
      const vanishing = (async (): Promise<void> => {
        const raws: RawClient[] = await Promise.all(Array.from({ length: VANISHING }, () => sandbox.raw(path)));
        const hangs = raws.filter((_, i) => i % 2 === 0);
        const streams = raws.filter((_, i) => i % 2 === 1);
        for (const raw of hangs) raw.send(`{"method":"${R}.Hang"}\0`);
        for (const raw of streams) raw.send(`{"method":"${R}.Stream","parameters":{},"more":true}\0`);
        // A stream's client stops reading after its first reply, so the server's side waits.
        await Promise.all(streams.map((raw) => raw.nextText().then(() => raw.socket.pause())));
        expect(await eventually(() => seen.hanging === hangs.length)).toBe(true);
        for (const raw of raws) raw.socket.destroy();
      })();

      let completed = 0;
      const work = clients.map(async (client, index) => {
        const pings = Array.from({ length: PINGS }, (_, call) => `${index}/${call}`);
        const replies = await Promise.all(pings.map((ping) => client.call<{ pong: string }>(`${R}.Ping`, { ping })));
        replies.forEach((reply, call) => {
          expect(reply.pong).toBe(pings[call]);
          completed++;
        });
        const stream: number[] = [];
        for await (const reply of client.callMore<{ i: number }>(`${R}.Stream`, { n: STREAM })) stream.push(reply.i);
        expect(stream).toEqual([0, 1, 2, 3]);
        completed++;
      });
      await Promise.all([...work, vanishing]);
      expect(completed).toBe(connections * (PINGS + 1));

      for (const client of clients) client.close();
      expect(await eventually(() => service.connectionCount === 0), `${service.connectionCount} connections left`).toBe(true);
      // Every handler of a vanished client learned that its client went away.
      expect(seen.hanging).toBe(0);
      expect(seen.hangsAborted).toBe(VANISHING / 2);
      expect(await eventually(() => openFds() <= fdsBefore), `${openFds()} descriptors open, ${fdsBefore} before`).toBe(true);
      expect(openFds()).toBe(fdsBefore);
      expect(logs.lines).toEqual([]);
      expect(warnings).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  }, 60_000);
});
