import { existsSync } from "node:fs";
import { lstat, readFile, rename, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { networkInterfaces } from "node:os";
import type { Server } from "node:net";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectionError } from "@varlink-ts/runtime";
import { listen, openStream } from "@varlink-ts/runtime/transport";
import type { Listener } from "@varlink-ts/runtime/transport";
import { binary, closed, Collector, echoes, Sandbox } from "@varlink-ts/test-kit";

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

/** Listens on `address` and echoes every byte of every connection. */
async function echoServer(address: string): Promise<Listener> {
  return sandbox.track(
    await listen(address, (stream) => {
      sandbox.track(stream);
      stream.pipe(stream);
    }),
  );
}

/** Opens a connection and checks that every byte value, in a large and a small write, comes back. */
async function roundTrip(address: string): Promise<void> {
  const stream = sandbox.track(await openStream(address));
  const collector = new Collector(stream);
  const small = Buffer.from('{"method":"org.example.ping.Ping"}\0');
  expect(await echoes(stream, collector, small)).toStrictEqual(small);
  const large = binary(3 * 1024 * 1024 + 17);
  // Compared with Buffer.equals: a deep comparison of megabytes takes the test runner minutes.
  expect((await echoes(stream, collector, large, small.length)).equals(large)).toBe(true);
  stream.end();
  await closed(stream);
}

async function rejection(promise: Promise<unknown>): Promise<ConnectionError> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(ConnectionError);
  return error as ConnectionError;
}

/** A TCP port nothing listens on: one that was just free. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A socket file that nothing listens on, as a crashed server leaves behind. */
async function staleSocket(path: string): Promise<void> {
  const server: Server = createServer();
  const bound = `${path}.bound`;
  await new Promise<void>((resolve) => server.listen(bound, resolve));
  // Node removes the file it bound when the server closes; the renamed file survives it.
  await rename(bound, path);
  await new Promise((resolve) => server.close(resolve));
}

describe("bytes round trip", () => {
  it("over a unix socket path", async () => {
    const path = join(await sandbox.tempDir(), "echo.sock");
    const listener = await echoServer(`unix:${path}`);
    expect(listener.address).toBe(`unix:${path}`);
    expect((await lstat(path)).isSocket()).toBe(true);
    await roundTrip(`unix:${path}`);
  });

  it("over an abstract unix socket", async () => {
    const name = `varlink-ts-test-${process.pid}-${Date.now()}`;
    const listener = await echoServer(`unix:@${name}`);
    expect(listener.address).toBe(`unix:@${name}`);
    await roundTrip(`unix:@${name}`);
  });

  it("over TCP on IPv4, with port 0 reported as the real port", async () => {
    const listener = await echoServer("tcp:127.0.0.1:0");
    const match = /^tcp:127\.0\.0\.1:(\d+)$/.exec(listener.address);
    expect(match).not.toBeNull();
    expect(Number(match?.[1])).toBeGreaterThan(0);
    await roundTrip(listener.address);
  });

  it("over TCP on [::1], or fails with a clear ConnectionError where IPv6 loopback is missing", async () => {
    // Which outcome is right is decided by the machine, not by what happened: a broken IPv6
    // listen on a machine that has ::1 must fail this test.
    const hasIpv6Loopback = Object.values(networkInterfaces()).some((addresses) =>
      (addresses ?? []).some((entry) => entry.family === "IPv6" && entry.address === "::1"),
    );
    let listener: Listener | undefined;
    let failure: unknown;
    try {
      listener = await echoServer("tcp:[::1]:0");
    } catch (error) {
      failure = error;
    }
    expect(listener !== undefined, `listening on [::1] where ::1 ${hasIpv6Loopback ? "exists" : "is missing"}: ${String(failure)}`).toBe(hasIpv6Loopback);
    if (listener !== undefined) {
      expect(listener.address).toMatch(/^tcp:\[::1\]:\d+$/);
      await roundTrip(listener.address);
    } else {
      expect(failure).toBeInstanceOf(ConnectionError);
      expect((failure as ConnectionError).message).toMatch(/^cannot listen on tcp:\[::1\]:0: /);
      const error = await rejection(openStream(`tcp:[::1]:${await freePort()}`));
      expect(error.message).toMatch(/^cannot connect to tcp:\[::1\]:\d+: /);
    }
  });

  it("to an address given as an object", async () => {
    const path = join(await sandbox.tempDir(), "object.sock");
    await echoServer(`unix:${path}`);
    const stream = sandbox.track(await openStream({ kind: "unix", path }));
    expect(await echoes(stream, new Collector(stream), Buffer.from("object"))).toStrictEqual(
      Buffer.from("object"),
    );
  });
});

