/**
 * Listening unix stream sockets whose connections are FdSockets.
 */
import { EventEmitter } from "node:events";
import { chmodSync, closeSync, lstatSync, unlinkSync } from "node:fs";
import { constants } from "node:os";
import { formatAddress, parseAddress } from "./address.js";
import { systemError } from "./errors.js";
import { native } from "./native.js";
import type { NativeHandle } from "./native.js";
import { FdSocket } from "./socket.js";
import type { FdSocketOptions } from "./socket.js";

const { EAGAIN, ECONNABORTED, EMFILE, ENFILE, ENOBUFS, ENOMEM, EPROTO, EPERM } = constants.errno;

/** Connections accepted per poll event, so that a flood cannot starve the rest of the loop. */
const ACCEPTS_PER_EVENT = 64;
/** How long accepting pauses when the process or system is out of descriptors or memory. */
const OUT_OF_RESOURCES_PAUSE_MS = 100;

/** Options of a listening socket. */
export interface ListenOptions extends FdSocketOptions {
  /**
   * Whether connections accept file descriptors from clients (default `false`), applied to each
   * accepted {@link FdSocket} (see {@link FdSocketOptions.acceptFds}).
   *
   * When false, the listening socket also gets SO_PASSRIGHTS turned off (Linux 6.16+, silently
   * skipped before), which its connections inherit: a client's sendmsg with fds then fails with
   * EPERM instead of queuing descriptors we would only close, as UAPI.20 recommends. A
   * connection can still opt in later with {@link FdSocket.setAcceptFds}.
   */
  acceptFds?: boolean;
  /**
   * Leave SO_PASSRIGHTS as it is even though `acceptFds` is false (default `false`): fds that
   * clients send are then received, closed and reported with `'fds-refused'`.
   */
  keepPassRights?: boolean;
  /** Length of the queue of connections not accepted yet (default 511, as Node). */
  backlog?: number;
  /** File mode of a path socket, applied with chmod after bind (e.g. `0o666`). */
  mode?: number;
}

/**
 * A listening unix stream socket. Emits `'connection'` with each accepted {@link FdSocket},
 * `'error'` for failures to accept (only when something listens to `'error'`; accepting goes on
 * either way) and `'close'`.
 */
export class FdServer extends EventEmitter {
  /** The address it listens on: a path or `@name`, as given (or as the kernel names it). */
  readonly address: string;
  #handle: NativeHandle | null;
  #options: ListenOptions;
  /** The socket file this server created, to unlink on close if it is still that file. */
  #file: { path: string; dev: number; ino: number } | undefined;
  #pauseTimer: NodeJS.Timeout | undefined;
  #refed = true;

