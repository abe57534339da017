/**
 * @varlink-ts/native against a peer we did not write: Python's standard library (send_fds,
 * recv_fds, SO_PEERCRED) speaking varlink's wire protocol with file descriptors, both ways.
 */
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { createConnection } from "node:net";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type FdSocket,
  connectUnix,
  listenUnix,
  peerCredentials,
  peerPidfd,
  pipe,
} from "../src/index.js";
import type { FdServer, RefusedFds } from "../src/index.js";
import { MessageReader, frame, killPeers, newFds, once, openFds, startPeer } from "./helpers.js";

let dir: string;
const cleanups: Array<() => unknown> = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "varlink-native-"));
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await killPeers();
  rmSync(dir, { recursive: true, force: true });
});

/** A unique abstract name for this test run. */
function abstractName(label: string): string {
  return `varlink-native-test-${process.pid}-${label}-${Math.random().toString(36).slice(2)}`;
}

/** Starts the Python service on `address` and waits until it listens. */
async function pythonService(address: string) {
  const peer = startPeer("serve", address);
  expect(await peer.line()).toBe("READY");
  return peer;
}

async function connect(address: string, acceptFds: boolean): Promise<FdSocket> {
  const socket = await connectUnix(address, { acceptFds });
  cleanups.push(() => destroyAndWait(socket));
  return socket;
}

async function destroyAndWait(socket: FdSocket | Socket): Promise<void> {
  if (socket.closed) return;
  const closed = once(socket, "close");
  socket.destroy();
  await closed;
}

async function serve(
  address: string,
  onConnection: (socket: FdSocket) => void,
  options: Parameters<typeof listenUnix>[2] = {},
): Promise<FdServer> {
  const server = await listenUnix(address, onConnection, options);
  cleanups.push(() => server.close());
  return server;
}