describe("connect errors", () => {
  it("refused on a unix socket file nothing listens on", async () => {
    const path = join(await sandbox.tempDir(), "stale.sock");
    await staleSocket(path);
    const error = await rejection(openStream(`unix:${path}`));
    expect(error.code).toBe("refused");
    expect(error.message).toBe(
      `cannot connect to unix:${path}: connection refused (nothing is listening there)`,
    );
    expect((error.cause as NodeJS.ErrnoException).code).toBe("ECONNREFUSED");
  });

  it("refused when the service closes its socket with the connection still queued", async () => {
    const path = join(await sandbox.tempDir(), "closing.sock");
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    // openStream reaches connect(2) before its first await, so the connection is queued now; the
    // close comes before this process's event loop could accept it.
    const pending = rejection(openStream(`unix:${path}`));
    server.close();
    const error = await pending;
    expect({ code: error.code, message: error.message }).toEqual({
      code: "refused",
      message: `cannot connect to unix:${path}: the service closed its socket before accepting the connection (connection reset)`,
    });
    expect((error.cause as NodeJS.ErrnoException).code).toBe("ECONNRESET");
  });

  it("refused on a TCP port nothing listens on", async () => {
    const port = await freePort();
    const error = await rejection(openStream(`tcp:127.0.0.1:${port}`));
    expect(error.code).toBe("refused");
    expect(error.message).toContain(`tcp:127.0.0.1:${port}`);
  });

  it("refused on an abstract name nothing listens on", async () => {
    const error = await rejection(
      openStream(`unix:@varlink-ts-nobody-${process.pid}-${Date.now()}`),
    );
    expect(error.code).toBe("refused");
  });

  it("not-found when the socket file does not exist", async () => {
    const path = join(await sandbox.tempDir(), "missing.sock");
    const error = await rejection(openStream(`unix:${path}`));
    expect(error.code).toBe("not-found");
    expect(error.message).toBe(`cannot connect to unix:${path}: no such socket`);
    expect((error.cause as NodeJS.ErrnoException).code).toBe("ENOENT");
  });

  it("io for other failures, keeping the cause", async () => {
    const file = join(await sandbox.tempDir(), "plain-file");
    await writeFile(file, "not a directory");
    const path = `${file}/below.sock`;
    const error = await rejection(openStream(`unix:${path}`));
    expect(error.code).toBe("io");
    expect(error.message).toMatch(new RegExp(`^cannot connect to unix:${path}: .*ENOTDIR`));
    expect((error.cause as NodeJS.ErrnoException).code).toBe("ENOTDIR");
  });

  it("rejects an invalid address with a TypeError, not a ConnectionError", async () => {
    await expect(openStream("tcp:localhost")).rejects.toThrow(TypeError);
    await expect(openStream({ kind: "tcp", host: "localhost", port: -1 })).rejects.toThrow(
      /port must be a number/,
    );
  });

  it("rejects a bad timeout with a RangeError", async () => {
    await expect(openStream("unix:/nonexistent", { timeout: -5 })).rejects.toThrow(RangeError);
  });
});

