/**
 * The soak's service in a child process: started, killed (crash or clean stop) and restarted at
 * the same socket path.
 */
import { spawn, type ChildProcess } from "node:child_process";

/** How long a clean stop may take before the process is killed. */
const STOP_GRACE = 5000;

/** One running instance of the soak server. */
export class ServerProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    private readonly script: string,
    private readonly socketPath: string,
  ) {}

  /** Starts the server and resolves once it listens. */
  async start(): Promise<void> {
    const child = spawn(process.execPath, [this.script, this.socketPath], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    await new Promise<void>((resolve, reject) => {
      let text = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        text += chunk.toString("utf8");
        if (text.includes("ready\n")) resolve();
      });
      void this.exited.then(() => reject(new Error(`the soak server exited before it was ready (${this.script})`)));
    });
  }

  /** Stops the server: SIGKILL is a crash, SIGTERM a clean stop that closes its calls. */
  async stop(signal: "SIGKILL" | "SIGTERM"): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    this.child = undefined;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    // A clean stop that does not finish is a failure of its own, but must not stall the soak.
    const guard = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE);
    await this.exited;
    clearTimeout(guard);
  }
}
