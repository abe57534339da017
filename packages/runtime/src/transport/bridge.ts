/**
 * Bridge connections: a command whose stdin and stdout carry the varlink connection, such as
 * `ssh host varlink bridge`. Its stderr is ours, so its prompts and diagnostics reach the user.
 */
import { spawn } from "node:child_process";
import type { Duplex } from "node:stream";
import { ConnectionError } from "../errors.js";
import type { BridgeAddress } from "./address.js";
import { ChildHandle, findExecutable } from "./child-process.js";
import { ChildStream } from "./child-stream.js";

/** How `openBridgeStream` starts its command. */
export interface BridgeOptions {
  /** The child's argv[0]; the command as written by default. ssh: addresses pass `ssh`. */
  argv0?: string;
}

/**
 * Starts the bridge command. Rejects with `signal.reason` when the signal fires first and with a
 * ConnectionError when the command cannot be started.
 */
export async function openBridgeStream(
  address: BridgeAddress,
  label: string,
  signal: AbortSignal,
  options: BridgeOptions = {},
): Promise<Duplex> {
  const program = await findExecutable(address.command, label);
  if (signal.aborted) throw signal.reason;
  const child = spawn(program, address.args, {
    stdio: ["pipe", "pipe", "inherit"],
    argv0: options.argv0 ?? address.command,
  });
  const handle = new ChildHandle(child, program);
  try {
    await new Promise<void>((resolve, reject) => {
      const settle = (): void => {
        child.off("spawn", onSpawn);
        child.off("error", onError);
        signal.removeEventListener("abort", onAbort);
      };
      const onSpawn = (): void => {
        settle();
        resolve();
      };
      const onError = (error: Error): void => {
        settle();
        const code = (error as NodeJS.ErrnoException).code === "ENOENT" ? "not-found" : "io";
        reject(
          new ConnectionError(code, `cannot start ${label}: ${error.message}`, { cause: error }),
        );
      };
      const onAbort = (): void => {
        settle();
        reject(signal.reason);
      };
      child.once("spawn", onSpawn);
      child.once("error", onError);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  } catch (error) {
    child.stdin?.destroy();
    await handle.terminate();
    throw error;
  }
  const { stdin, stdout } = child;
  if (stdin === null || stdout === null) {
    throw new ConnectionError("io", `cannot start ${label}: its stdin and stdout are not pipes`);
  }
  return new ChildStream(stdout, stdin, handle, { label, awaitExitOnEnd: true });
}
