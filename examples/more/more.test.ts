/**
 * Runs the example's server and client executables against each other, as a user would.
 * Needs the built dist/ (`npx tsc -b`; `pnpm test` builds first).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { connect } from "@varlink-ts/runtime";
import { startServer as startProgram, useSandbox } from "@varlink-ts/test-kit";

const SERVER = fileURLToPath(new URL("./server", import.meta.url));
const CLIENT = fileURLToPath(new URL("./client", import.meta.url));

const sandbox = useSandbox({ prefix: "varlink-more-" });

/** Starts the server and waits for its `Listening on ADDRESS` line. */
function startServer(address: string, options: string[] = []): ReturnType<typeof startProgram> {
  return startProgram(sandbox, SERVER, [`--varlink=${address}`, ...options]);
}

const EXPECTED_OUTPUT = [
  "Ping: Test",
  "TestMore: start",
  ...Array.from({ length: 11 }, (_, step) => `TestMore: progress ${step * 10}`),
  "TestMore: end",
  "StopServing: done",
  "",
].join("\n");

describe("examples/more: server and client", () => {
  it("talk over a unix socket path, and the server removes its socket when stopped", async () => {
    const path = join(await sandbox.tempDir(), "more.sock");
    const { server, address } = await startServer(`unix:${path}`);
    expect(address).toBe(`unix:${path}`);
    const client = sandbox.spawn(CLIENT, [`--varlink=${address}`]);
    expect(await client.exited).toBe(0);
    expect(client.stdout()).toBe(EXPECTED_OUTPUT);
    expect(client.stderr()).toBe("");
    expect(await server.exited).toBe(0);
    expect(existsSync(path)).toBe(false);
  });

  it("talk over an abstract unix socket", async () => {
    const name = `varlink-ts-more-${process.pid}-${Math.random().toString(36).slice(2)}`;
    const { server, address } = await startServer(`unix:@${name}`);
    expect(address).toBe(`unix:@${name}`);
    const client = sandbox.spawn(CLIENT, [`--varlink=${address}`]);
    expect(await client.exited).toBe(0);
    expect(client.stdout()).toBe(EXPECTED_OUTPUT);
    expect(await server.exited).toBe(0);
  });

  it("talk over TCP on a free port", async () => {
    const { server, address } = await startServer("tcp:127.0.0.1:0");
    expect(address).toMatch(/^tcp:127\.0\.0\.1:[1-9]\d*$/);
    const client = sandbox.spawn(CLIENT, [`--varlink=${address}`]);
    expect(await client.exited).toBe(0);
    expect(client.stdout()).toBe(EXPECTED_OUTPUT);
    expect(await server.exited).toBe(0);
  });

  it("talk when the client starts the server with socket activation (exec:)", async () => {
    const client = sandbox.spawn(CLIENT, [`--varlink=exec:${SERVER}`, "--n=4"]);
    expect(await client.exited).toBe(0);
    expect(client.stdout()).toBe(
      [
        "Ping: Test",
        "TestMore: start",
        ...[0, 25, 50, 75, 100].map((progress) => `TestMore: progress ${progress}`),
        "TestMore: end",
        "StopServing: done",
        "",
      ].join("\n"),
    );
  });

  it("pace TestMore by --step-ms, each step reaching the client as it happens", async () => {
    const step = 300;
    const path = join(await sandbox.tempDir(), "more.sock");
    const { server, address } = await startServer(`unix:${path}`, [`--step-ms=${step}`]);
    const client = await connect(address);
    try {
      const start = performance.now();
      const arrivals: { state: object; at: number }[] = [];
      const replies = client.callMore<{ state: object }>("org.example.more.TestMore", { n: 2 });
      for await (const { state } of replies) {
        arrivals.push({ state, at: performance.now() - start });
      }
      expect(arrivals.map(({ state }) => state)).toEqual([
        { start: true },
        { progress: 0 },
        { progress: 50 },
        { progress: 100 },
        { end: true },
      ]);
      const at = arrivals.map((arrival) => arrival.at);
      // Paced: step i is produced a pause after step i - 1, and timers never fire early, so it
      // cannot arrive before i - 1 pauses have passed (a busy machine only makes it later).
      for (let i = 2; i < at.length; i++) expect(at[i]!).toBeGreaterThanOrEqual((i - 1) * step * 0.95);
      // Streamed: the first step arrives before the last is produced, three pauses in; a server
      // that held the replies until the end would send them all after that.
      expect(at[1]!).toBeLessThan((at.length - 2) * step * 0.95);
      await client.call("org.example.more.StopServing", {});
    } finally {
      client.close();
    }
    expect(await server.exited).toBe(0);
  });

  it("fail with exit codes and messages a user can act on", async () => {
    const noAddress = sandbox.spawn(SERVER, []);
    expect(await noAddress.exited).toBe(2);
    expect(noAddress.stderr()).toMatch(/^usage: server --varlink=ADDRESS/);

    const badStep = sandbox.spawn(SERVER, ["--varlink=unix:@unused", "--step-ms=soon"]);
    expect(await badStep.exited).toBe(2);
    expect(badStep.stderr()).toMatch(/^usage: server --varlink=ADDRESS \[--step-ms=N\]/);

    const nobody = sandbox.spawn(CLIENT, [`--varlink=unix:${join(await sandbox.tempDir(), "absent.sock")}`]);
    expect(await nobody.exited).toBe(1);
    expect(nobody.stdout()).toBe("");
    expect(nobody.stderr()).toMatch(/^client: /);

    const usage = sandbox.spawn(CLIENT, []);
    expect(await usage.exited).toBe(2);
  });
});
