/**
 * File-descriptor passing through the runtime (UAPI.20, with the optional @varlink-ts/native):
 * our client and our service with each other and with a peer we did not write, Python's
 * standard library (socket.send_fds/recv_fds) speaking the wire protocol. A descriptor passed
 * over survives (the other side reads from it or writes to it); descriptors are refused where
 * not opted in, and thousands of messages leak none.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, read, readdirSync, rmSync, writeSync } from "node:fs";
import { promisify } from "node:util";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  connect,
  createClient,
  defineInterface,
  InvalidParameterError,
  method,
  VarlinkService,
  type CallContext,
  type Connection,
} from "@varlink-ts/runtime";
import { peerCredentials, takeFds, withFds } from "@varlink-ts/runtime/fds";
import { connectUnix, pipe } from "@varlink-ts/native";

const readAsync = promisify(read);
const PEER = fileURLToPath(new URL("../../../native/test/peer.py", import.meta.url));

const IDL = `interface org.example.fds

# Writes text to the descriptor sent with the call.
method WriteTo(text: string) -> (written: int)

# Replies with the read end of a pipe holding text.
method Open(text: string) -> (fd: int)

# How many descriptors came with the call; with back, replies with one.
method Count(seq: ?int, back: ?bool) -> (count: int, seq: ?int)

# The caller, as the service sees it.
method Peer() -> (uid: int, gid: int, pid: int)
`;

let dir: string;
const cleanups: (() => unknown)[] = [];
const children: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "varlink-fds-"));
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

function openFdCount(): number {
  return readdirSync("/proc/self/fd").length;
}

/**
 * Everything until end of file from `fd`, which is closed. Read in the thread pool, so that a
 * write end left open fails the test by its timeout instead of blocking the process.
 */
async function readAll(fd: number): Promise<string> {
  const chunks: Buffer[] = [];
  for (;;) {
    const buffer = Buffer.alloc(65536);
    const { bytesRead } = await readAsync(fd, buffer, 0, buffer.length, null);
    if (bytesRead === 0) break;
    chunks.push(buffer.subarray(0, bytesRead));
  }
  closeSync(fd);
  return Buffer.concat(chunks).toString();
}

/** Our service of org.example.fds at a fresh socket. */
async function startService(options: { fds?: boolean } = { fds: true }): Promise<{ address: string; peers: unknown[] }> {
  const peers: unknown[] = [];
  const service = new VarlinkService({ vendor: "Test", product: "fds", version: "1", url: "https://example.org" }, options);
  service.addInterface(IDL, {
    WriteTo(parameters: { text: string }) {
      const fds = takeFds(parameters);
      if (fds.length !== 1) {
        for (const fd of fds) closeSync(fd);
        throw new InvalidParameterError({ parameter: "fd" });
      }
      const written = writeSync(fds[0]!, parameters.text);
      closeSync(fds[0]!);
      return { written };
    },
    Open({ text }: { text: string }) {
      const [readEnd, writeEnd] = pipe();
      writeSync(writeEnd, text);
      closeSync(writeEnd);
      return withFds({ fd: 0 }, [readEnd]);
    },
    // Leaves what came with the call to the runtime, which closes it when the call ends.
    Count(parameters: { seq?: number | null; back?: boolean | null }) {
      const reply = { count: takeFds(parameters).map((fd) => closeSync(fd)).length, seq: parameters.seq ?? null };
      return parameters.back === true ? withFds(reply, [openSync("/dev/null", "r")]) : reply;
    },
    Peer(_parameters: object, context: CallContext) {
      peers.push(context.peer);
      const peer = context.peer as { uid?: number; gid?: number; pid?: number };
      return { uid: peer.uid ?? -1, gid: peer.gid ?? -1, pid: peer.pid ?? -1 };
    },
  });
  const listener = await service.listen(`unix:${join(dir, "fds.sock")}`);
  cleanups.push(() => service.close({ grace: 0 }));
  return { address: listener.address, peers };
}

async function client(address: string, fds = true): Promise<Connection> {
  const connection = await connect(address, { fds });
  cleanups.push(() => connection.close());
  return connection;
}

/** Python's service (peer.py serve), listening at a fresh socket path. */
async function pythonService(): Promise<{ address: string; pid: number }> {
  const path = join(dir, "python.sock");
  const child = spawn("python3", [PEER, "serve", path], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once("data", (data: Buffer) => (data.toString().startsWith("READY") ? resolve() : reject(new Error(data.toString()))));
    child.once("exit", (code) => reject(new Error(`peer.py exited with ${code}; is python3 (3.9+) installed?`)));
  });
  return { address: `unix:${path}`, pid: child.pid! };
}

