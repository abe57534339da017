/**
 * activate(): one service started with socket activation, many connections to the same process.
 */
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ConnectionError } from "@varlink-ts/runtime";
import type { Connection } from "@varlink-ts/runtime";
import { connect } from "@varlink-ts/runtime";
import { activate } from "@varlink-ts/runtime/transport";
import type { Activator } from "@varlink-ts/runtime/transport";
import { processExists } from "@varlink-ts/test-kit";

const builtRuntime = fileURLToPath(new URL("../../dist/transport/index.js", import.meta.url));

beforeAll(() => {
  // The fixture runs packages/runtime/dist, which `pnpm test` builds before running tests.
  expect(existsSync(builtRuntime), `${builtRuntime} is missing: run npx tsc -b first`).toBe(true);
});

/** Activators and connections a test opened, closed (and their services killed) afterwards. */
const activators: Activator[] = [];
const connections: Connection[] = [];
const pids: number[] = [];
afterEach(async () => {
  for (const connection of connections.splice(0)) connection.close();
  for (const activator of activators.splice(0)) await activator.close();
  for (const pid of pids.splice(0)) {
    // close() should have stopped it; this only guards against a failing test leaving it behind.
    if (processExists(pid)) process.kill(pid, "SIGKILL");
  }
});

async function counter(): Promise<Activator> {
  const activator = await activate([process.execPath, fileURLToPath(new URL("fixtures/activated-counter.mjs", import.meta.url))]);
  activators.push(activator);
  return activator;
}

async function open(activator: Activator): Promise<Connection> {
  const connection = await activator.connect();
  connections.push(connection);
  return connection;
}

interface Info {
  pid: number;
  address: string;
  args: string[];
  seen: Record<string, string | null>;
  left: Record<string, string | null>;
}

async function info(connection: Connection): Promise<Info> {
  const reply = (await connection.call("org.example.counter.Info", {})) as unknown as Info;
  pids.push(reply.pid);
  return reply;
}

async function rejection(promise: Promise<unknown>): Promise<ConnectionError> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(ConnectionError);
  return error as ConnectionError;
}