  /**
   * Use {@link listenUnix} or {@link listenFd} instead. Takes ownership of `fd` (a listening
   * unix stream socket, non-blocking): it is closed if this throws.
   */
  constructor(
    fd: number,
    address: string,
    options: ListenOptions,
    file?: { path: string; dev: number; ino: number },
  ) {
    super();
    this.address = address;
    this.#options = options;
    this.#file = file;
    try {
      this.#handle = new (native().Handle)(fd, (status) => this.#onPoll(status));
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    const started = this.#handle.setEvents(native().READABLE);
    if (started < 0) {
      this.#handle.close();
      this.#handle = null;
      throw systemError(started, "listen", address);
    }
  }

  /** Whether it still listens. */
  get listening(): boolean {
    return this.#handle !== null;
  }

  /** The listening socket's descriptor, or -1 once closed. Owned by the server. */
  get fd(): number {
    return this.#handle?.fd ?? -1;
  }

  /** Lets the process exit while this server waits for connections. */
  unref(): this {
    this.#refed = false;
    this.#handle?.unref();
    this.#pauseTimer?.unref();
    return this;
  }

  /** Undoes {@link FdServer.unref}. */
  ref(): this {
    this.#refed = true;
    this.#handle?.ref();
    this.#pauseTimer?.ref();
    return this;
  }

  /**
   * Stops listening: closes the socket and removes the socket file it created (if that path
   * still is the same file). Connections already accepted stay open. Idempotent.
   */
  async close(): Promise<void> {
    const handle = this.#handle;
    if (handle === null) return;
    this.#handle = null;
    clearTimeout(this.#pauseTimer);
    handle.close();
    removeFile(this.#file);
    this.#file = undefined;
    this.emit("close");
  }

  #onPoll(status: number): void {
    const handle = this.#handle;
    if (handle === null) return;
    if (status < 0) {
      this.#reportError(systemError(status, "accept", this.address));
      this.#pause();
      return;
    }
    for (let i = 0; i < ACCEPTS_PER_EVENT && this.#handle !== null; i++) {
      const fd = handle.accept();
      if (fd === -EAGAIN) return;
      if (fd === -ECONNABORTED || fd === -EPROTO || fd === -EPERM) continue;
      if (fd < 0) {
        this.#reportError(systemError(fd, "accept", this.address));
        if (fd === -EMFILE || fd === -ENFILE || fd === -ENOBUFS || fd === -ENOMEM) this.#pause();
        return;
      }
      let socket: FdSocket;
      try {
        socket = new FdSocket(fd, {
          acceptFds: this.#options.acceptFds ?? false,
          allowHalfOpen: this.#options.allowHalfOpen ?? false,
        });
      } catch (error) {
        closeSync(fd);
        this.#reportError(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      this.emit("connection", socket);
    }
  }

  #reportError(error: Error): void {
    if (this.listenerCount("error") > 0) this.emit("error", error);
  }

  /** Stops accepting for a moment (a level-triggered poll would spin otherwise). */
  #pause(): void {
    const handle = this.#handle;
    if (handle === null || this.#pauseTimer !== undefined) return;
    handle.setEvents(0);
    this.#pauseTimer = setTimeout(() => {
      this.#pauseTimer = undefined;
      this.#handle?.setEvents(native().READABLE);
    }, OUT_OF_RESOURCES_PAUSE_MS);
    if (!this.#refed) this.#pauseTimer.unref();
  }
}

export interface FdServer {
  on(event: "connection", listener: (socket: FdSocket) => void): this;
  on(event: "error", listener: (error: Error) => void): this;
  on(event: "close", listener: () => void): this;
  // biome-ignore lint/suspicious/noExplicitAny: the EventEmitter signature this overloads.
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  once(event: "connection", listener: (socket: FdSocket) => void): this;
  once(event: "error", listener: (error: Error) => void): this;
  once(event: "close", listener: () => void): this;
  // biome-ignore lint/suspicious/noExplicitAny: the EventEmitter signature this overloads.
  once(event: string | symbol, listener: (...args: any[]) => void): this;
}

function passRightsSetting(options: ListenOptions): number {
  return options.acceptFds === true || options.keepPassRights === true ? -1 : 0;
}

/**
 * Listens on a unix stream socket: a file-system path (which must not exist yet: a stale socket
 * file fails with EADDRINUSE, as with Node; the file is removed by {@link FdServer.close}), or
 * `@name` for an abstract socket, bound with the name's exact length (reachable by systemd, Go
 * and Python clients, unlike Node 20's padded names).
 *
 * @param onConnection added as a `'connection'` listener.
 * @rejects a system error like Node's (`code` EADDRINUSE, EACCES, ENOENT, …, `syscall`
 *   'listen'), TypeError for a bad address, or {@link NativeUnavailableError}.
 */
export async function listenUnix(
  pathOrAbstract: string,
  onConnection?: (socket: FdSocket) => void,
  options: ListenOptions = {},
): Promise<FdServer> {
  const { bytes, abstract } = parseAddress(pathOrAbstract);
  const backlog = options.backlog ?? 511;
  const fd = native().listen(bytes, abstract, backlog, passRightsSetting(options));
  if (fd < 0) throw systemError(fd, "listen", pathOrAbstract);
  let file: { path: string; dev: number; ino: number } | undefined;
  let server: FdServer;
  try {
    if (!abstract) {
      const stat = lstatSync(pathOrAbstract);
      file = { path: pathOrAbstract, dev: stat.dev, ino: stat.ino };
      if (options.mode !== undefined) chmodSync(pathOrAbstract, options.mode);
    }
  } catch (error) {
    closeSync(fd);
    removeFile(file);
    throw error;
  }
  try {
    server = new FdServer(fd, pathOrAbstract, options, file); // owns fd, even when it throws
  } catch (error) {
    removeFile(file);
    throw error;
  }
  if (onConnection !== undefined) server.on("connection", onConnection);
  return server;
}

function removeFile(file: { path: string; dev: number; ino: number } | undefined): void {
  if (file === undefined) return;
  try {
    const now = lstatSync(file.path);
    if (now.dev === file.dev && now.ino === file.ino) unlinkSync(file.path);
  } catch {
    // gone already
  }
}

/**
 * Serves a listening unix stream socket this process owns, e.g. one inherited through socket
 * activation (`LISTEN_FDS`), taking ownership of it (it is closed by {@link FdServer.close}; no
 * file is removed). SO_PASSRIGHTS is handled as by {@link listenUnix}.
 *
 * @throws a system error (ENOTSOCK, EBADF, EPROTOTYPE for another socket type) or TypeError
 *   when the fd does not listen; the fd is then left open.
 */
export function listenFd(
  fd: number,
  onConnection?: (socket: FdSocket) => void,
  options: ListenOptions = {},
): FdServer {
  if (!Number.isInteger(fd) || fd < 0) throw new TypeError(`not a file descriptor: ${String(fd)}`);
  const binding = native();
  const prepared = binding.prepareFd(fd);
  if (prepared < 0) throw systemError(prepared, "listenFd");
  if (binding.isListening(fd) !== 1) throw new TypeError(`fd ${fd} is not a listening socket`);
  const setting = passRightsSetting(options);
  if (setting >= 0) binding.setPassRights(fd, setting);
  const raw = binding.sockName(fd, false);
  const address = typeof raw === "number" ? "" : formatAddress(raw);
  const server = new FdServer(fd, address, options);
  if (onConnection !== undefined) server.on("connection", onConnection);
  return server;
}
