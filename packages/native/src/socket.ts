/**
 * FdSocket: a connected unix stream socket as a Node Duplex, whose reads and writes are
 * recvmsg/sendmsg done by the addon, so that file descriptors travel with the bytes.
 */
import { closeSync } from "node:fs";
import { constants } from "node:os";
import { Duplex } from "node:stream";
import { formatAddress, parseAddress } from "./address.js";
import { systemError } from "./errors.js";
import { native } from "./native.js";
import type { NativeHandle } from "./native.js";

const { EAGAIN, ECONNRESET, ENOTCONN, EPIPE } = constants.errno;

/** Bytes asked for per read. */
const READ_SIZE = 64 * 1024;
/** Reads shorter than this are copied out of the read buffer; longer ones take it over. */
const COPY_BELOW = 16 * 1024;
/** Reads per poll event, so that one busy socket cannot starve the rest of the loop. */
const READS_PER_EVENT = 32;

/**
 * File descriptors received with a chunk of the stream (the `'fds'` event).
 *
 * `offset` is the position in this socket's byte stream of the first byte of the chunk they came
 * with: the number of bytes that this socket delivered (`'data'`, `read()`) before that chunk.
 * The chunk is the `length` bytes that follow, and they are delivered after this event. Varlink
 * (UAPI.20) ties such fds to the message that begins at `offset`, and refuses them when no
 * message begins there.
 *
 * What Linux counts as a chunk: one recvmsg returns the bytes of at most one sendmsg that carried
 * fds and stops right after them (or inside them, when the read buffer is full), but it may
 * return bytes of earlier sends that carried none ahead of them, when those were still unread. So
 * the fds always belong to bytes at the end of the chunk, and `offset` is where the peer's
 * fd-carrying send began only when nothing else was unread ahead of it: a peer that pipelines a
 * message without fds right before one with fds can have both arrive as one chunk. A receiver
 * that ties fds to the message beginning at `offset` (UAPI.20's wording, and systemd's
 * sd-varlink) then ties them to the earlier message; one that knows the sender puts each
 * fd-carrying message in a send of its own (as {@link FdSocket.writeWithFds} does) can tie them
 * to the last message that begins within the chunk instead.
 *
 * Ownership: the descriptors belong to the receiver from this event on. Close each one with
 * `fs.closeSync(fd)` (or pass it on, e.g. with {@link FdSocket.writeWithFds}, then close it) or it
 * leaks. They are close-on-exec.
 */
export interface ReceivedFds {
  /** The descriptors, in the order the peer listed them (varlink's fd index). */
  readonly fds: number[];
  /** Stream offset of the first byte of the chunk they came with. */
  readonly offset: number;
  /** Length of that chunk in bytes. */
  readonly length: number;
}

/** File descriptors that arrived and were closed at once (the `'fds-refused'` event). */
export interface RefusedFds {
  /** How many descriptors were closed. */
  readonly count: number;
  /** Stream offset of the first byte of the chunk they came with (see {@link ReceivedFds}). */
  readonly offset: number;
  /** Length of that chunk in bytes. */
  readonly length: number;
  /**
   * `not-accepted`: the socket does not accept fds (`acceptFds` false). `no-listener`: it
   * does, but nothing listened to `'fds'`, so nobody could have owned them.
   */
  readonly reason: "not-accepted" | "no-listener";
}

/** Options of a connected socket. */
export interface FdSocketOptions {
  /**
   * Accept file descriptors from the peer (default `false`). When false, descriptors that
   * arrive anyway are closed as soon as they are received and reported with `'fds-refused'`;
   * the bytes they came with are still delivered. See {@link FdSocket.setAcceptFds}.
   */
  acceptFds?: boolean;
  /**
   * Keep our sending side open after the peer ended its side (default `false`, as for
   * `net.Socket`: the socket ends its side too once all data was read).
   */
  allowHalfOpen?: boolean;
}

interface Segment {
  /** Unsent bytes; the first one may be a tail of a partly sent chunk. */
  buffers: Buffer[];
  /** Descriptors to send with the first byte of this segment; null once sent. */
  fds: readonly number[] | null;
}

/**
 * The read buffer, shared by all sockets (reads are synchronous): a read shorter than
 * COPY_BELOW is copied out of it, a longer one takes it over and a new one is made. So an idle
 * connection holds no buffer.
 */
let readBuffer = Buffer.allocUnsafeSlow(READ_SIZE);

/** The chunk objects made by writeWithFds, with the descriptors to send with their first byte. */
const fdsOfChunk = new WeakMap<object, readonly number[]>();

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

