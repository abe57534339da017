/**
 * `activate()`: one service started with socket activation, many connections to it, the way the
 * Python binding's `Client.new_with_activate(argv)` works. An `exec:` address is the
 * one-connection shorthand: each connection starts its own service.
 */
import { connect } from "../client/connect.js";
import type { ConnectOptions } from "../client/connect.js";
import type { Connection } from "../client/connection.js";
import { asyncDispose } from "../dispose.js";
import { ConnectionError } from "../errors.js";
import { startActivatedChild } from "./activated-child.js";
import type { ActivatedChild } from "./activated-child.js";
import { findExecutable } from "./child-process.js";

/** Options of {@link activate}. */
export interface ActivateOptions {
  /**
   * Variables added to the service's environment, which is otherwise ours; `undefined` removes
   * one. The activation variables (`LISTEN_*`, `VARLINK_ADDRESS`) are always set by `activate`.
   */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * A service started by {@link activate}, and the way to connect to it. In runtimes that have
 * `Symbol.asyncDispose` it works with `await using`, which closes it.
 */
export interface Activator {
  /** The `unix:` address of the service's socket, for connecting by other means. */
  readonly address: string;
  /**
   * Opens a new connection to the service; every connection reaches the same process.
   *
   * @throws ConnectionError `refused` (as a rejection) naming the program and its exit status
   *   when the service has exited, `closed` after {@link Activator.close}, or whatever
   *   `connect()` throws.
   */
  connect(options?: ConnectOptions): Promise<Connection>;
  /**
   * Stops the service (SIGTERM, then SIGKILL after a grace period of 3 seconds) and removes the
   * socket's directory; resolves once the service has exited. Connections still open then see
   * the service hang up. Calling it again returns the same promise.
   */
  close(): Promise<void>;
  /** Closes the activator, for `await using`; present where the runtime has the symbol. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts a varlink service once, on a listening socket that `activate` creates, and hands out
 * connections to it. The service gets the socket as fd 3 with `LISTEN_FDS=1`, `LISTEN_PID` (its
 * own pid), `LISTEN_FDNAMES=varlink`, `VARLINK_ADDRESS=unix:PATH` and a last argument
 * `--varlink=unix:PATH`, as systemd and the Python binding pass them. Its stdout goes to our
 * stderr.
 *
 * Resolves as soon as the service is started: a connection made before it accepts waits in the
 * socket's queue. The service runs until {@link Activator.close} (or until it exits by itself);
 * it is not stopped when this process exits, so close it.
 *
 * @param command the program and its arguments; a string is split on whitespace, as in an
 *   `exec:` address (use the array form for arguments with spaces).
 * @throws ConnectionError (as a rejection) `not-found` when the program does not exist, `io` when
 *   it cannot be run or the socket cannot be created.
 * @throws TypeError (as a rejection) for an empty command.
 */
export async function activate(
  command: string | readonly string[],
  options: ActivateOptions = {},
): Promise<Activator> {
  const argv =
    typeof command === "string" ? command.split(/\s+/).filter((word) => word !== "") : command;
  const [name, ...args] = argv;
  if (name === undefined || name === "") throw new TypeError("activate: the command is empty");
  const label = `activated ${name}`;
  const program = await findExecutable(name, label);
  const started = await startActivatedChild(program, args, "varlink-activate-", options.env);
  return new ServiceActivator(started, label);
}

/** How long `connect` waits for a refused connection to be explained by the service's exit. */
const EXIT_WAIT_MS = 500;

class ServiceActivator implements Activator {
  readonly address: string;
  private readonly started: ActivatedChild;
  private readonly label: string;
  private closing: Promise<void> | undefined;

  constructor(started: ActivatedChild, label: string) {
    this.started = started;
    this.label = label;
    this.address = `unix:${started.socketPath}`;
    // Once the service has exited nothing will listen on the socket again (it is not restarted):
    // remove the file now rather than leave a dead path behind until close().
    void started.handle.exited.then(() => started.removeDirectory().catch(() => undefined));
  }

  async connect(options: ConnectOptions = {}): Promise<Connection> {
    const handle = this.started.handle;
    if (this.closing !== undefined) {
      throw new ConnectionError(
        "closed",
        `cannot connect to ${this.label}: the activator is closed`,
      );
    }
    if (handle.done) throw this.exitError();
    try {
      return await connect(this.address, options);
    } catch (error) {
      // Refused or missing: nothing listens any more, most likely because the service died and
      // its exit has not been seen yet. Give it a moment to arrive, so the error can say how.
      if (
        error instanceof ConnectionError &&
        (error.code === "refused" || error.code === "not-found")
      ) {
        let timer: NodeJS.Timeout | undefined;
        const patience = new Promise<void>((wake) => (timer = setTimeout(wake, EXIT_WAIT_MS)));
        await Promise.race([handle.exited, patience]);
        clearTimeout(timer);
      }
      if (handle.done && this.closing === undefined) throw this.exitError();
      throw error;
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await this.started.handle.terminate();
    await this.started.removeDirectory().catch(() => undefined);
  }

  private exitError(): ConnectionError {
    const label = `cannot connect to ${this.label}`;
    return this.started.handle.exitError("refused", label, "after it was started");
  }
}

// The method is added to the prototype below, where the runtime has the symbol.
interface ServiceActivator {
  [Symbol.asyncDispose](): Promise<void>;
}

if (asyncDispose !== undefined) {
  // Defined here rather than in the class: Node 20 before 20.4 has no Symbol.asyncDispose.
  Object.defineProperty(ServiceActivator.prototype, asyncDispose, {
    value(this: ServiceActivator): Promise<void> {
      return this.close();
    },
    writable: true,
    configurable: true,
  });
}
