/**
 * A client facing a service that breaks the protocol from another process, a peer that never
 * reads, a socket whose queue is full, and calls that wait too long: each ends in a typed error
 * (ProtocolError or ConnectionError with its code) and a closed connection, never a hang.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { connect, ConnectionError, ProtocolError, type Connection } from "@varlink-ts/runtime";
import { eventually, Sandbox, sleep } from "@varlink-ts/test-kit";

const sandbox = new Sandbox();
const servers: Server[] = [];
const accepted: Socket[] = [];
afterEach(async () => {
  for (const socket of accepted.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  await sandbox.cleanup();
});

/** The error a promise rejects with; fails if it resolves. */
function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

describe("a service process that breaks the protocol", () => {
  const cases: [string, RegExp][] = [
    ["Garbage", /message is not valid JSON/],
    ["NotObject", /message is not a JSON object/],
    ["Continues", /has "continues" but the call did not ask for more/],
  ];

  it.each(cases)("%s: the pending calls reject with ProtocolError and the connection closes", async (method, reason) => {
    const path = await sandbox.socketPath();
    await sandbox.node(new URL("fixtures/rogue-peer.mjs", import.meta.url), [path]);
    const client = sandbox.track(await connect(`unix:${path}`));
    const first = rejection(client.call(`org.example.rogue.${method}`));
    const second = rejection(client.call("org.example.rogue.Fine"));
    const error = await first;
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(reason);
    expect(await second).toBeInstanceOf(ProtocolError);
    expect(client.closed).toBe(true);
    const later = await rejection(client.call("org.example.rogue.Fine"));
    expect(later).toBeInstanceOf(ConnectionError);
    expect((later as Error).cause).toBe(error);
  });

  it("a reply nobody asked for: the call gets its reply, then the connection closes", async () => {
    const path = await sandbox.socketPath();
    await sandbox.node(new URL("fixtures/rogue-peer.mjs", import.meta.url), [path]);
    const client = sandbox.track(await connect(`unix:${path}`));
    expect(await client.call("org.example.rogue.Twice")).toEqual({ n: 1 });
    expect(await eventually(() => client.closed)).toBe(true);
    const later = await rejection(client.call("org.example.rogue.Fine"));
    expect(later).toBeInstanceOf(ConnectionError);
    expect((later as Error).cause).toBeInstanceOf(ProtocolError);
    expect(((later as Error).cause as Error).message).toBe("received a reply while no call was pending");
  });
});

/** A unix socket server that accepts connections and never reads from them. */
async function deafServer(): Promise<string> {
  const path = await sandbox.socketPath("deaf.sock");
  const server = createServer({ pauseOnConnect: true }, (socket) => {
    socket.on("error", () => undefined);
    accepted.push(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return path;
}

describe("writing a message the peer never reads", () => {
  const big = { blob: "b".repeat(8 * 1024 * 1024) };

  it("a call with a timeout rejects with timeout and closes", async () => {
    const client = sandbox.track(await connect(`unix:${await deafServer()}`));
    const error = await rejection(client.call("org.example.deaf.Take", big, { timeout: 200 }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: "timeout", message: "call to org.example.deaf.Take timed out after 200 ms" });
    expect(client.closed).toBe(true);
  });

  it("a oneway call with a timeout rejects with timeout, as it was never handed over", async () => {
    const client = sandbox.track(await connect(`unix:${await deafServer()}`));
    const error = await rejection(client.callOneway("org.example.deaf.Take", big, { timeout: 200 }));
    expect(error).toMatchObject({ code: "timeout" });
    expect(client.closed).toBe(true);
  });

  it("an aborted call rejects with aborted, and the calls behind it with cancelled", async () => {
    const client = sandbox.track(await connect(`unix:${await deafServer()}`));
    const controller = new AbortController();
    const writing = rejection(client.call("org.example.deaf.Take", big, { signal: controller.signal }));
    const behind = rejection(client.call("org.example.deaf.Next"));
    await sleep(50);
    controller.abort(new Error("user gave up"));
    expect(await writing).toMatchObject({ code: "aborted" });
    expect(await behind).toMatchObject({ code: "cancelled" });
  });
});

describe("connecting to a socket whose queue is full", () => {
  /** A stopped server whose queue of unaccepted connections has been filled. */
  async function fullQueue(): Promise<string> {
    const path = await sandbox.socketPath("full.sock");
    await sandbox.node(new URL("fixtures/full-queue.mjs", import.meta.url), [path]);
    for (let attempt = 0; attempt < 64; attempt++) {
      const socket = sandbox.track(createConnection(path));
      const outcome = await new Promise<string>((resolve) => {
        socket.once("connect", () => resolve("connected"));
        socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
      });
      if (outcome === "EAGAIN") return path;
      expect(outcome).toBe("connected");
    }
    throw new Error("the queue never filled up");
  }

  it("waits for room rather than failing at once, until the timeout", async () => {
    const path = await fullQueue();
    const error = await rejection(connect(`unix:${path}`, { timeout: 300 }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: "timeout", message: `connecting to unix:${path} timed out after 300 ms` });
  });

  it("stops waiting when aborted", async () => {
    const path = await fullQueue();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    expect(await rejection(connect(`unix:${path}`, { signal: controller.signal }))).toMatchObject({ code: "aborted" });
  });
});

describe("waiting on a service process", () => {
  const C = "org.example.child";
  let client: Connection;
  let path = "";

  async function start(): Promise<void> {
    path = await sandbox.socketPath();
    await sandbox.node(new URL("fixtures/service.mjs", import.meta.url), [path]);
    client = sandbox.track(await connect(`unix:${path}`));
  }

  it("a call that outlasts its timeout rejects with timeout; the service lives on", async () => {
    await start();
    const error = await rejection(client.call(`${C}.Hang`, {}, { timeout: 200 }));
    expect(error).toMatchObject({ code: "timeout" });
    const fresh = sandbox.track(await connect(`unix:${path}`));
    expect(await fresh.call(`${C}.Ping`, { ping: "ok" })).toEqual({ pong: "ok" });
  });

  it("a stream aborted midway ends with aborted after the replies that came", async () => {
    await start();
    const controller = new AbortController();
    const values: number[] = [];
    let failure: unknown;
    try {
      for await (const reply of client.callMore<{ i: number }>(`${C}.Stream`, { n: 2 }, { signal: controller.signal })) {
        values.push(reply.i);
        if (values.length === 2) controller.abort();
      }
    } catch (error) {
      failure = error;
    }
    expect(values).toEqual([0, 1]);
    expect(failure).toBeInstanceOf(ConnectionError);
    expect(failure).toMatchObject({ code: "aborted" });
  });
});