describe("a client talking to a Python varlink service", () => {
  it("sends a pipe's write end; Python writes through it and we read the text", async () => {
    const address = join(dir, "service.sock");
    await pythonService(address);
    const socket = await connect(address, false);
    const reader = new MessageReader(socket);
    const [readFd, writeFd] = pipe();
    const written = new Promise<void>((resolve, reject) =>
      socket.writeWithFds(
        frame({
          method: "org.example.fds.WriteTo",
          parameters: { fd: 0, text: "written by python" },
        }),
        [writeFd],
        (error) => (error ? reject(error) : resolve()),
      ),
    );
    await written;
    closeSync(writeFd); // the caller owns what it sent: Python holds its own copy now
    const reply = await reader.next();
    expect(reply.message).toEqual({ parameters: { written: 17 } });
    expect(readFileSync(readFd, "utf8")).toBe("written by python"); // EOF: every write end closed
    closeSync(readFd);
  });

  it("sends a temporary file; Python reads it and replies with its content", async () => {
    const address = join(dir, "service.sock");
    await pythonService(address);
    const file = join(dir, "input.txt");
    writeFileSync(file, "content of a temporary file\n");
    const fd = openSync(file, "r");
    const socket = await connect(address, false);
    const reader = new MessageReader(socket);
    socket.writeWithFds(
      frame({ method: "org.example.fds.ReadFrom", parameters: { fd: 0 } }),
      [fd],
      () => closeSync(fd),
    );
    const reply = await reader.next();
    expect(reply.message).toEqual({ parameters: { text: "content of a temporary file\n" } });
  });

  it("receives an fd in a reply, tied to the offset where that reply begins", async () => {
    const address = join(dir, "service.sock");
    await pythonService(address);
    const socket = await connect(address, true);
    const reader = new MessageReader(socket);
    const received: number[] = [];
    socket.on("fds", ({ offset }) => received.push(offset));

    socket.write(frame({ method: "org.example.fds.Peer" }));
    const first = await reader.next();
    expect(first.fds).toEqual([]);

    socket.write(
      frame({ method: "org.example.fds.Open", parameters: { text: "from a python pipe" } }),
    );
    const second = await reader.next();
    expect(second.message).toEqual({ parameters: { fd: 0 } });
    expect(second.fds).toHaveLength(1);
    expect(second.offset).toBe(first.size);
    expect(received).toEqual([second.offset]);
    expect(readFileSync(second.fds[0]!, "utf8")).toBe("from a python pipe");
    closeSync(second.fds[0]!);
  });

  it("refuses fds when not opted in: closes and reports them, still delivers the bytes", async () => {
    const address = join(dir, "service.sock");
    await pythonService(address);
    const socket = await connect(address, false);
    const reader = new MessageReader(socket);
    socket.write(frame({ method: "org.example.fds.Stats" }));
    await reader.next(); // the connection and Python's thread are set up
    const before = openFds();

    socket.write(frame({ method: "org.example.fds.Open", parameters: { text: "unwanted" } }));
    const reply = await reader.next();
    expect(reply.message).toEqual({ parameters: { fd: 0 } });
    expect(reply.fds).toEqual([]);
    expect(reader.refused).toEqual<RefusedFds[]>([
      { count: 1, offset: reply.offset, length: reply.size, reason: "not-accepted" },
    ]);
    expect(newFds(before, openFds())).toEqual([]);

    // Opting in later takes effect from the next read.
    socket.setAcceptFds(true);
    socket.write(frame({ method: "org.example.fds.Open", parameters: { text: "wanted" } }));
    const accepted = await reader.next();
    expect(accepted.fds).toHaveLength(1);
    expect(readFileSync(accepted.fds[0]!, "utf8")).toBe("wanted");
    closeSync(accepted.fds[0]!);
  });

  it("closes fds that nobody listens for, even when accepting them", async () => {
    const address = join(dir, "service.sock");
    await pythonService(address);
    const socket = await connect(address, true);
    const refused: RefusedFds[] = [];
    socket.on("fds-refused", (event) => refused.push(event));
    const data: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => data.push(chunk));
    const before = openFds();
    socket.write(frame({ method: "org.example.fds.Open", parameters: { text: "x" } }));
    await once(socket, "data");
    const bytes = Buffer.concat(data);
    expect(JSON.parse(bytes.subarray(0, -1).toString())).toEqual({ parameters: { fd: 0 } });
    expect(refused).toEqual([{ count: 1, offset: 0, length: bytes.length, reason: "no-listener" }]);
    expect(newFds(before, openFds())).toEqual([]);
  });

  it("reads the peer's credentials, and Python reads ours", async () => {
    const address = join(dir, "service.sock");
    const peer = await pythonService(address);
    const socket = await connect(address, false);
    const credentials = peerCredentials(socket);
    expect(credentials).toEqual({
      pid: peer.child.pid,
      uid: process.getuid!(),
      gid: process.getgid!(),
    });

    const reader = new MessageReader(socket);
    socket.write(frame({ method: "org.example.fds.Peer" }));
    const reply = await reader.next();
    expect(reply.message.parameters).toEqual({
      pid: process.pid,
      uid: process.getuid!(),
      gid: process.getgid!(),
      self: peer.child.pid,
    });

    const pidfd = peerPidfd(socket);
    if (pidfd !== undefined) {
      // Linux 6.5+: a pidfd of the Python process
      const info = readFileSync(`/proc/self/fdinfo/${pidfd}`, "utf8");
      expect(info).toMatch(new RegExp(`^Pid:\\s+${peer.child.pid}$`, "m"));
      closeSync(pidfd);
    }
  });

  it("reads the credentials of an ordinary net.Socket too", async () => {
    const address = join(dir, "service.sock");
    const peer = await pythonService(address);
    const socket = createConnection(address);
    cleanups.push(() => destroyAndWait(socket));
    await once(socket, "connect");
    expect(peerCredentials(socket)).toEqual({
      pid: peer.child.pid,
      uid: process.getuid!(),
      gid: process.getgid!(),
    });
  });

  it("reaches an abstract socket that Python bound with the exact name length", async () => {
    const name = abstractName("py-listens");
    const peer = await pythonService(`@${name}`);
    const socket = await connect(`@${name}`, true);
    expect(socket.remoteAddress).toBe(`@${name}`);
    expect(peerCredentials(socket).pid).toBe(peer.child.pid);
    const reader = new MessageReader(socket);
    socket.write(frame({ method: "org.example.fds.Open", parameters: { text: "abstract" } }));
    const reply = await reader.next();
    expect(readFileSync(reply.fds[0]!, "utf8")).toBe("abstract");
    closeSync(reply.fds[0]!);
  });

  it("sends and receives thousands of messages with fds without leaking any", async () => {
    const address = join(dir, "service.sock");
    await pythonService(address);
    const warmup = await connect(address, true);
    const warmReader = new MessageReader(warmup);
    warmup.write(frame({ method: "org.example.fds.Stats" }));
    const pythonBefore = (await warmReader.next()).message.parameters;
    const before = openFds();

    const socket = await connectUnix(address, { acceptFds: true });
    const reader = new MessageReader(socket);
    const devnull = openSync("/dev/null", "r+");
    const count = 3000;
    // All calls are written at once (pipelined); each carries an fd; each reply carries one.
    let lastWrite: Promise<void> = Promise.resolve();
    for (let seq = 0; seq < count; seq++) {
      lastWrite = new Promise((resolve, reject) =>
        socket.writeWithFds(
          frame({ method: "org.example.fds.Count", parameters: { seq, back: true } }),
          [devnull],
          (error) => (error ? reject(error) : resolve()),
        ),
      );
    }
    await lastWrite;
    closeSync(devnull);
    for (let seq = 0; seq < count; seq++) {
      const reply = await reader.next();
      expect(reply.message.parameters).toEqual({ count: 1, seq });
      expect(reply.fds).toHaveLength(1);
      closeSync(reply.fds[0]!);
    }
    expect(reader.refused).toEqual([]);
    expect(reader.misplaced).toBe(0);
    // End our side and wait for Python's: it closes its fds for the connection before the socket.
    const closed = once(socket, "close");
    socket.end();
    await closed;
    expect(newFds(before, openFds())).toEqual([]);

    warmup.write(frame({ method: "org.example.fds.Stats" }));
    const pythonAfter = (await warmReader.next()).message.parameters;
    expect(pythonAfter).toEqual(pythonBefore); // Python closed all 3000 too and refused none
  });
});

