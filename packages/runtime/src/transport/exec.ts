/**
 * `exec:` connections: start the service with socket activation (see activated-child.ts) and
 * connect to it once. The connection owns the child: closing it stops the child and removes the
 * socket's directory. `activate()` (activator.ts) is the form that keeps one child for many
 * connections.
 */
import type { Duplex } from "node:stream";
import type { ExecAddress } from "./address.js";
import { startActivatedChild } from "./activated-child.js";
import type { ActivatedChild } from "./activated-child.js";
import { findExecutable } from "./child-process.js";
import { ChildStream } from "./child-stream.js";
import { connectSocket } from "./connect-socket.js";

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
  const started: ActivatedChild = await startActivatedChild(program, address.args, "varlink-exec-");
  const { handle, socketPath, removeDirectory } = started;
  try {
    const attempt = new AbortController();
    const onAbort = (): void => attempt.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    void handle.exited.then(() =>
      attempt.abort(
        handle.exitError("io", `cannot start ${label}`, "before accepting the connection"),
      ),
    );
    try {
      const socket = await connectSocket({ kind: "unix", path: socketPath }, label, attempt.signal);
      return new ChildStream(socket, socket, handle, {
        label,
        awaitExitOnEnd: false,
        cleanup: removeDirectory,
      });
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  } catch (error) {
    let failure = error;
    await handle.terminate();
    if (error !== signal.reason && handle.endedOnItsOwn) {
      // 127 is the shell's "command not found": the program was removed after we found it.
      const code = handle.child.exitCode === 127 ? "not-found" : "io";
      failure = handle.exitError(code, `cannot start ${label}`, "before accepting the connection");
    }
    await removeDirectory().catch(() => undefined);
    throw failure;
  }
}
