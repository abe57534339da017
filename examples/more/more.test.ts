/**
 * Runs the example's server and client executables against each other, as a user would.
 * Needs the built dist/ (`npx tsc -b`; `pnpm test` builds first).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { afterEach, describe, expect, it } from "vitest";
import { connect } from "@varlink-ts/runtime";

const SERVER = fileURLToPath(new URL("./server", import.meta.url));
const CLIENT = fileURLToPath(new URL("./client", import.meta.url));

const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

interface Run {
  readonly child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
}

function run(command: string, args: string[]): Run {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once("close", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Starts the server and waits for its `Listening on ADDRESS` line; returns the address. */
async function startServer(
  address: string,
  options: string[] = [],
): Promise<{ server: Run; address: string }> {
  const server = run(SERVER, [`--varlink=${address}`, ...options]);
  for (;;) {
    const match = /^Listening on (.+)$/m.exec(server.stdout());
    if (match) return { server, address: match[1]! };
    const outcome = await Promise.race([
      server.exited.then((code) => ({ code })),
      new Promise<undefined>((resolve) => server.child.stdout!.once("data", () => resolve(undefined))),
    ]);
    if (outcome !== undefined) {
      throw new Error(`server exited with ${outcome.code} before listening: ${server.stderr()}`);
    }
  }
}

const EXPECTED_OUTPUT = [
  "Ping: Test",
  "TestMore: start",
  ...Array.from({ length: 11 }, (_, step) => `TestMore: progress ${step * 10}`),
  "TestMore: end",
  "StopServing: done",
  "",
].join("\n");

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "varlink-more-"));
  dirs.push(dir);
  return dir;
}

describe("examples/more: server and client", () => {
  it("talk over a unix socket path, and the server removes its socket when stopped", async () => {
    const path = join(await tempDir(), "more.sock");
    const { server, address } = await startServer(`unix:${path}`);
    expect(address).toBe(`unix:${path}`);
    const client = run(CLIENT, [`--varlink=${address}`]);
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
    const client = run(CLIENT, [`--varlink=${address}`]);
    expect(await client.exited).toBe(0);
    expect(client.stdout()).toBe(EXPECTED_OUTPUT);
    expect(await server.exited).toBe(0);
  });

  it("talk over TCP on a free port", async () => {
    const { server, address } = await startServer("tcp:127.0.0.1:0");
    expect(address).toMatch(/^tcp:127\.0\.0\.1:[1-9]\d*$/);
    const client = run(CLIENT, [`--varlink=${address}`]);
    expect(await client.exited).toBe(0);
    expect(client.stdout()).toBe(EXPECTED_OUTPUT);
    expect(await server.exited).toBe(0);
  });

  it("talk when the client starts the server with socket activation (exec:)", async () => {
    const client = run(CLIENT, [`--varlink=exec:${SERVER}`, "--n=4"]);
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
    const path = join(await tempDir(), "more.sock");
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
      // The first step arrives at once, not when the second is produced a pause later.
      expect(at[1]!).toBeLessThan(step * 0.8);
      for (let i = 2; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThan(step * 0.8);
      await client.call("org.example.more.StopServing", {});
    } finally {
      client.close();
    }
    expect(await server.exited).toBe(0);
  });

  it("fail with exit codes and messages a user can act on", async () => {
    const noAddress = run(SERVER, []);
    expect(await noAddress.exited).toBe(2);
    expect(noAddress.stderr()).toMatch(/^usage: server --varlink=ADDRESS/);

    const badStep = run(SERVER, ["--varlink=unix:@unused", "--step-ms=soon"]);
    expect(await badStep.exited).toBe(2);
    expect(badStep.stderr()).toMatch(/^usage: server --varlink=ADDRESS \[--step-ms=N\]/);

    const nobody = run(CLIENT, [`--varlink=unix:${join(await tempDir(), "absent.sock")}`]);
    expect(await nobody.exited).toBe(1);
    expect(nobody.stdout()).toBe("");
    expect(nobody.stderr()).toMatch(/^client: /);

    const usage = run(CLIENT, []);
    expect(await usage.exited).toBe(2);
  });
});
