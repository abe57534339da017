/**
 * `exec:` connections: start the service with socket activation and connect to it.
 *
 * The listening socket lives in a private temporary directory. It is bound by us, passed to the
 * child as fd 3 with `LISTEN_FDS=1`, `LISTEN_PID` and `LISTEN_FDNAMES=varlink` (the systemd
 * protocol) and `--varlink=unix:PATH` as the last argument, and then closed on our side, so only
 * the child can accept. The child's stdout goes to our stderr: a service's chatter must not mix
 * with the output of the program that started it.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import type { Server } from "node:net";
import { renameSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { ConnectionError } from "../errors.js";
import type { ExecAddress } from "./address.js";
import { ChildHandle, findExecutable } from "./child-process.js";
import { ChildStream } from "./child-stream.js";
import { connectSocket } from "./connect-socket.js";

/**
 * Runs the program with `LISTEN_PID` set to its own pid, which is unknown before it starts: the
 * shell exports its own pid and then becomes the program with `exec`, keeping that pid.
 */
const SET_LISTEN_PID = 'LISTEN_PID=$$; export LISTEN_PID; exec "$0" "$@"';

/** Socket paths are limited to 107 bytes; fall back to /tmp when TMPDIR is too deep for one. */
function socketParent(): string {
  const base = tmpdir();
  return Buffer.byteLength(base) > 64 ? "/tmp" : base;
}

/**
 * Starts the service of an `exec:` address and connects to it. Rejects with `signal.reason` when
 * the signal fires, and with a ConnectionError naming the program and its exit status when it
 * exits before the connection is made.
 */
export async function openExecStream(
  address: ExecAddress,
  label: string,
  signal: AbortSignal,
): Promise<Duplex> {
  const program = await findExecutable(address.command, label);
  if (signal.aborted) throw signal.reason;
  const directory = await mkdtemp(join(socketParent(), "varlink-exec-"));
  const removeDirectory = (): Promise<void> => rm(directory, { recursive: true, force: true });
  let handle: ChildHandle | undefined;
  try {
    const socketPath = join(directory, "varlink.sock");
    handle = await startActivated(program, address.args, directory, socketPath);
    const started = handle;
    const attempt = new AbortController();
    const onAbort = (): void => attempt.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    void started.exited.then(() =>
      attempt.abort(
        started.exitError("io", `cannot start ${label}`, "before accepting the connection"),
      ),
    );
    try {
      const socket = await connectSocket({ kind: "unix", path: socketPath }, label, attempt.signal);
      return new ChildStream(socket, socket, started, {
        label,
        awaitExitOnEnd: false,
        cleanup: removeDirectory,
      });
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  } catch (error) {
    let failure = error;
    if (handle !== undefined) {
      await handle.terminate();
      if (error !== signal.reason && handle.endedOnItsOwn) {
        // 127 is the shell's "command not found": the program was removed after we found it.
        const code = handle.child.exitCode === 127 ? "not-found" : "io";
        failure = handle.exitError(
          code,
          `cannot start ${label}`,
          "before accepting the connection",
        );
      }
    }
    await removeDirectory().catch(() => undefined);
    throw failure;
  }
}

async function startActivated(
  program: string,
  args: readonly string[],
  directory: string,
  socketPath: string,
): Promise<ChildHandle> {
  // Node removes a socket file when the server bound to it closes. Binding under another name and
  // renaming it keeps the file for the child after we close our copy of the socket.
  const bindPath = join(directory, "bind.sock");
  const server = await bindSocket(bindPath);
  try {
    renameSync(bindPath, socketPath);
    const env: NodeJS.ProcessEnv = { ...process.env, LISTEN_FDS: "1", LISTEN_FDNAMES: "varlink" };
    delete env["LISTEN_PID"];
    const child = spawn(
      "/bin/sh",
      ["-c", SET_LISTEN_PID, program, ...args, `--varlink=unix:${socketPath}`],
      {
        stdio: ["ignore", 2, "inherit", listeningDescriptor(server)],
        env,
      },
    );
    return new ChildHandle(child, program);
  } finally {
    // The child holds its own copy now; ours must not accept the connection meant for it.
    server.close();
  }
}

function bindSocket(path: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error) =>
      reject(
        new ConnectionError("io", `cannot create a socket at ${path}: ${error.message}`, {
          cause: error,
        }),
      ),
    );
    server.listen(path, () => resolve(server));
  });
}

/**
 * The descriptor of a listening server, to hand to a child. Node has no public way to pass a
 * listening socket to `spawn` (its stdio accepts sockets, not servers), so this reads the
 * descriptor of the server's handle.
 */
function listeningDescriptor(server: Server): number {
  const fd = (server as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
  if (typeof fd !== "number" || fd < 0) {
    throw new ConnectionError(
      "io",
      "cannot pass a listening socket to a child: this Node.js does not expose its descriptor",
    );
  }
  return fd;
}