function destroyedError(): Error & { code: string } {
  const error = new Error("the socket was destroyed before the write completed") as Error & {
    code: string;
  };
  error.code = "ERR_STREAM_DESTROYED";
  return error;
}

function truncatedError(): Error & { code: string } {
  const error = new Error(
    "file descriptors sent by the peer were lost (MSG_CTRUNC: too many open files?); the ones that arrived were closed",
  ) as Error & { code: string };
  error.code = "ERR_VARLINK_FDS_TRUNCATED";
  return error;
}

/** Checks a list of descriptors to send; returns a copy. */
function checkFds(fds: readonly number[]): number[] {
  if (!Array.isArray(fds)) throw new TypeError("fds must be an array of file descriptors");
  const max = native().MAX_FDS;
  if (fds.length === 0) throw new RangeError("writeWithFds needs at least one file descriptor");
  if (fds.length > max) {
    throw new RangeError(
      `at most ${max} file descriptors can be sent with one chunk (got ${fds.length})`,
    );
  }
  for (const fd of fds) {
    if (!Number.isInteger(fd) || fd < 0 || fd > 0x7fffffff) {
      throw new TypeError(`not a file descriptor: ${String(fd)}`);
    }
  }
  return [...fds];
}

/**
 * A connected unix stream socket, usable wherever a `net.Socket` is read and written as a
 * Duplex, that also sends and receives file descriptors (SCM_RIGHTS).
 *
 * - Writing: `write()`/`end()` as on any Duplex; {@link FdSocket.writeWithFds} sends descriptors
 *   with the first byte of a chunk. Write callbacks run once the bytes were handed to the
 *   kernel; the socket waits for it to take more (EAGAIN) with `writableLength` growing, so
 *   `write()` returning false and `'drain'` work as usual.
 * - Reading: `'data'`/`read()` as usual; descriptors are announced with `'fds'` (see
 *   {@link ReceivedFds}) before the bytes they came with, or closed and announced with
 *   `'fds-refused'` (see {@link RefusedFds}).
 * - The end: the peer's end of stream (or a reset connection, ECONNRESET) ends the readable
 *   side (`'end'`); `destroy()` closes the descriptor exactly once; `'close'` follows.
 *
 * Events besides the Duplex ones: `'fds'` ({@link ReceivedFds}), `'fds-refused'`
 * ({@link RefusedFds}).
 */
export class FdSocket extends Duplex {
  #handle: NativeHandle | null;
  #acceptFds: boolean;
  /** The poll mask the addon was last given. */
  #events = 0;
  /** _read was called and push() did not ask to stop. */
  #reading = false;
  /** The end of the peer's stream was read. */
  #ended = false;
  /** A write met EAGAIN: wait for the socket to be writable. */
  #writeBlocked = false;
  #queue: Segment[] = [];
  #writeCallback: ((error?: Error | null) => void) | null = null;
  #bytesRead = 0;
  #bytesWritten = 0;

  /**
   * Wraps a connected unix stream socket `fd` and takes ownership of it (it is closed when the
   * socket is destroyed). If the constructor throws, the caller still owns `fd`. Prefer
   * {@link connectUnix}, {@link FdSocket.fromFd} (which checks the fd) or {@link socketPair}.
   */
  constructor(fd: number, options: FdSocketOptions = {}) {
    super({ allowHalfOpen: options.allowHalfOpen ?? false });
    const binding = native();
    this.#acceptFds = options.acceptFds ?? false;
    this.#handle = new binding.Handle(fd, (status, events) => this.#onPoll(status, events));
  }

  /**
   * Wraps an fd this process owns that is a connected unix stream socket (e.g. one received
   * from a peer, or inherited), taking ownership of it: it is made non-blocking and
   * close-on-exec, and closed when the socket is destroyed. Do not pass the fd of a `net.Socket`
   * (Node keeps reading it).
   *
   * @throws a system error (code `ENOTSOCK`, `EBADF`, `EPROTOTYPE` for other socket types) or
   *   TypeError for a listening socket; the fd is then left open.
   */
  static fromFd(fd: number, options: FdSocketOptions = {}): FdSocket {
    if (!Number.isInteger(fd) || fd < 0)
      throw new TypeError(`not a file descriptor: ${String(fd)}`);
    const binding = native();
    const prepared = binding.prepareFd(fd);
    if (prepared < 0) throw systemError(prepared, "fromFd");
    if (binding.isListening(fd) === 1) {
      throw new TypeError(`fd ${fd} is a listening socket: serve it with listenFd()`);
    }
    return new FdSocket(fd, options);
  }

