import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import type { Duplex } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionError } from "@varlink-ts/runtime";
import { listen, openStream } from "@varlink-ts/runtime/transport";

/**
 * A TCP port whose server never accepts and whose queue is full, so that a connect to it hangs:
 * a child listens with the smallest backlog and stops itself; connections are opened until one
 * does not complete.
 */
let server: ChildProcess | undefined;
let address = "";
const held: Duplex[] = [];

beforeAll(async () => {
  const child = spawn(process.execPath, [fileURLToPath(new URL("fixtures/no-accept-tcp.mjs", import.meta.url))], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  server = child;
  const port = await new Promise<string>((resolve, reject) => {
    let text = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      text += String(chunk);
      if (text.includes("\n")) resolve(text.trim());
    });
    child.once("exit", (code) => reject(new Error(`no-accept-tcp exited with ${String(code)}`)));
  });
  address = `tcp:127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 64; attempt++) {
    try {
      const stream = await openStream(address, { timeout: 250 });
      stream.on("error", () => undefined);
      held.push(stream);
    } catch (error) {
      if (error instanceof ConnectionError && error.code === "timeout") return;
      throw error;
    }
  }
  throw new Error(`the queue of ${address} never filled up`);
});

afterAll(async () => {
  for (const stream of held.splice(0)) stream.destroy();
  if (server !== undefined && server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((resolve) => server?.once("exit", resolve));
    server.kill("SIGKILL");
    await exited;
  }
});

describe("connect deadline", () => {
  it("rejects with timeout when the connect takes longer than the timeout", async () => {
    const error = await openStream(address, { timeout: 100 }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).code).toBe("timeout");
    expect((error as ConnectionError).message).toBe(
      `connecting to ${address} timed out after 100 ms`,
    );
  });

  it("rejects with aborted when the signal fires during the connect, with the reason as cause", async () => {
    const controller = new AbortController();
    const pending = openStream(address, { signal: controller.signal });
    await new Promise((resolve) => setImmediate(resolve));
    const reason = new Error("the user gave up");
    controller.abort(reason);
    const error = await pending.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).code).toBe("aborted");
    expect((error as ConnectionError).message).toBe(`connecting to ${address} was aborted`);
    expect((error as ConnectionError).cause).toBe(reason);
  });

  it("rejects with aborted at once when the signal has already fired", async () => {
    const error = await openStream("tcp:127.0.0.1:1", { signal: AbortSignal.abort() }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect((error as ConnectionError).code).toBe("aborted");
  });

  it("resolves a connect that completes within its timeout", async () => {
    const listener = await listen("tcp:127.0.0.1:0", (stream) => stream.end("done"));
    try {
      const stream = await openStream(listener.address, { timeout: 5_000 });
      const text = await new Promise<string>((resolve) => {
        let received = "";
        stream.on("data", (chunk: Buffer) => (received += String(chunk)));
        stream.on("end", () => resolve(received));
      });
      expect(text).toBe("done");
    } finally {
      await listener.close();
    }
  });
});
