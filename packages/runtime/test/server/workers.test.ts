/**
 * serveWorkers with real processes: a primary and 2 workers from fixtures/workers-server.mjs on a
 * unix socket in a fresh directory per test; every process is killed after each test.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { connect, type Connection } from "@varlink-ts/runtime";

const FIXTURE = fileURLToPath(new URL("./fixtures/workers-server.mjs", import.meta.url));
const BUILT = fileURLToPath(new URL("../../dist/server/workers.js", import.meta.url));

interface Line {
  ready?: boolean;
  pids?: number[];
  address?: string;
  log?: string;
  closed?: boolean;
}

let dir: string;
let primary: ChildProcess | undefined;
let workerPids: number[] = [];
const connections: Connection[] = [];

beforeAll(() => {
  expect(existsSync(BUILT), `${BUILT} is missing: run npx tsc -b first`).toBe(true);
});

afterEach(async () => {
  for (const connection of connections.splice(0)) connection.close();
  for (const pid of [...workerPids, primary?.pid]) {
    try {
      if (pid !== undefined) process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  primary = undefined;
  workerPids = [];
  await rm(dir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts the fixture; resolves with its ready line and a reader of the lines after it. */
async function start(): Promise<{ ready: Line; next: () => Promise<Line | undefined> }> {
  dir = await mkdtemp(path.join(os.tmpdir(), "varlink-workers-"));
  const child = spawn(process.execPath, [FIXTURE, `unix:${path.join(dir, "s.sock")}`], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  primary = child;
  const lines: Line[] = [];
  const waiters: ((line: Line | undefined) => void)[] = [];
  let ended = false;
  const reader = createInterface({ input: child.stdout! });
  reader.on("line", (text) => {
    const line = JSON.parse(text) as Line;
    // Remember every worker ever started, so afterEach can kill them all.
    if (line.pids !== undefined) workerPids.push(...line.pids);
    const waiter = waiters.shift();
    if (waiter !== undefined) waiter(line);
    else lines.push(line);
  });
  reader.on("close", () => {
    ended = true;
    for (const waiter of waiters.splice(0)) waiter(undefined);
  });
  const next = (): Promise<Line | undefined> => {
    const line = lines.shift();
    if (line !== undefined || ended) return Promise.resolve(line);
    return new Promise((resolve) => waiters.push(resolve));
  };
  const ready = await next();
  expect(ready?.ready).toBe(true);
  expect(ready?.pids).toHaveLength(2);
  return { ready: ready!, next };
}

async function open(address: string): Promise<Connection> {
  const connection = await connect(address);
  connections.push(connection);
  return connection;
}

async function pidOf(connection: Connection): Promise<number> {
  const reply = await connection.call("org.example.workers.Pid", {});
  return reply["pid"] as number;
}

/** Two connections served by different workers (connections are handed out in turn). */
async function twoWorkers(address: string): Promise<[Connection, Connection, number, number]> {
  const first = await open(address);
  const firstPid = await pidOf(first);
  for (let attempt = 0; attempt < 10; attempt++) {
    const other = await open(address);
    const otherPid = await pidOf(other);
    if (otherPid !== firstPid) return [first, other, firstPid, otherPid];
  }
  throw new Error("every connection went to the same worker");
}

describe("serveWorkers", () => {
  it("answers other connections from another worker while one worker's handler blocks", async () => {
    const { ready } = await start();
    const [blocked, free, blockedPid, freePid] = await twoWorkers(ready.address!);
    expect(ready.pids).toEqual(expect.arrayContaining([blockedPid, freePid]));
    let blockDone = false;
    const block = blocked.call("org.example.workers.Block", { ms: 1500 }).then((reply) => {
      blockDone = true;
      return reply;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await pidOf(free)).toBe(freePid);
    // Answered while the other worker was still inside its handler, which blocks its process.
    expect(blockDone).toBe(false);
    expect(await block).toEqual({ pid: blockedPid });
  });

  it("closes gracefully on SIGTERM: a call in progress finishes, then every worker exits", async () => {
    const { ready, next } = await start();
    const connection = await open(ready.address!);
    const sleeping = connection.call("org.example.workers.Sleep", { ms: 700 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    primary!.kill("SIGTERM");
    const reply = await sleeping;
    expect(ready.pids).toContain(reply["pid"]);
    expect(await next()).toEqual({ closed: true });
    await new Promise((resolve) => primary!.once("exit", resolve));
    expect(ready.pids!.filter(alive)).toEqual([]);
    expect(existsSync(path.join(dir, "s.sock"))).toBe(false);
  });

  it("replaces a worker that dies", async () => {
    const { ready, next } = await start();
    const [victim, survivor] = ready.pids!;
    process.kill(victim!, "SIGKILL");
    const line = await next();
    expect(line?.log).toContain(`worker ${victim} ended (signal SIGKILL); starting another`);
    // The replacement answers: connections go to each worker in turn, so a few reach it.
    const seen = new Set<number>();
    for (let attempt = 0; attempt < 20 && seen.size < 2; attempt++) {
      seen.add(await pidOf(await open(ready.address!)));
      if (seen.size < 2) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(seen.has(survivor!)).toBe(true);
    expect(seen.has(victim!)).toBe(false);
    const replacement = [...seen].find((pid) => pid !== survivor)!;
    expect(replacement).toBeDefined();
    workerPids.push(replacement);
  });
});