  /** The socket's file descriptor, or -1 once destroyed. Owned by the socket: do not close it. */
  get fd(): number {
    return this.#handle?.fd ?? -1;
  }

  /** Whether descriptors from the peer are accepted (see {@link FdSocketOptions.acceptFds}). */
  get acceptFds(): boolean {
    return this.#acceptFds;
  }

  /**
   * Starts or stops accepting descriptors from the peer, from the next read on (varlink: a
   * client opts in before it calls a method that returns fds). Turning it on also turns the
   * kernel's SO_PASSRIGHTS back on for this connection, in case it came from a listener that
   * refused fds (Linux 6.16+; ignored before).
   */
  setAcceptFds(accept: boolean): this {
    this.#acceptFds = accept;
    if (accept && this.#handle !== null) native().setPassRights(this.#handle.fd, 1);
    return this;
  }

  /** Bytes delivered to the readable side so far: the stream offset of the next byte. */
  get bytesRead(): number {
    return this.#bytesRead;
  }

  /** Bytes handed to the kernel so far. */
  get bytesWritten(): number {
    return this.#bytesWritten;
  }

  /** This end's address: a path, `@name` for an abstract socket, `""` when unnamed or closed. */
  get localAddress(): string {
    return this.#address(false);
  }

  /** The peer's address: a path, `@name` for an abstract socket, `""` when unnamed or closed. */
  get remoteAddress(): string {
    return this.#address(true);
  }

  #address(peer: boolean): string {
    if (this.#handle === null) return "";
    const raw = native().sockName(this.#handle.fd, peer);
    return typeof raw === "number" ? "" : formatAddress(raw);
  }

  /** Lets the process exit while this socket waits for input (as `net.Socket.unref`). */
  unref(): this {
    this.#handle?.unref();
    return this;
  }

  /** Undoes {@link FdSocket.unref}. */
  ref(): this {
    this.#handle?.ref();
    return this;
  }

  /**
   * Writes `chunk` with `fds` attached to its first byte: they are passed with SCM_RIGHTS on the
   * sendmsg that sends that byte, after everything written before, so the peer receives them
   * with the chunk that begins there (varlink: write each message that carries fds with one
   * call, the whole message as `chunk`, its fds in index order).
   *
   * Ownership: the descriptors stay the caller's. The kernel takes its own references when they
   * are sent, which may be later than this call when the socket is busy: keep them open until
   * `callback` runs (or `'finish'`), then close them whenever you like. (One closed too early
   * makes the write fail with EBADF, which destroys the socket.)
   *
   * @returns what `write()` returns (false: wait for `'drain'`).
   * @throws TypeError or RangeError for an empty chunk, no fds, more than 253 fds, or a value
   *   that is not a descriptor.
   */
  writeWithFds(
    chunk: Uint8Array | string,
    fds: readonly number[],
    callback?: (error?: Error | null) => void,
  ): boolean {
    const list = checkFds(fds);
    // A fresh Buffer object (sharing the bytes) marks this chunk on its way through the
    // Writable's queue to _write/_writev.
    const buffer =
      typeof chunk === "string"
        ? Buffer.from(chunk, "utf8")
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (buffer.length === 0) {
      throw new RangeError("file descriptors need at least one byte to travel with");
    }
    fdsOfChunk.set(buffer, list);
    return callback === undefined ? this.write(buffer) : this.write(buffer, callback);
  }

  override _read(): void {
    this.#reading = true;
    this.#updateEvents();
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    this.#enqueue([chunk]);
    this.#writeCallback = callback;
    this.#flush();
  }

  override _writev(
    chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>,
    callback: (error?: Error | null) => void,
  ): void {
    this.#enqueue(chunks.map((entry) => entry.chunk));
    this.#writeCallback = callback;
    this.#flush();
  }

  override _final(callback: (error?: Error | null) => void): void {
    const handle = this.#handle;
    if (handle !== null) {
      const result = handle.shutdown();
      if (result < 0 && result !== -ENOTCONN && result !== -EPIPE) {
        callback(systemError(result, "shutdown"));
        return;
      }
    }
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#handle?.close();
    this.#handle = null;
    this.#events = 0;
    this.#queue = [];
    const pending = this.#writeCallback;
    this.#writeCallback = null;
    if (pending !== null) pending(error ?? destroyedError());
    callback(error);
  }

  /**
   * Splits chunks into segments, one sendmsg each (or more when the kernel takes part of one): a
   * chunk that carries fds is a segment of its own, so its fds go with its first byte and nothing
   * written after it shares its send (a receiver then finds it at the end of the chunk it reads,
   * see {@link ReceivedFds}); chunks without fds are batched.
   */
  #enqueue(chunks: Buffer[]): void {
    let current: Segment | null = null;
    for (const chunk of chunks) {
      const fds = fdsOfChunk.get(chunk);
      if (fds !== undefined) fdsOfChunk.delete(chunk);
      if (chunk.length === 0) continue;
      if (fds !== undefined) {
        this.#queue.push({ buffers: [chunk], fds });
        current = null;
        continue;
      }
      if (current === null) {
        current = { buffers: [], fds: null };
        this.#queue.push(current);
      }
      current.buffers.push(chunk);
    }
  }

  /** Sends queued segments until done or EAGAIN; completes the pending write when done. */
  #flush(): void {
    const handle = this.#handle;
    if (handle === null) return;
    const maxIov = native().MAX_IOV;
    while (this.#queue.length > 0) {
      const segment = this.#queue[0]!;
      const buffers =
        segment.buffers.length > maxIov ? segment.buffers.slice(0, maxIov) : segment.buffers;
      const sent = handle.send(buffers, segment.fds);
      if (sent === -EAGAIN || sent === 0) {
        this.#writeBlocked = true;
        this.#updateEvents();
        return;
      }
      if (sent < 0) {
        this.#queue = [];
        this.#writeBlocked = false;
        this.#updateEvents();
        const error = systemError(sent, "write");
        const callback = this.#writeCallback;
        this.#writeCallback = null;
        if (callback !== null) callback(error);
        else this.destroy(error);
        return;
      }
      segment.fds = null; // they went with the first byte
      this.#bytesWritten += sent;
      let left = sent;
      while (left > 0) {
        const first = segment.buffers[0]!;
        if (first.length <= left) {
          left -= first.length;
          segment.buffers.shift();
        } else {
          segment.buffers[0] = first.subarray(left);
          left = 0;
        }
      }
      if (segment.buffers.length === 0) this.#queue.shift();
    }
    this.#writeBlocked = false;
    this.#updateEvents();
    const callback = this.#writeCallback;
    this.#writeCallback = null;
    callback?.();
  }

