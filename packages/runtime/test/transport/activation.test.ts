import { closeSync, existsSync, openSync, renameSync } from "node:fs";
import { createServer } from "node:net";
import type { Server } from "node:net";
import { join } from "node:path";
import { spawn, type StdioOptions } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { connect, ConnectionError } from "@varlink-ts/runtime";
import { listenFromEnvironment } from "@varlink-ts/runtime/transport";
import { Sandbox } from "@varlink-ts/test-kit";

const builtRuntime = fileURLToPath(new URL("../../dist/transport/index.js", import.meta.url));
const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

beforeAll(() => {
  // The probe runs packages/runtime/dist, which `pnpm test` builds before running tests.
  expect(existsSync(builtRuntime), `${builtRuntime} is missing: run npx tsc -b first`).toBe(true);
});

interface ProbeResult {
  address: string | null;
  error: { name: string; code: string | null; message: string } | null;
  env: Record<string, string | null>;
}

/**
 * Runs the probe with the given environment. With `ownPid`, LISTEN_PID is set to the probe's own
 * pid the way an activator does it (a shell exports its pid, then execs the program).
 */
async function probe(
  env: Record<string, string>,
  options: { ownPid?: boolean; fd3?: number; fds?: number[]; args?: string[] } = {},
): Promise<ProbeResult> {
  const program = [process.execPath, fileURLToPath(new URL("fixtures/activation-probe.mjs", import.meta.url)), ...(options.args ?? [])];
  const [command, args] = options.ownPid
    ? ["/bin/sh", ["-c", 'LISTEN_PID=$$; export LISTEN_PID; exec "$0" "$@"', ...program]]
    : [program[0] as string, program.slice(1)];
  const stdio: StdioOptions = ["ignore", "pipe", "inherit"];
  if (options.fd3 !== undefined) stdio.push(options.fd3);
  stdio.push(...(options.fds ?? []));
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("LISTEN_")),
  );
  const child = sandbox.track(
    spawn(command as string, args as string[], {
      stdio,
      env: { ...clean, ...env },
    }),
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += String(chunk)));
  const code = await new Promise((resolve) => child.once("close", resolve));
  expect(code, output).toBe(0);
  return JSON.parse(output) as ProbeResult;
}

describe("listenFromEnvironment", () => {
  it("returns undefined in a process that was not socket-activated", async () => {
    expect(listenFromEnvironment(() => undefined)).toBeUndefined();
    expect(await probe({})).toStrictEqual({
      address: null,
      error: null,
      env: { LISTEN_FDS: null, LISTEN_PID: null, LISTEN_FDNAMES: null, LISTEN_PIDFDID: null },
    });
  });

  it("ignores and keeps variables meant for another process", async () => {
    const result = await probe({ LISTEN_FDS: "1", LISTEN_PID: "1", LISTEN_FDNAMES: "varlink" });
    expect(result.address).toBeNull();
    expect(result.error).toBeNull();
    expect(result.env).toStrictEqual({
      LISTEN_FDS: "1",
      LISTEN_PID: "1",
      LISTEN_FDNAMES: "varlink",
      LISTEN_PIDFDID: null,
    });
  });

  it("returns undefined when LISTEN_FDS passes no socket", async () => {
    for (const fds of ["0", "", "two"]) {
      const result = await probe({ LISTEN_FDS: fds }, { ownPid: true });
      expect(result.address).toBeNull();
      expect(result.error).toBeNull();
    }
  });

  it("throws a ConnectionError when fd 3 is not a listening socket, after clearing the variables", async () => {
    const directory = await sandbox.tempDir();
    const file = openSync(join(directory, "plain-file"), "w");
    try {
      const result = await probe(
        { LISTEN_FDS: "1", LISTEN_FDNAMES: "varlink" },
        { ownPid: true, fd3: file },
      );
      expect(result.address).toBeNull();
      expect(result.error).toStrictEqual({
        name: "ConnectionError",
        code: "io",
        message:
          "cannot serve the socket passed by socket activation: fd 3 is not a listening socket",
      });
      expect(result.env).toStrictEqual({
        LISTEN_FDS: null,
        LISTEN_PID: null,
        LISTEN_FDNAMES: null,
        LISTEN_PIDFDID: null,
      });
    } finally {
      closeSync(file);
    }
  });
});

/**
 * A listening unix socket at `directory/name` and its descriptor, to pass to a child. It is bound
 * under another name and renamed, so the file outlives our copy (Node unlinks the path it bound).
 */
async function listeningSocket(directory: string, name: string): Promise<{ fd: number; close(): Promise<void> }> {
  const bound = join(directory, `bind-${name}`);
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(bound, resolve);
  });
  renameSync(bound, join(directory, name));
  const close = (): Promise<void> => new Promise((resolve) => server.close(() => resolve()));
  sandbox.track({ address: name, close });
  const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
  return { fd, close };
}