describe("activate", () => {
  it("starts the service once: every connection reaches the same process", async () => {
    const activator = await counter();
    const first = await open(activator);
    const second = await open(activator);
    expect(await first.call("org.example.counter.Increment", {})).toStrictEqual({ count: 1 });
    expect(await second.call("org.example.counter.Increment", {})).toStrictEqual({ count: 2 });
    first.close();
    // A connection closed does not stop the service.
    const third = await open(activator);
    expect(await third.call("org.example.counter.Increment", {})).toStrictEqual({ count: 3 });
    const [one, two] = await Promise.all([info(second), info(third)]);
    expect(one.pid).toBe(two.pid);
  });

  it("passes the activation variables, VARLINK_ADDRESS and --varlink", async () => {
    const activator = await counter();
    expect(activator.address).toMatch(/^unix:\/.*varlink\.sock$/);
    const reply = await info(await open(activator));
    expect(reply.seen).toStrictEqual({
      LISTEN_FDS: "1",
      LISTEN_PID: String(reply.pid),
      LISTEN_FDNAMES: "varlink",
      VARLINK_ADDRESS: activator.address,
    });
    expect(reply.args).toStrictEqual([`--varlink=${activator.address}`]);
    expect(reply.address).toBe(activator.address);
    // listenFromEnvironment took the variables away from the service's own children.
    expect(reply.left).toStrictEqual({
      LISTEN_FDS: null,
      LISTEN_PID: null,
      LISTEN_FDNAMES: null,
      LISTEN_PIDFDID: null,
    });
  });

  it("splits a string command on whitespace and adds options.env", async () => {
    const activator = await activate(`${process.execPath} ${fileURLToPath(new URL("fixtures/activated-counter.mjs", import.meta.url))} --flag`, {
      env: { LISTEN_FDNAMES: "ignored", VARLINK_ADDRESS: "ignored" },
    });
    activators.push(activator);
    const reply = await info(await open(activator));
    expect(reply.args).toStrictEqual(["--flag", `--varlink=${activator.address}`]);
    expect(reply.seen["LISTEN_FDNAMES"]).toBe("varlink");
    expect(reply.seen["VARLINK_ADDRESS"]).toBe(activator.address);
  });

  it("close() stops the service and removes the socket; connect() then rejects", async () => {
    const activator = await counter();
    const connection = await open(activator);
    const { pid } = await info(connection);
    const socketPath = activator.address.slice("unix:".length);
    expect(existsSync(socketPath)).toBe(true);
    const closing = activator.close();
    expect(activator.close()).toBe(closing);
    await closing;
    expect(processExists(pid)).toBe(false);
    expect(existsSync(dirname(socketPath))).toBe(false);
    const error = await rejection(activator.connect());
    expect(error.code).toBe("closed");
    expect(error.message).toMatch(/the activator is closed/);
  });

  it("works with await using where Symbol.asyncDispose exists", async () => {
    const activator = await counter();
    const dispose = (activator as unknown as Record<symbol, () => Promise<void>>)[
      Symbol.asyncDispose
    ];
    expect(typeof dispose).toBe("function");
    const { pid } = await info(await open(activator));
    await dispose!.call(activator);
    expect(processExists(pid)).toBe(false);
  });

  it("reports a service that exited, naming the program and its status", async () => {
    const activator = await counter();
    const connection = await open(activator);
    await info(connection);
    await connection.call("org.example.counter.Exit", { status: 7 });
    // The Exit reply comes before the exit; connect() must learn of it either way.
    let error: ConnectionError | undefined;
    for (let attempt = 0; attempt < 50 && error === undefined; attempt++) {
      const outcome = await activator.connect().then(
        (opened) => {
          opened.close();
          return undefined;
        },
        (failure: unknown) => failure as ConnectionError,
      );
      if (outcome === undefined) await new Promise((wake) => setTimeout(wake, 20));
      error = outcome;
    }
    expect(error).toBeInstanceOf(ConnectionError);
    // One assertion, so a wrong code shows the message that came with it.
    expect({ code: error?.code, message: error?.message }).toEqual({
      code: "refused",
      message: `cannot connect to activated ${process.execPath}: ${process.execPath} exited with status 7 after it was started`,
    });
  });

  it("reports a service that exits at once", async () => {
    const activator = await activate([process.execPath, fileURLToPath(new URL("fixtures/exit-at-once.mjs", import.meta.url))]);
    activators.push(activator);
    const error = await rejection(
      (async () => {
        // The first connect may land in the queue before the exit closes the socket.
        for (;;) {
          const connection = await activator.connect();
          await connection.call("org.varlink.service.GetInfo", {}).catch(() => undefined);
          connection.close();
        }
      })(),
    );
    expect(error.message).toMatch(/exited with status 3 after it was started$/);
  });

  it("exec: stays one service per connection, and now sets VARLINK_ADDRESS too", async () => {
    const address = `exec:${process.execPath} ${fileURLToPath(new URL("fixtures/activated-counter.mjs", import.meta.url))}`;
    const [first, second] = await Promise.all([connect(address), connect(address)]);
    connections.push(first, second);
    const [one, two] = await Promise.all([info(first), info(second)]);
    expect(one.pid).not.toBe(two.pid);
    expect(one.seen["VARLINK_ADDRESS"]).toMatch(/^unix:\/.*varlink\.sock$/);
    expect(one.args).toStrictEqual([`--varlink=${one.seen["VARLINK_ADDRESS"]}`]);
    expect(await second.call("org.example.counter.Increment", {})).toStrictEqual({ count: 1 });
  });

  it("rejects a missing program or an empty command", async () => {
    const missing = await rejection(activate(["/nonexistent/varlink-service"]));
    expect(missing.code).toBe("not-found");
    await expect(activate("  ")).rejects.toBeInstanceOf(TypeError);
  });
});