  #onPoll(status: number, events: number): void {
    if (this.#handle === null) return;
    if (status < 0) {
      this.#onPollError(status);
      return;
    }
    const binding = native();
    if ((events & binding.WRITABLE) !== 0) this.#flush();
    if ((events & binding.READABLE) !== 0) this.#readSome(false);
    this.#updateEvents();
  }

  /** libuv saw POLLERR (and stopped watching); `status` is the socket's pending error. */
  #onPollError(status: number): void {
    this.#events = 0;
    if (status === -ECONNRESET || status === -EPIPE) {
      // The peer is gone: deliver what it sent before, then the end of the stream; a pending
      // write fails (EPIPE).
      this.#readSome(true);
      if (this.#handle !== null && !this.#ended) this.#endOfStream();
      if (this.#queue.length > 0) this.#flush();
      this.#updateEvents();
      return;
    }
    this.destroy(systemError(status, "poll"));
  }

  /**
   * Reads while the readable side wants data (or, with `drain`, until nothing is left, ignoring
   * backpressure), announcing descriptors before the bytes they came with.
   */
  #readSome(drain: boolean): void {
    const binding = native();
    for (let i = 0; drain || (this.#reading && i < READS_PER_EVENT); i++) {
      const handle = this.#handle;
      if (handle === null || this.#ended) return;
      const fds: number[] = [];
      const n = handle.recv(readBuffer, this.#acceptFds, fds);
      let chunk: Buffer | undefined;
      if (n > 0) {
        // Out of the shared buffer before any listener runs.
        if (n < COPY_BELOW) {
          chunk = Buffer.allocUnsafe(n);
          readBuffer.copy(chunk, 0, 0, n);
        } else {
          chunk = readBuffer.subarray(0, n);
          readBuffer = Buffer.allocUnsafeSlow(READ_SIZE);
        }
      }
      if (fds.length > 0) {
        this.#deliverFds(fds, n);
        if (this.#handle === null) return; // a listener destroyed the socket
      }
      if (chunk === undefined) {
        if (n === -EAGAIN) return;
        if (n === binding.TRUNCATED) {
          this.destroy(truncatedError());
          return;
        }
        if (n === 0 || n === -ECONNRESET) {
          this.#endOfStream();
          return;
        }
        this.destroy(systemError(n, "read"));
        return;
      }
      this.#bytesRead += n;
      if (!this.push(chunk)) this.#reading = false;
    }
  }

  #deliverFds(fds: number[], length: number): void {
    const offset = this.#bytesRead;
    const size = Math.max(length, 0);
    if (fds[0] === -1) {
      const refused: RefusedFds = {
        count: fds.length,
        offset,
        length: size,
        reason: "not-accepted",
      };
      this.emit("fds-refused", refused);
      return;
    }
    if (this.listenerCount("fds") === 0) {
      for (const fd of fds) closeQuietly(fd);
      const refused: RefusedFds = {
        count: fds.length,
        offset,
        length: size,
        reason: "no-listener",
      };
      this.emit("fds-refused", refused);
      return;
    }
    const received: ReceivedFds = { fds, offset, length: size };
    this.emit("fds", received);
  }

  #endOfStream(): void {
    this.#ended = true;
    this.#reading = false;
    this.push(null);
  }

  #updateEvents(): void {
    const handle = this.#handle;
    if (handle === null) return;
    const binding = native();
    const mask =
      (this.#reading && !this.#ended ? binding.READABLE : 0) |
      (this.#writeBlocked ? binding.WRITABLE : 0);
    if (mask === this.#events) return;
    const result = handle.setEvents(mask);
    if (result < 0) {
      this.destroy(systemError(result, "poll"));
      return;
    }
    this.#events = mask;
  }
}

// Typed events on top of the Duplex ones.
export interface FdSocket {
  on(event: "fds", listener: (received: ReceivedFds) => void): this;
  on(event: "fds-refused", listener: (refused: RefusedFds) => void): this;
  // biome-ignore lint/suspicious/noExplicitAny: the Duplex signature this overloads.
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  once(event: "fds", listener: (received: ReceivedFds) => void): this;
  once(event: "fds-refused", listener: (refused: RefusedFds) => void): this;
  // biome-ignore lint/suspicious/noExplicitAny: the Duplex signature this overloads.
  once(event: string | symbol, listener: (...args: any[]) => void): this;
  off(event: "fds", listener: (received: ReceivedFds) => void): this;
  off(event: "fds-refused", listener: (refused: RefusedFds) => void): this;
  // biome-ignore lint/suspicious/noExplicitAny: the Duplex signature this overloads.
  off(event: string | symbol, listener: (...args: any[]) => void): this;
}

/**
 * Connects to a unix stream socket: a file-system path, or `@name` for an abstract socket
 * (connected with the name's exact length, so it reaches sockets bound by systemd, Go or Python,
 * unlike Node 20's own `net.connect`, which pads the name to 108 bytes).
 *
 * @rejects a system error like Node's (`code` ENOENT, ECONNREFUSED, EAGAIN when the listener's
 *   queue is full, EACCES, …, `syscall` 'connect', `address`), TypeError for a bad address, or
 *   {@link NativeUnavailableError}.
 */
export async function connectUnix(
  pathOrAbstract: string,
  options: FdSocketOptions = {},
): Promise<FdSocket> {
  const { bytes, abstract } = parseAddress(pathOrAbstract);
  const fd = native().connect(bytes, abstract);
  if (fd < 0) throw systemError(fd, "connect", pathOrAbstract);
  try {
    return new FdSocket(fd, options);
  } catch (error) {
    closeQuietly(fd);
    throw error;
  }
}

/**
 * A connected pair of sockets (socketpair(2)) in this process, e.g. to hand one end to a child
 * process; both ends are FdSockets with the given options.
 */
export function socketPair(options: FdSocketOptions = {}): [FdSocket, FdSocket] {
  const pair = native().socketpair();
  if (typeof pair === "number") throw systemError(pair, "socketpair");
  const [a, b] = pair;
  let first: FdSocket | undefined;
  try {
    first = new FdSocket(a, options);
    return [first, new FdSocket(b, options)];
  } catch (error) {
    if (first === undefined) closeQuietly(a);
    else first.destroy();
    closeQuietly(b);
    throw error;
  }
}

/**
 * A new pipe: `[readFd, writeFd]`, blocking, close-on-exec, owned by the caller (close both
 * with `fs.closeSync`). Handy to send one end to a varlink peer.
 */
export function pipe(): [readFd: number, writeFd: number] {
  const pair = native().pipe();
  if (typeof pair === "number") throw systemError(pair, "pipe");
  return pair;
}
