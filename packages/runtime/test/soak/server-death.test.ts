/**
 * A client whose service (a separate process) dies: in the middle of a call, in the middle of a
 * `more` stream, or on its own before replying. Every pending call rejects with a typed
 * ConnectionError without any timeout set, so nothing can hang, and the next connect says clearly
 * whether nothing listens or the socket is gone.
 */
import { afterEach, describe, expect, it } from "vitest";
import { connect, ConnectionError } from "@varlink-ts/runtime";
import { type Child, eventually, Sandbox } from "@varlink-ts/test-kit";

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

const C = "org.example.child";

/** The error a promise rejects with; fails if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

async function startService(): Promise<{ path: string; child: Child }> {
  const path = await sandbox.socketPath();
  const child = await sandbox.node(new URL("fixtures/service.mjs", import.meta.url), [path]);
  return { path, child };
}

describe("the service process dies", () => {
  it("mid-call and mid-stream: every pending call rejects with ConnectionError closed", async () => {
    const { path, child } = await startService();
    const calling = sandbox.track(await connect(`unix:${path}`));
    const streaming = sandbox.track(await connect(`unix:${path}`));
    // Observed at once: they reject while the test is still waiting for the kill.
    const hang = rejection(calling.call(`${C}.Hang`));
    // Pipelined behind the call in progress: never even started by the service.
    const queued = rejection(calling.call(`${C}.Ping`, { ping: "queued" }));
    const received: number[] = [];
    const stream = (async (): Promise<unknown> => {
      try {
        for await (const reply of streaming.callMore<{ i: number }>(`${C}.Stream`, { n: 3 })) received.push(reply.i);
      } catch (error) {
        return error;
      }
      return new Error("the stream ended without an error");
    })();
    await child.printed("Hang");
    expect(await eventually(() => received.length === 3)).toBe(true);
    await child.kill("SIGKILL");

    for (const error of [await hang, await queued, await stream]) {
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as ConnectionError).code).toBe("closed");
      expect((error as ConnectionError).message).toMatch(/the service closed the connection/);
    }
    expect(received).toEqual([0, 1, 2]);
    expect(calling.closed).toBe(true);
    const later = await rejection(calling.call(`${C}.Ping`, { ping: "later" }));
    expect(later).toBeInstanceOf(ConnectionError);
    expect((later as ConnectionError).code).toBe("closed");

    // Killed, it left its socket file behind: nothing listens there.
    const refused = await rejection(connect(`unix:${path}`));
    expect(refused).toBeInstanceOf(ConnectionError);
    expect(refused).toMatchObject({
      code: "refused",
      message: `cannot connect to unix:${path}: connection refused (nothing is listening there)`,
    });
  });

  it("on its own before replying: the call rejects with ConnectionError closed", async () => {
    const { path, child } = await startService();
    const client = sandbox.track(await connect(`unix:${path}`));
    const dying = rejection(client.call(`${C}.Die`));
    const behind = client.callMore(`${C}.Stream`, { n: 1 });
    const error = await dying;
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).code).toBe("closed");
    await expect(behind.next()).rejects.toMatchObject({ code: "closed" });
    await child.exited;
    expect(child.process.exitCode).toBe(3);
  });

  it("stopped cleanly: calls in progress end, and the next connect finds no socket", async () => {
    const { path, child } = await startService();
    const client = sandbox.track(await connect(`unix:${path}`));
    const hang = rejection(client.call(`${C}.Hang`));
    await child.printed("Hang");
    await child.kill("SIGTERM");
    expect(child.process.exitCode).toBe(0);
    expect(await hang).toMatchObject({ code: "closed" });

    const missing = await rejection(connect(`unix:${path}`));
    expect(missing).toBeInstanceOf(ConnectionError);
    expect(missing).toMatchObject({ code: "not-found", message: `cannot connect to unix:${path}: no such socket` });
  });

  it("and comes back: a new connection to the restarted service works", async () => {
    const { path, child } = await startService();
    const before = sandbox.track(await connect(`unix:${path}`));
    expect(await before.call(`${C}.Ping`, { ping: "1" })).toEqual({ pong: "1" });
    await child.kill("SIGKILL");
    // The restarted service replaces the socket file the killed one left behind.
    await sandbox.node(new URL("fixtures/service.mjs", import.meta.url), [path]);
    expect(await rejection(before.call(`${C}.Ping`, { ping: "stale" }))).toMatchObject({ code: "closed" });
    const after = sandbox.track(await connect(`unix:${path}`));
    expect(await after.call(`${C}.Ping`, { ping: "2" })).toEqual({ pong: "2" });
  });
});
