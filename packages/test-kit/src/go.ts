/**
 * The Go implementation's certification program, `varlink-go-certification` (Debian package
 * varlink-go), as a real peer this project did not write: started as a server in a sandbox, or
 * run as a client to its end.
 */
import type { Child, RunResult } from "./child.js";
import type { Sandbox } from "./sandbox.js";
import { accepts, sleep } from "./wait.js";

/** The Go certification program, found on PATH. */
export const GO_CERTIFICATION = "varlink-go-certification";

/** A running Go certification server. */
export interface GoServer {
  readonly address: string;
  readonly child: Child;
}

/**
 * Starts the Go certification server at `address` (by default a unix socket in the sandbox's
 * directory) and resolves once it accepts connections: it prints nothing when it is ready, so
 * readiness is tried by connecting. It is killed at the sandbox's cleanup.
 */
export async function startGoCertification(sandbox: Sandbox, address = sandbox.socket("certification.sock")): Promise<GoServer> {
  const child = sandbox.spawn(GO_CERTIFICATION, [`--varlink=${address}`]);
  while (!(await accepts(address))) {
    if (!child.running || child.pid === undefined) {
      await child.exited;
      throw new Error(`${GO_CERTIFICATION} exited before listening: ${child.stdout()}${child.stderr()}`);
    }
    await sleep(20);
  }
  return { address, child };
}

/**
 * Runs the Go certification client against `address` to its end. It exits 0 even when the
 * certification fails: its output ("End: 'true'") tells.
 */
export function runGoClient(sandbox: Sandbox, address: string): Promise<RunResult> {
  return sandbox.run(GO_CERTIFICATION, ["--client", `--varlink=${address}`]);
}
