/**
 * @varlink-ts/native in one process: loading, the Duplex contract (backpressure, end, reset,
 * destroy), fds tied to stream offsets, argument checks, and garbage collection of a handle that
 * is still polled.
 */
import { spawnSync } from "node:child_process";
import {
  closeSync,
  cpSync,
  existsSync,
  fstatSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readlinkSync,
  rmSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import {
  FdSocket,
  MAX_FDS_PER_CHUNK,
  connectUnix,
  isNativeAvailable,
  listenFd,
  listenUnix,
  nativeBinaryPath,
  nativeLoadError,
  peerCredentials,
  pipe,
  socketPair,
} from "../src/index.js";
import type { ReceivedFds } from "../src/index.js";
import { native } from "../src/native.js";
import { newFds, once, openFds, turns } from "./helpers.js";

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const sockets: FdSocket[] = [];

function pair(options: Parameters<typeof socketPair>[0] = {}): [FdSocket, FdSocket] {
  const result = socketPair(options);
  sockets.push(...result);
  return result;
}

afterEach(async () => {
  for (const socket of sockets.splice(0)) {
    if (!socket.closed) {
      const closed = once(socket, "close");
      socket.destroy();
      await closed;
    }
  }
});

/** What an fd number refers to now, or undefined when it is not open. */
function target(fd: number): string | undefined {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}

describe("loading", () => {
  it("loads the addon, from the local build or the prebuilt binary", () => {
    expect(isNativeAvailable()).toBe(true);
    expect(nativeLoadError()).toBeUndefined();
    const path = nativeBinaryPath()!;
    expect([
      join(packageRoot, "addon", "build", "Release", "varlink_native.node"),
      join(packageRoot, "prebuilds", `${process.platform}-${process.arch}`, "varlink_native.node"),
    ]).toContain(path);
  });

  it("ships a prebuilt binary for linux-x64 that loads in a fresh Node", () => {
    const prebuilt = join(packageRoot, "prebuilds", "linux-x64", "varlink_native.node");
    expect(existsSync(prebuilt)).toBe(true);
    if (process.platform !== "linux" || process.arch !== "x64") return;
    const result = spawnSync(
      process.execPath,
      [
        "-e",
        `const m = require(${JSON.stringify(prebuilt)}); console.log(typeof m.Handle, m.ABI, m.MAX_FDS)`,
      ],
      { encoding: "utf8" },
    );
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe("function 1 253");
  });

  it("imports without the binary, and says clearly that it is missing", () => {
    // The built package (dist/, which `pnpm test` builds first) copied without addon/ and prebuilds/.
    const copy = mkdtempSync(join(tmpdir(), "varlink-native-nobinary-"));
    try {
      cpSync(join(packageRoot, "dist"), join(copy, "dist"), { recursive: true });
      cpSync(join(packageRoot, "package.json"), join(copy, "package.json"));
      const script = `
        const m = await import(${JSON.stringify(pathToFileURL(join(copy, "dist", "index.js")).href)});
        const error = await m.connectUnix("@x").catch((e) => e);
        console.log(JSON.stringify({ available: m.isNativeAvailable(), name: error.name, code: error.code,
          same: error === m.nativeLoadError(), message: error.message }));`;
      const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
        encoding: "utf8",
      });
      expect(result.stderr).toBe("");
      const outcome = JSON.parse(result.stdout);
      expect(outcome).toMatchObject({
        available: false,
        name: "NativeUnavailableError",
        code: "ERR_VARLINK_NATIVE_UNAVAILABLE",
        same: true,
      });
      expect(outcome.message).toContain("build:native");
      expect(outcome.message).toContain(join("prebuilds", `${process.platform}-${process.arch}`));
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe("FdSocket", () => {
  it("passes fds with the first byte of a chunk and reports the chunk's stream offset", async () => {
    const [a, b] = pair({ acceptFds: true });
    const [readFd, writeFd] = pipe();
    const received: ReceivedFds[] = [];
    b.on("fds", (event) => received.push(event));
    const data: Buffer[] = [];
    b.on("data", (chunk: Buffer) => data.push(chunk));

    await new Promise<void>((resolve) => a.write("first\0", () => resolve()));
    while (b.bytesRead < 6) await once(b, "data");
    await new Promise<void>((resolve) => a.writeWithFds("second\0", [writeFd], () => resolve()));
    closeSync(writeFd);
    while (b.bytesRead < 13) await once(b, "data");

    expect(Buffer.concat(data).toString()).toBe("first\0second\0");
    expect(received).toHaveLength(1);
    expect(received[0]!.offset).toBe(6);
    expect(received[0]!.length).toBe(7);
    writeSync(received[0]!.fds[0]!, "through the passed fd");
    closeSync(received[0]!.fds[0]!);
    expect(readFileSync(readFd, "utf8")).toBe("through the passed fd");
    closeSync(readFd);
  });

  it("sends several fds in index order, and duplicates", async () => {
    const [a, b] = pair({ acceptFds: true });
    const files = [openSync("/dev/null", "r"), openSync(fileURLToPath(import.meta.url), "r")];
    const got = once<ReceivedFds>(b, "fds");
    b.resume();
    a.writeWithFds("x", [files[0]!, files[1]!, files[0]!]);
    const { fds } = await got;
    expect(fds.map((fd) => target(fd))).toEqual([
      target(files[0]!),
      target(files[1]!),
      target(files[0]!),
    ]);
    for (const fd of [...fds, ...files]) closeSync(fd);
  });

  it("waits for the kernel under backpressure and calls back once the bytes are sent", async () => {
    const [a, b] = pair({ acceptFds: true });
    const chunk = Buffer.alloc(64 * 1024);
    const total = 8 * 1024 * 1024;
    const sent = createHash("sha256");
    let returnedFalse = false;
    const callbacks: number[] = [];
    let expected = 0;
    const [readFd, writeFd] = pipe();
    const fdAt = 3 * 1024 * 1024;
    for (let offset = 0; offset < total; offset += chunk.length) {
      const data = Buffer.from(chunk.fill(offset / chunk.length));
      sent.update(data);
      expected += data.length;
      const end = expected;
      const onWritten = (error?: Error | null): void => {
        expect(error ?? undefined).toBeUndefined();
        expect(a.bytesWritten).toBeGreaterThanOrEqual(end); // after the bytes were sent
        callbacks.push(end);
      };
      const ok =
        offset === fdAt ? a.writeWithFds(data, [writeFd], onWritten) : a.write(data, onWritten);
      if (!ok) returnedFalse = true;
    }
    expect(returnedFalse).toBe(true);
    expect(a.writableLength).toBeGreaterThan(0);

    const received = createHash("sha256");
    let length = 0;
    const fds: ReceivedFds[] = [];
    b.on("fds", (event) => fds.push(event));
    b.on("data", (data: Buffer) => {
      received.update(data);
      length += data.length;
    });
    a.end();
    await once(b, "end");
    expect(length).toBe(total);
    expect(received.digest("hex")).toBe(sent.digest("hex"));
    expect(callbacks).toHaveLength(total / chunk.length);
    expect(callbacks).toEqual([...callbacks].sort((x, y) => x - y));
    // The fds came with the read holding the first byte of their chunk; Linux may have glued
    // bytes written before it (without fds) ahead of it in the same read, never bytes after.
    expect(fds).toHaveLength(1);
    expect(fds[0]!.offset).toBeLessThanOrEqual(fdAt);
    expect(fds[0]!.offset + fds[0]!.length).toBeGreaterThan(fdAt);
    expect(fds[0]!.offset + fds[0]!.length).toBeLessThanOrEqual(fdAt + chunk.length);
    closeSync(fds[0]!.fds[0]!);
    closeSync(writeFd);
    closeSync(readFd);
  });

  it("ends and closes both sides when one side ends", async () => {
    const [a, b] = pair();
    const events: string[] = [];
    for (const [name, socket] of [
      ["a", a],
      ["b", b],
    ] as const) {
      socket.on("end", () => events.push(`${name} end`));
      socket.on("close", () => events.push(`${name} close`));
      socket.on("error", (error) => events.push(`${name} error ${error.message}`));
      socket.resume();
    }
    const aClosed = once(a, "close");
    const bClosed = once(b, "close");
    a.end("bye");
    await Promise.all([aClosed, bClosed]);
    expect(events).toContain("b end");
    expect(events).toContain("a end");
    expect(events.filter((event) => event.includes("error"))).toEqual([]);
    expect(a.fd).toBe(-1);
    expect(b.fd).toBe(-1);
  });

  it("treats a reset connection (ECONNRESET) as the end of the stream", async () => {
    const [a, b] = pair();
    const errors: Error[] = [];
    a.on("error", (error) => errors.push(error));
    const chunks: Buffer[] = [];
    a.on("data", (chunk: Buffer) => chunks.push(chunk));
    // b closes with unread data in its queue: the kernel resets a's side
    await new Promise<void>((resolve) => a.write("unread by b", () => resolve()));
    await new Promise<void>((resolve) => b.write("last words", () => resolve()));
    const ended = once(a, "end");
    const closed = once(a, "close");
    b.destroy();
    await ended;
    await closed;
    expect(Buffer.concat(chunks).toString()).toBe("last words");
    expect(errors).toEqual([]);
  });

  it("closes its fd exactly once, however often it is destroyed", async () => {
    const [a] = pair();
    const fd = a.fd;
    const before = target(fd);
    expect(before).toMatch(/^socket:/);
    a.destroy();
    await once(a, "close");
    expect(target(fd)).not.toBe(before);
    const reused = openSync("/dev/null", "r"); // likely takes the same number
    a.destroy();
    await turns(3);
    expect(() => fstatSync(reused)).not.toThrow();
    expect(a.fd).toBe(-1);
    closeSync(reused);
  });

  it("fails a write to a peer that is gone with EPIPE", async () => {
    const [a, b] = pair();
    b.destroy();
    await once(b, "close");
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => {
      a.on("error", resolve);
      a.write("nobody reads this");
    });
    expect(error.code).toBe("EPIPE");
    expect(error.syscall).toBe("write");
  });

  it("checks writeWithFds' arguments", () => {
    const [a] = pair();
    expect(() => a.writeWithFds("", [0])).toThrow(RangeError);
    expect(() => a.writeWithFds("x", [])).toThrow(RangeError);
    expect(() => a.writeWithFds("x", [-1])).toThrow(TypeError);
    expect(() => a.writeWithFds("x", [1.5])).toThrow(TypeError);
    expect(() => a.writeWithFds("x", new Array(MAX_FDS_PER_CHUNK + 1).fill(0))).toThrow(RangeError);
  });

  it("wraps an fd it is given (fromFd) and refuses listening ones", async () => {
    const binding = native();
    const raw = binding.socketpair() as [number, number];
    const a = FdSocket.fromFd(raw[0]);
    const b = FdSocket.fromFd(raw[1]);
    sockets.push(a, b);
    b.resume();
    const got = once<Buffer>(b, "data");
    a.write("hello");
    expect((await got).toString()).toBe("hello");
    expect(peerCredentials(a.fd)).toEqual({
      pid: process.pid,
      uid: process.getuid!(),
      gid: process.getgid!(),
    });

    const server = await listenUnix(`@varlink-native-fromfd-${process.pid}`);
    expect(() => FdSocket.fromFd(server.fd)).toThrow(/listening socket/);
    await server.close();
    const notSocket = openSync("/dev/null", "r");
    expect(() => FdSocket.fromFd(notSocket)).toThrow(/ENOTSOCK/);
    closeSync(notSocket);
  });
});

describe("listening and connecting", () => {
  it("reports connect errors like Node", async () => {
    await expect(connectUnix("/nonexistent/varlink.sock")).rejects.toMatchObject({
      code: "ENOENT",
      syscall: "connect",
      address: "/nonexistent/varlink.sock",
    });
    await expect(connectUnix(`@varlink-native-nobody-${process.pid}`)).rejects.toMatchObject({
      code: "ECONNREFUSED",
    });
    await expect(connectUnix("@")).rejects.toThrow(TypeError);
    await expect(connectUnix(`/${"x".repeat(200)}`)).rejects.toThrow(TypeError);
  });

  it("turns SO_PASSRIGHTS off on listening sockets unless fds are wanted", async () => {
    const binding = native();
    const strict = await listenUnix(`@varlink-native-strict-${process.pid}`);
    const open = await listenUnix(`@varlink-native-open-${process.pid}`, undefined, {
      acceptFds: true,
    });
    const strictValue = binding.getPassRights(strict.fd);
    if (strictValue >= 0) {
      // Linux 6.16+
      expect(strictValue).toBe(0);
      expect(binding.getPassRights(open.fd)).toBe(1);
    }
    await strict.close();
    await open.close();
  });

  it("serves a listening fd it is handed (socket activation) and names it", async () => {
    const name = `@varlink-native-activated-${process.pid}`;
    const binding = native();
    const fd = binding.listen(Buffer.from(name.slice(1)), true, 16, -1);
    expect(fd).toBeGreaterThanOrEqual(0);
    const accepted: FdSocket[] = [];
    const server = listenFd(fd, (socket) => {
      accepted.push(socket);
      sockets.push(socket);
      socket.end("welcome");
    });
    expect(server.address).toBe(name);
    const client = await connectUnix(name);
    sockets.push(client);
    client.resume();
    const data = once<Buffer>(client, "data");
    expect((await data).toString()).toBe("welcome");
    await server.close();
    expect(server.fd).toBe(-1);
    expect(target(fd) ?? "").not.toMatch(/^socket:/);
  });

  it("removes its socket file on close, and only its own", async () => {
    const dir = mkdtempSync(join(tmpdir(), "varlink-native-"));
    try {
      const path = join(dir, "s.sock");
      const server = await listenUnix(path, undefined, { mode: 0o600 });
      expect(existsSync(path)).toBe(true);
      await expect(listenUnix(path)).rejects.toMatchObject({
        code: "EADDRINUSE",
        syscall: "listen",
      });
      await server.close();
      expect(existsSync(path)).toBe(false);

      const second = await listenUnix(path);
      unlinkSync(path);
      const third = await listenUnix(path); // a new file at the same path
      await second.close();
      expect(existsSync(path)).toBe(true); // not second's file any more: left alone
      await third.close();
      expect(existsSync(path)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("does not leak fds over thousands of connections and messages with fds", async () => {
    const name = `@varlink-native-leak-${process.pid}`;
    const server = await listenUnix(
      name,
      (socket) => {
        socket.on("fds", ({ fds }) => {
          // echo each fd back with the byte it came with, then close our copy
          socket.writeWithFds("r", fds, () => fds.forEach((fd) => closeSync(fd)));
        });
        socket.on("data", () => {});
      },
      { acceptFds: true },
    );
    const before = openFds();
    const devnull = openSync("/dev/null", "r");
    for (let round = 0; round < 200; round++) {
      const client = await connectUnix(name, { acceptFds: true });
      let echoed = 0;
      const done = new Promise<void>((resolve) => {
        client.on("fds", ({ fds }) => {
          fds.forEach((fd) => closeSync(fd));
          if (++echoed === 10) resolve();
        });
      });
      client.resume();
      for (let i = 0; i < 10; i++) client.writeWithFds("q", [devnull]);
      await done;
      const closed = once(client, "close");
      client.end();
      await closed;
    }
    closeSync(devnull);
    await server.close();
    await turns(5);
    expect(newFds(before, openFds())).toEqual([]);
  });
});

describe("garbage collection", () => {
  it("does not crash when a handle is collected while its poll is active", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const binding = native();
    const [mine, other] = binding.socketpair() as [number, number];
    const mineTarget = target(mine);
    let events = 0;
    (() => {
      const handle = new binding.Handle(mine, () => {
        events++; // never reads: the socket stays readable, the poll keeps firing
      });
      expect(handle.setEvents(binding.READABLE)).toBe(0);
    })();
    writeSync(other, "readable");
    await turns(2);
    expect(events).toBeGreaterThan(0);
    for (let i = 0; i < 200 && target(mine) === mineTarget; i++) {
      gc();
      await turns(2);
    }
    expect(target(mine)).not.toBe(mineTarget); // the finalizer closed it
    const seen = events;
    await turns(5);
    expect(events).toBe(seen); // the poll is gone with it
    closeSync(other);
  });
});