describe("listen on unix paths", () => {
  it("applies the mode parameter to the socket file", async () => {
    const directory = await sandbox.tempDir();
    for (const mode of [0o600, 0o666, 0o660]) {
      const path = join(directory, `mode-${mode.toString(8)}.sock`);
      const listener = await echoServer(`unix:${path};mode=${mode.toString(8).padStart(4, "0")}`);
      expect((await lstat(path)).mode & 0o7777).toBe(mode);
      expect(listener.address).toBe(`unix:${path}`);
    }
  });

  it("replaces a stale socket file that nothing listens on", async () => {
    const path = join(await sandbox.tempDir(), "stale.sock");
    await staleSocket(path);
    expect((await lstat(path)).isSocket()).toBe(true);
    await echoServer(`unix:${path}`);
    await roundTrip(`unix:${path}`);
  });

  it("refuses a path another server listens on, and leaves that server working", async () => {
    const path = join(await sandbox.tempDir(), "busy.sock");
    await echoServer(`unix:${path}`);
    const error = await rejection(listen(`unix:${path}`, () => undefined));
    expect(error.code).toBe("io");
    expect(error.message).toBe(
      `cannot listen on unix:${path}: another process is already listening there`,
    );
    await roundTrip(`unix:${path}`);
  });

  it("refuses a path that holds a file that is not a socket, and leaves the file alone", async () => {
    const path = join(await sandbox.tempDir(), "data.txt");
    await writeFile(path, "precious");
    const error = await rejection(listen(`unix:${path}`, () => undefined));
    expect(error.message).toBe(`cannot listen on unix:${path}: ${path} exists and is not a socket`);
    expect(await readFile(path, "utf8")).toBe("precious");
  });

  it("reports a missing directory as not-found", async () => {
    const path = join(await sandbox.tempDir(), "no-such-directory", "x.sock");
    const error = await rejection(listen(`unix:${path}`, () => undefined));
    expect(error.code).toBe("not-found");
    expect(error.message).toContain(`unix:${path}`);
  });

  it("close removes the socket file and stops accepting, but keeps accepted connections", async () => {
    const path = join(await sandbox.tempDir(), "closing.sock");
    const listener = await echoServer(`unix:${path}`);
    const stream = sandbox.track(await openStream(`unix:${path}`));
    const collector = new Collector(stream);
    expect(await echoes(stream, collector, Buffer.from("before"))).toStrictEqual(
      Buffer.from("before"),
    );

    await listener.close();
    expect(existsSync(path)).toBe(false);
    expect((await rejection(openStream(`unix:${path}`))).code).toBe("not-found");
    expect(await echoes(stream, collector, Buffer.from("after"), 6)).toStrictEqual(
      Buffer.from("after"),
    );
    // Closing twice is harmless.
    await listener.close();
  });
});

describe("listen on other addresses", () => {
  it("refuses a TCP port in use", async () => {
    const first = await echoServer("tcp:127.0.0.1:0");
    const error = await rejection(listen(first.address, () => undefined));
    expect(error.code).toBe("io");
    expect(error.message).toBe(`cannot listen on ${first.address}: the address is already in use`);
  });

  it("refuses an abstract name in use", async () => {
    const address = `unix:@varlink-ts-busy-${process.pid}-${Date.now()}`;
    await echoServer(address);
    const error = await rejection(listen(address, () => undefined));
    expect(error.message).toBe(`cannot listen on ${address}: the address is already in use`);
  });

  it("stops accepting TCP connections on close", async () => {
    const listener = await echoServer("tcp:127.0.0.1:0");
    await roundTrip(listener.address);
    await listener.close();
    expect((await rejection(openStream(listener.address))).code).toBe("refused");
  });

  it("cannot listen on exec or bridge addresses", async () => {
    await expect(listen("exec:/bin/true", () => undefined)).rejects.toThrow(
      /cannot listen on exec:\/bin\/true: only unix:, unix:@ and tcp: addresses can be listened on/,
    );
    await expect(
      listen({ kind: "bridge", command: "cat", args: [] }, () => undefined),
    ).rejects.toThrow(TypeError);
  });

  it("hands every accepted connection to onConnection as a Duplex", async () => {
    const accepted: Duplex[] = [];
    const listener = sandbox.track(
      await listen("tcp:127.0.0.1:0", (stream) => {
        accepted.push(sandbox.track(stream));
        stream.end(`hello ${accepted.length}`);
      }),
    );
    for (const expected of ["hello 1", "hello 2"]) {
      const stream = sandbox.track(await openStream(listener.address));
      const collector = new Collector(stream);
      await closed(stream);
      expect(collector.text).toBe(expected);
    }
    expect(accepted).toHaveLength(2);
  });
});
