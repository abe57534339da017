/**
 * An in-memory connection: two Duplex ends where what one writes the other reads, for mocks and
 * tests that need no socket. (`stream.duplexPair` only arrived in Node 22.)
 */
import { Duplex } from "node:stream";

/** One end of an in-memory connection; it behaves like a socket with `allowHalfOpen: false`. */
class MemoryEnd extends Duplex {
  peer: MemoryEnd | undefined;
  /** The callback of our last write, held until the peer's reader wants more. */
  private blockedWrite: (() => void) | undefined;
  private eofPushed = false;

  constructor() {
    super({ allowHalfOpen: false });
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    // Delivered on a later tick, as a socket would: a reader answering inside its "data" handler
    // must not run inside the writer's write() call.
    process.nextTick(() => {
      const peer = this.peer;
      if (peer === undefined || peer.destroyed || peer.eofPushed) {
        // Nobody reads any more; the bytes are lost, as on a closed connection.
        callback();
      } else if (peer.push(chunk)) {
        callback();
      } else {
        this.blockedWrite = callback;
      }
    });
  }

  override _read(): void {
    const peer = this.peer;
    const callback = peer?.blockedWrite;
    if (peer !== undefined && callback !== undefined) {
      peer.blockedWrite = undefined;
      callback();
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    process.nextTick(() => {
      this.peer?.endReadable();
      callback();
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    // A write the peer has waiting on our reader can never be read now.
    const stranded = peer?.blockedWrite;
    if (peer !== undefined) peer.blockedWrite = undefined;
    stranded?.();
    process.nextTick(() => peer?.endReadable());
    callback(error);
  }

  private endReadable(): void {
    if (this.eofPushed || this.destroyed) return;
    this.eofPushed = true;
    this.push(null);
  }
}

/**
 * Two connected in-memory streams: bytes written to one are read from the other, in order and
 * with backpressure. Ending one ends the other's readable side, and like a socket (with
 * `allowHalfOpen: false`) that end then finishes too; destroying one ends the other's readable
 * side the same way.
 */
export function duplexPair(): [Duplex, Duplex] {
  const left = new MemoryEnd();
  const right = new MemoryEnd();
  left.peer = right;
  right.peer = left;
  return [left, right];
}
