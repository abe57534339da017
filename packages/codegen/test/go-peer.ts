/**
 * The Go implementation's certification program (`varlink-go-certification`, Debian package
 * varlink-go) as a real peer: started as a child process on a unix socket in a temporary
 * directory, and killed afterwards.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { access, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** The Go certification program's path. */
export const GO_CERTIFICATION = "varlink-go-certification";

/** A running Go certification server. */
export interface GoServer {
  readonly address: string;
  stop(): Promise<void>;
}

/** Starts the Go certification server and resolves once its socket exists. */
export async function startGoServer(): Promise<GoServer> {
  const dir = await mkdtemp(join(tmpdir(), "varlink-go-"));
  const socket = join(dir, "cert.sock");
  const address = `unix:${socket}`;
  const child = spawn(GO_CERTIFICATION, [`--varlink=${address}`], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, "exit");
  // Readiness, not timing: poll until the socket file appears or the program exits.
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`${GO_CERTIFICATION} exited early: ${output}`);
    }
    if (await exists(socket)) break;
    await sleep(20);
  }
  return {
    address,
    async stop() {
      await stopChild(child, exited);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs the Go certification client against `address`; resolves with its exit code and output. */
export async function runGoClient(
  address: string,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(GO_CERTIFICATION, ["--client", `--varlink=${address}`], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, output };
}

async function stopChild(child: ChildProcess, exited: Promise<unknown[]>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  await exited;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