describe("a Node service talking to a Python client", () => {
  /** Serves WriteTo (writes through the fd received with the call) and Open (replies with one). */
  function fdService(socket: FdSocket): void {
    const reader = new MessageReader(socket);
    void (async () => {
      for (;;) {
        let call;
        try {
          call = await reader.next();
        } catch {
          return;
        }
        const { method, parameters } = call.message;
        if (method === "org.example.node.WriteTo") {
          const ok = call.fds.length === 1;
          if (ok) writeSync(call.fds[0]!, parameters.text);
          for (const fd of call.fds) closeSync(fd);
          socket.write(
            frame(
              ok
                ? { parameters: {} }
                : {
                    error: "org.varlink.service.InvalidParameter",
                    parameters: { parameter: "fd" },
                  },
            ),
          );
        } else if (method === "org.example.node.Open") {
          const [readFd, writeFd] = pipe();
          writeSync(writeFd, parameters.text);
          closeSync(writeFd);
          socket.writeWithFds(frame({ parameters: { fd: 0 } }), [readFd], () => closeSync(readFd));
          for (const fd of call.fds) closeSync(fd);
        } else if (method === "org.example.node.Peer") {
          socket.write(frame({ parameters: peerCredentials(socket) }));
          for (const fd of call.fds) closeSync(fd);
        } else {
          socket.write(
            frame({ error: "org.varlink.service.MethodNotFound", parameters: { method } }),
          );
          for (const fd of call.fds) closeSync(fd);
        }
      }
    })();
  }

  it("receives an fd from Python, writes through it, and sends one back", async () => {
    const address = join(dir, "node.sock");
    const connections: FdSocket[] = [];
    await serve(
      address,
      (socket) => {
        connections.push(socket);
        cleanups.push(() => destroyAndWait(socket));
        fdService(socket);
      },
      { acceptFds: true },
    );
    const peer = startPeer(
      "call",
      address,
      JSON.stringify([
        {
          method: "org.example.node.WriteTo",
          parameters: { fd: 0, text: "written by node" },
          fd: "pipe-write",
        },
        { method: "org.example.node.Open", parameters: { text: "from a node pipe" } },
        { method: "org.example.node.Peer" },
      ]),
    );
    const connected = await peer.line();
    expect(connected).toMatchObject({ connected: true, pid: process.pid, uid: process.getuid!() });
    expect(await peer.line()).toEqual({
      reply: { parameters: {} },
      fdCount: 0,
      pipeText: "written by node",
    });
    expect(await peer.line()).toEqual({
      reply: { parameters: { fd: 0 } },
      fdCount: 1,
      fdText: "from a node pipe",
    });
    expect(await peer.line()).toEqual({
      reply: {
        parameters: { pid: connected.self, uid: process.getuid!(), gid: process.getgid!() },
      },
      fdCount: 0,
    });
    expect(await peer.line()).toEqual({ done: true });
    expect(await peer.exited).toBe(0);
  });

  it("listens on an abstract socket that Python reaches with the exact name length", async () => {
    const name = abstractName("node-listens");
    const server = await serve(`@${name}`, (socket) => {
      cleanups.push(() => destroyAndWait(socket));
      fdService(socket);
    });
    expect(server.address).toBe(`@${name}`);
    const peer = startPeer(
      "call",
      `@${name}`,
      JSON.stringify([{ method: "org.example.node.Peer" }]),
    );
    const connected = await peer.line();
    // getpeername() in Python: exactly a NUL and the name, no padding to 108 bytes
    expect(connected.peername).toBe(Buffer.from(`\0${name}`).toString("hex"));
    expect((await peer.line()).reply.parameters.pid).toBe(connected.self);
    expect(await peer.line()).toEqual({ done: true });
  });

  it("refuses fds from clients unless opted in; the call still gets through", async () => {
    const address = join(dir, "strict.sock");
    const refusedOnServer: RefusedFds[] = [];
    await serve(address, (socket) => {
      cleanups.push(() => destroyAndWait(socket));
      socket.on("fds-refused", (refused) => refusedOnServer.push(refused));
      fdService(socket);
    });
    const steps = JSON.stringify([
      { method: "org.example.node.WriteTo", parameters: { fd: 0, text: "x" }, fd: "devnull" },
      { method: "org.example.node.Peer" },
    ]);
    const peer = startPeer("call", address, steps);
    await peer.line();
    const first = await peer.line();
    if ("sendError" in first) {
      // Linux 6.16+: SO_PASSRIGHTS is off on the listening socket, so the kernel refuses
      expect(first).toEqual({ sendError: "EPERM" });
    } else {
      // older kernels: the fd arrived, was closed and reported; the call went through without it
      expect(first.reply.error).toBe("org.varlink.service.InvalidParameter");
      expect(refusedOnServer).toHaveLength(1);
    }
    expect((await peer.line()).reply.parameters.pid).toBeGreaterThan(0);
    expect(await peer.line()).toEqual({ done: true });
  });

  it("with keepPassRights, receives the fds a client sends anyway, closes and reports them", async () => {
    const address = join(dir, "lenient.sock");
    const refusedOnServer: RefusedFds[] = [];
    await serve(
      address,
      (socket) => {
        cleanups.push(() => destroyAndWait(socket));
        socket.on("fds-refused", (refused) => refusedOnServer.push(refused));
        fdService(socket);
      },
      { keepPassRights: true },
    );
    const peer = startPeer(
      "call",
      address,
      JSON.stringify([
        { method: "org.example.node.WriteTo", parameters: { fd: 0, text: "x" }, fd: "devnull" },
      ]),
    );
    await peer.line();
    expect((await peer.line()).reply).toEqual({
      error: "org.varlink.service.InvalidParameter",
      parameters: { parameter: "fd" },
    });
    expect(refusedOnServer).toEqual([
      expect.objectContaining({ count: 1, offset: 0, reason: "not-accepted" }),
    ]);
    expect(await peer.line()).toEqual({ done: true });
  });
});
