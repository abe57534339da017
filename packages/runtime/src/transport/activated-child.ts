/**
 * Starting a service with socket activation, shared by `exec:` connections (one connection per
 * child) and `activate()` (one child, many connections).
 *
 * The listening socket lives in a private temporary directory. It is bound by us, passed to the
 * child as fd 3 with `LISTEN_FDS=1`, `LISTEN_PID` and `LISTEN_FDNAMES=varlink` (the systemd
 * protocol), `VARLINK_ADDRESS=unix:PATH` and `--varlink=unix:PATH` as the last argument (as the
 * Python binding does), and then closed on our side, so only the child accepts. The socket file
 * stays, so clients can connect to it for as long as the child listens. The child's stdout goes to
 * our stderr: a service's chatter must not mix with the output of the program that started it.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import type { Server } from "node:net";
import { renameSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConnectionError } from "../errors.js";
import { ChildHandle } from "./child-process.js";

/**
 * Runs the program with `LISTEN_PID` set to its own pid, which is unknown before it starts: the
 * shell exports its own pid and then becomes the program with `exec`, keeping that pid.
 */
const SET_LISTEN_PID = 'LISTEN_PID=$$; export LISTEN_PID; exec "$0" "$@"';

/** A started service and the private directory of its socket. */
export interface ActivatedChild {
  handle: ChildHandle;
  /** The socket's path; `unix:` + this is the service's address. */
  socketPath: string;
  /** Removes the socket's directory; harmless to call again. */
  removeDirectory(): Promise<void>;
}

/** Socket paths are limited to 107 bytes; fall back to /tmp when TMPDIR is too deep for one. */
function socketParent(): string {
  const base = tmpdir();
  return Buffer.byteLength(base) > 64 ? "/tmp" : base;
}

/**
 * Creates the socket directory and starts `program` (already resolved by findExecutable) on a
 * listening socket in it. Resolves once the child is spawned: connections made from then on wait
 * in the socket's queue until the child accepts them. On failure the directory is removed.
 *
 * @param extraEnv variables added to the child's environment (undefined removes one).
 */
export async function startActivatedChild(
  program: string,
  args: readonly string[],
  prefix: string,
  extraEnv: Readonly<Record<string, string | undefined>> = {},
): Promise<ActivatedChild> {
  const directory = await mkdtemp(join(socketParent(), prefix));
  const removeDirectory = (): Promise<void> => rm(directory, { recursive: true, force: true });
  try {
    const socketPath = join(directory, "varlink.sock");
    // Node removes a socket file when the server bound to it closes. Binding under another name
    // and renaming it keeps the file for the child after we close our copy of the socket.
    const bindPath = join(directory, "bind.sock");
    const server = await bindSocket(bindPath);
    try {
      renameSync(bindPath, socketPath);
      const address = `unix:${socketPath}`;
      const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
      for (const [name, value] of Object.entries(extraEnv)) {
        if (value === undefined) delete env[name];
      }
      // Ours, not the caller's: a stale LISTEN_PIDFDID or a second name would misdirect the child.
      delete env["LISTEN_PID"];
      delete env["LISTEN_PIDFDID"];
      Object.assign(env, { LISTEN_FDS: "1", LISTEN_FDNAMES: "varlink", VARLINK_ADDRESS: address });
      const argv = ["-c", SET_LISTEN_PID, program, ...args, `--varlink=${address}`];
      const child = spawn("/bin/sh", argv, {
        stdio: ["ignore", 2, "inherit", listeningDescriptor(server)],
        env,
      });
      return { handle: new ChildHandle(child, program), socketPath, removeDirectory };
    } finally {
      // The child holds its own copy now (spawn is synchronous); ours must never accept.
      server.close();
    }
  } catch (error) {
    await removeDirectory().catch(() => undefined);
    throw error;
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