/** Runs Python's client (peer.py call) against `address`; resolves with its JSON lines. */
function pythonClient(address: string, steps: object[]): Promise<{ lines: Record<string, unknown>[]; pid: number }> {
  const child = spawn("python3", [PEER, "call", address.replace(/^unix:/, ""), JSON.stringify(steps)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  let out = "";
  child.stdout!.on("data", (data: Buffer) => (out += data.toString()));
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => {
      if (code !== 0) reject(new Error(`peer.py call exited with ${code}: ${out}`));
      else resolve({ lines: out.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>), pid: child.pid! });
    });
  });
}

describe("our client and our service", () => {
  it("send a descriptor with a call and get one back with a reply, each usable on the other side", async () => {
    const { address } = await startService();
    const connection = await client(address);
    const [readEnd, writeEnd] = pipe();
    expect(await connection.call("org.example.fds.WriteTo", withFds({ text: "through the pipe" }, [writeEnd]))).toEqual({ written: 16 });
    expect(await readAll(readEnd)).toBe("through the pipe");
    const reply = await connection.call<{ fd: number }>("org.example.fds.Open", { text: "from the service" });
    const [fd] = takeFds(reply);
    expect(reply.fd).toBe(0);
    expect(await readAll(fd!)).toBe("from the service");
    // Taken once: a second take finds none.
    expect(takeFds(reply)).toEqual([]);
  });

  it("carries descriptors through a typed client, its parameters and replies typed as the interface's", async () => {
    const { address } = await startService();
    const Fds = defineInterface({
      name: "org.example.fds",
      description: IDL,
      methods: {
        writeTo: method<{ text: string }, { written: number }>("WriteTo"),
        open: method<{ text: string }, { fd: number }>("Open"),
      },
    });
    const typed = createClient(Fds, await client(address));
    const [readEnd, writeEnd] = pipe();
    const { written } = await typed.writeTo(withFds({ text: "typed" }, [writeEnd]));
    expect(written).toBe(5);
    expect(await readAll(readEnd)).toBe("typed");
    const reply = await typed.open({ text: "typed back" });
    expect(await readAll(takeFds(reply)[reply.fd]!)).toBe("typed back");
  });

  it("tells the service who called (SO_PEERCRED), and the client who serves", async () => {
    const { address } = await startService();
    const connection = await client(address, false);
    expect(await connection.call("org.example.fds.Peer")).toEqual({ uid: process.getuid!(), gid: process.getgid!(), pid: process.pid });
    expect(await peerCredentials(connection)).toEqual({ uid: process.getuid!(), gid: process.getgid!(), pid: process.pid });
  });

  it("refuses to send descriptors on a connection made without fds", async () => {
    const { address } = await startService();
    const connection = await client(address, false);
    const [readEnd, writeEnd] = pipe();
    await expect(connection.call("org.example.fds.WriteTo", withFds({ text: "x" }, [writeEnd]))).rejects.toThrow(/cannot pass file descriptors/);
    // The descriptor handed over was closed: the pipe reads end of file.
    expect(await readAll(readEnd)).toBe("");
  });

  it("refuses descriptors that arrive on a chunk that does not begin a message", async () => {
    const { address } = await startService();
    const socket = await connectUnix(address.replace(/^unix:/, ""), { acceptFds: true });
    cleanups.push(() => socket.destroy());
    const replies: string[] = [];
    socket.on("data", (data: Buffer) => replies.push(...data.toString().split("\0").filter((text) => text !== "")));
    const first = '{"method":"org.example.fds.Count","parameters":{"seq":1}}\0';
    const second = '{"method":"org.example.fds.Count","parameters":{"seq":2}}\0';
    // The first call whole and half of the second; once the first is answered, the rest of the
    // second with a descriptor: its chunk begins inside a message.
    socket.write(first + second.slice(0, 20));
    await until(() => replies.length === 1);
    const [readEnd, writeEnd] = pipe();
    socket.writeWithFds(second.slice(20), [writeEnd], () => closeSync(writeEnd));
    await until(() => replies.length === 2);
    expect(replies.map((text) => JSON.parse(text) as unknown)).toEqual([
      { parameters: { count: 0, seq: 1 } },
      { parameters: { count: 0, seq: 2 } },
    ]);
    // The service closed the refused descriptor: the pipe's last write end is gone.
    expect(await readAll(readEnd)).toBe("");
  });

  it("leaks no descriptor over thousands of calls and replies carrying them", async () => {
    const { address } = await startService();
    const connection = await client(address);
    // One warm-up call first: what the process opens once (a /dev/null, a pipe of libuv's) is
    // not a leak.
    for (const fd of takeFds(await connection.call("org.example.fds.Count", withFds({ back: true }, [openSync("/dev/null", "r")])))) closeSync(fd);
    const before = openFdCount();
    for (let round = 0; round < 20; round++) {
      const calls = Array.from({ length: 100 }, (_, seq) =>
        connection.call<{ count: number; seq: number }>(
          "org.example.fds.Count",
          withFds({ seq, back: seq % 2 === 0 }, [openSync("/dev/null", "r"), openSync("/dev/null", "r")]),
        ),
      );
      for (const reply of await Promise.all(calls)) {
        expect(reply.count).toBe(2);
        for (const fd of takeFds(reply)) closeSync(fd);
      }
    }
    expect(openFdCount()).toBe(before);
  });
});

