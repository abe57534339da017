/**
 * Children that carry a connection (`exec:` services and bridges): finding the program before
 * starting it, so a missing one is reported as such, and stopping it with its exit status kept,
 * so a connection that fails because its child died can say how the child died.
 */
import type { ChildProcess } from "node:child_process";
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { delimiter, join, resolve } from "node:path";
import { ConnectionError } from "../errors.js";
import type { ConnectionErrorCode } from "../errors.js";

/** How long a child gets after SIGTERM (or after closing its output) before the next step. */
export const GRACE_MS = 3000;

/** How a child ended: an exit code, a signal, or (when it never started) neither. */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Resolves `command` to the executable file that will run, searching PATH when it has no slash.
 *
 * @throws ConnectionError `not-found` when there is no such program, `io` when it cannot be run.
 */
export async function findExecutable(command: string, label: string): Promise<string> {
  if (command.includes("/")) {
    const path = resolve(command);
    let isFile: boolean;
    try {
      isFile = (await stat(path)).isFile();
    } catch (error) {
      throw new ConnectionError("not-found", `cannot start ${label}: ${command} does not exist`, {
        cause: error,
      });
    }
    if (!isFile) throw new ConnectionError("io", `cannot start ${label}: ${command} is not a file`);
    try {
      await access(path, constants.X_OK);
    } catch (error) {
      throw new ConnectionError("io", `cannot start ${label}: ${command} is not executable`, {
        cause: error,
      });
    }
    return path;
  }
  for (const directory of (process.env["PATH"] ?? "").split(delimiter)) {
    if (directory === "") continue;
    const path = join(directory, command);
    try {
      if ((await stat(path)).isFile()) {
        await access(path, constants.X_OK);
        return path;
      }
    } catch {
      // Not in this directory (or not runnable there): keep looking, as a shell would.
    }
  }
  throw new ConnectionError("not-found", `cannot start ${label}: ${command} was not found in PATH`);
}

/** A started child and how it ended, telling its own exit from one we caused. */
export class ChildHandle {
  /** Settles once the child has exited (or failed to start). */
  readonly exited: Promise<ExitStatus>;
  private status: ExitStatus | undefined;
  /** Set when we signalled the child before seeing it exit. */
  private signalled = false;

  constructor(
    readonly child: ChildProcess,
    readonly program: string,
  ) {
    this.exited = new Promise((settle) => {
      child.once("exit", (code, signal) => {
        this.status = { code, signal };
        settle(this.status);
      });
      // Without a pid the child never started and "exit" will not come; later errors (a failed
      // kill) leave the process running, so they are not an exit.
      child.on("error", () => {
        if (child.pid === undefined && this.status === undefined) {
          this.status = { code: null, signal: null };
          settle(this.status);
        }
      });
    });
  }

  /** True once the child has exited. */
  get done(): boolean {
    return this.status !== undefined;
  }

  /**
   * True when the child ended by itself: it exited before we signalled it, or it reported a
   * failing exit code even though we did (it was already dying when the signal was sent).
   */
  get endedOnItsOwn(): boolean {
    const status = this.status;
    if (status === undefined) return false;
    return !this.signalled || (status.code !== null && status.code !== 0);
  }

  /** True when the child ended by itself with a failing exit code or by a signal. */
  get failedOnItsOwn(): boolean {
    const status = this.status;
    return status !== undefined && this.endedOnItsOwn && status.code !== 0;
  }

  /** Sends SIGTERM, then SIGKILL if the child outlives the grace period; resolves when it has exited. */
  terminate(): Promise<ExitStatus> {
    if (this.status === undefined && !this.signalled) {
      this.signalled = true;
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), GRACE_MS);
      void this.exited.then(() => clearTimeout(timer));
    }
    return this.exited;
  }

  /** Waits for the child to exit by itself for the grace period, then terminates it. */
  async settle(): Promise<ExitStatus> {
    if (this.status !== undefined) return this.status;
    let timer: NodeJS.Timeout | undefined;
    const patience = new Promise<void>((wake) => {
      timer = setTimeout(wake, GRACE_MS);
    });
    await Promise.race([this.exited, patience]);
    clearTimeout(timer);
    return this.terminate();
  }

  /** "exited with status 3", "was killed by SIGSEGV", or "did not start". */
  describeExit(): string {
    const status = this.status;
    if (status === undefined) return "is still running";
    if (status.code !== null) return `exited with status ${status.code}`;
    if (status.signal !== null) return `was killed by ${status.signal}`;
    return "did not start";
  }

  /** A ConnectionError naming the program and how it ended: "`label`: /bin/x exited with status 3 `when`". */
  exitError(code: ConnectionErrorCode, label: string, when: string): ConnectionError {
    return new ConnectionError(code, `${label}: ${this.program} ${this.describeExit()} ${when}`);
  }
}