/** A plain file's descriptor, closed after the test. */
async function plainFile(): Promise<number> {
  const fd = openSync(join(await sandbox.tempDir(), "plain-file"), "w");
  sandbox.track({ address: "file", close: async () => closeSync(fd) });
  return fd;
}

const CLEARED = { LISTEN_FDS: null, LISTEN_PID: null, LISTEN_FDNAMES: null, LISTEN_PIDFDID: null };

describe("listenFromEnvironment with several sockets and LISTEN_FDNAMES", () => {
  it("serves the socket named varlink, not fd 3", async () => {
    const directory = await sandbox.tempDir();
    const socket = await listeningSocket(directory, "varlink.sock");
    // fd 3 is a plain file: serving it would throw, so a clean result means fd 4 was chosen.
    const result = await probe(
      { LISTEN_FDS: "2", LISTEN_FDNAMES: "other:varlink" },
      { ownPid: true, fds: [await plainFile(), socket.fd] },
    );
    expect(result).toStrictEqual({ address: "fd:4", error: null, env: CLEARED });
  });

  it("serves fd 3 alone when no names are given, leaving the others untouched", async () => {
    const directory = await sandbox.tempDir();
    const socket = await listeningSocket(directory, "first.sock");
    const result = await probe(
      { LISTEN_FDS: "2" },
      { ownPid: true, fds: [socket.fd, await plainFile()] },
    );
    expect(result).toStrictEqual({ address: "fd:3", error: null, env: CLEARED });
  });

  it("serves a single socket whatever its name (systemd names it after its unit)", async () => {
    const directory = await sandbox.tempDir();
    const socket = await listeningSocket(directory, "one.sock");
    const result = await probe(
      { LISTEN_FDS: "1", LISTEN_FDNAMES: "org.example.socket" },
      { ownPid: true, fds: [socket.fd] },
    );
    expect(result).toStrictEqual({ address: "fd:3", error: null, env: CLEARED });
  });

  it("throws when several sockets are named and none is varlink, or the names do not match", async () => {
    const directory = await sandbox.tempDir();
    const first = await listeningSocket(directory, "a.sock");
    const second = await listeningSocket(directory, "b.sock");
    const fds = [first.fd, second.fd];
    const unnamed = await probe({ LISTEN_FDS: "2", LISTEN_FDNAMES: "http:metrics" }, { ownPid: true, fds });
    expect(unnamed.address).toBeNull();
    expect(unnamed.error).toStrictEqual({
      name: "ConnectionError",
      code: "io",
      message:
        'cannot serve the socket passed by socket activation: none of its 2 sockets (http, metrics) is named "varlink"',
    });
    expect(unnamed.env).toStrictEqual(CLEARED);
    const miscounted = await probe({ LISTEN_FDS: "2", LISTEN_FDNAMES: "varlink" }, { ownPid: true, fds });
    expect(miscounted.error?.message).toBe(
      "cannot serve the socket passed by socket activation: LISTEN_FDNAMES names 1 sockets but LISTEN_FDS is 2",
    );
  });

  it("does not check LISTEN_PIDFDID (Node.js has no pidfd of its own) and removes it", async () => {
    const directory = await sandbox.tempDir();
    const socket = await listeningSocket(directory, "varlink.sock");
    const result = await probe(
      { LISTEN_FDS: "1", LISTEN_FDNAMES: "varlink", LISTEN_PIDFDID: "1" },
      { ownPid: true, fds: [socket.fd] },
    );
    expect(result).toStrictEqual({ address: "fd:3", error: null, env: CLEARED });
  });

  it("answers on the varlink socket of a real service and not on the other one", async () => {
    const directory = await sandbox.tempDir();
    const other = await listeningSocket(directory, "other.sock");
    const varlink = await listeningSocket(directory, "varlink.sock");
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith("LISTEN_")),
    );
    const child = sandbox.track(
      spawn(
        "/bin/sh",
        ["-c", 'LISTEN_PID=$$; export LISTEN_PID; exec "$0" "$@"', process.execPath, fileURLToPath(new URL("fixtures/activated-counter.mjs", import.meta.url))],
        {
          stdio: ["ignore", "inherit", "inherit", other.fd, varlink.fd],
          env: { ...clean, LISTEN_FDS: "2", LISTEN_FDNAMES: "other:varlink" },
        },
      ),
    );
    // The child has its copies now; ours must not accept the connections meant for it.
    await other.close();
    await varlink.close();

    const connection = await connect(`unix:${join(directory, "varlink.sock")}`);
    try {
      const info = await connection.call("org.example.counter.Info", {});
      expect(info["pid"]).toBe(child.pid);
      expect(info["address"]).toBe("fd:4");
    } finally {
      connection.close();
    }
    // Nobody accepts on the other socket: the connection waits in its queue and the call times out.
    const unserved = await connect(`unix:${join(directory, "other.sock")}`);
    try {
      const failure = await unserved.call("org.example.counter.Info", {}, { timeout: 300 }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(ConnectionError);
      expect((failure as ConnectionError).code).toBe("timeout");
    } finally {
      unserved.close();
    }
  });
});