describe("with Python's standard library as the peer", () => {
  it("our client passes a descriptor to Python, and reads one Python passes back", async () => {
    const python = await pythonService();
    const connection = await client(python.address);
    const [readEnd, writeEnd] = pipe();
    expect(await connection.call("org.example.fds.WriteTo", withFds({ text: "hello python" }, [writeEnd]))).toEqual({ written: 12 });
    expect(await readAll(readEnd)).toBe("hello python");
    const reply = await connection.call<{ fd: number }>("org.example.fds.Open", { text: "hello node" });
    expect(await readAll(takeFds(reply)[0]!)).toBe("hello node");
    expect(await peerCredentials(connection)).toEqual({ uid: process.getuid!(), gid: process.getgid!(), pid: python.pid });
  });

  it("Python's client passes a descriptor to our service, and reads one it passes back", async () => {
    const { address, peers } = await startService();
    const { lines, pid } = await pythonClient(address, [
      { method: "org.example.fds.WriteTo", parameters: { text: "written by node" }, fd: "pipe-write" },
      { method: "org.example.fds.Open", parameters: { text: "read by python" } },
      { method: "org.example.fds.Peer" },
    ]);
    expect(lines[0]).toMatchObject({ connected: true, pid: process.pid });
    expect(lines[1]).toEqual({ reply: { parameters: { written: 15 } }, fdCount: 0, pipeText: "written by node" });
    expect(lines[2]).toEqual({ reply: { parameters: { fd: 0 } }, fdCount: 1, fdText: "read by python" });
    expect(lines[3]).toMatchObject({ reply: { parameters: { uid: process.getuid!(), pid } } });
    expect(peers).toEqual([{ transport: "unix", uid: process.getuid!(), gid: process.getgid!(), pid }]);
  });

  it("a service made without fds gets none of Python's descriptors, and says so", async () => {
    const { address } = await startService({});
    const { lines } = await pythonClient(address, [
      { method: "org.example.fds.WriteTo", parameters: { text: "x" }, fd: "pipe-write" },
    ]);
    const step = lines[1]!;
    // Either the kernel refused the send (SO_PASSRIGHTS off) or the descriptor was dropped.
    if (step["sendError"] === undefined) {
      expect(step).toMatchObject({ reply: { error: "org.varlink.service.InvalidParameter" }, pipeText: "" });
    } else {
      expect(step["sendError"]).toBe("EPERM");
    }
  });

  it("a client connected without fds takes none of Python's", async () => {
    const python = await pythonService();
    const connection = await client(python.address, false);
    const reply = await connection.call<{ fd: number }>("org.example.fds.Open", { text: "lost" });
    expect(reply).toEqual({ fd: 0 });
    expect(takeFds(reply)).toEqual([]);
  });

  it("leaks no descriptor over a thousand calls with Python, both ways", async () => {
    const python = await pythonService();
    const connection = await client(python.address);
    for (const fd of takeFds(await connection.call("org.example.fds.Count", withFds({ back: true }, [openSync("/dev/null", "r")])))) closeSync(fd);
    const before = openFdCount();
    for (let round = 0; round < 10; round++) {
      const calls = Array.from({ length: 100 }, (_, seq) =>
        connection.call<{ count: number }>("org.example.fds.Count", withFds({ seq, back: true }, [openSync("/dev/null", "r")])),
      );
      for (const reply of await Promise.all(calls)) {
        expect(reply.count).toBe(1);
        const fds = takeFds(reply);
        expect(fds.length).toBe(1);
        for (const fd of fds) closeSync(fd);
      }
    }
    expect(openFdCount()).toBe(before);
  });
});

/** Resolves once `condition` holds, checking after each turn of the event loop. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
