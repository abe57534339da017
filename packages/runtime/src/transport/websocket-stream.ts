/**
 * A connection through an HTTP bridge's WebSocket mode (UAPI.20) on a WHATWG `WebSocket`, the one
 * browsers have (and Node 22). The bridge tunnels the raw NUL-framed protocol, so the client reads
 * the frames as one byte stream, reassembling messages on NUL only, and writes the calls of one
 * tick as one frame. Node uses the `ws` package's stream instead (websocket-node.ts); this file
 * imports nothing from Node, so that browsers can load it.
 */
import type { ByteStream } from "../client/connection.js";
import { ConnectionError } from "../errors.js";
import { concatBytes, encodeUtf8 } from "../protocol/bytes.js";

/** The part of the WHATWG WebSocket used here. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array | string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: (event: never) => void): void;
  removeEventListener(type: string, listener: (event: never) => void): void;
}

/** A WebSocket class such as `globalThis.WebSocket`. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

const OPEN = 1;

/** The meanings of the close codes of RFC 6455 (section 7.4.1) and IANA's registry. */
const CLOSE_CODES: Readonly<Record<number, string>> = {
  1001: "going away",
  1002: "protocol error",
  1003: "unsupported data",
  1006: "abnormal closure",
  1007: "invalid data",
  1008: "policy violation",
  1009: "message too big",
  1010: "mandatory extension",
  1011: "internal error",
  1012: "service restart",
  1013: "try again later",
  1014: "bad gateway",
  1015: "TLS handshake failure",
};

/**
 * What a WebSocket's close code means for the calls still waiting: undefined for a normal close
 * (1000, or 1005 when the close frame had no code), else a ConnectionError `closed` with the
 * code, its meaning and the peer's reason: "the bridge closed the WebSocket: 1009 message too
 * big: …". 1006 is no peer's code: the connection was lost without a close frame.
 */
export function closeError(code: number, reason: string): ConnectionError | undefined {
  if (code === 1000 || code === 1005) return undefined;
  const meaning = CLOSE_CODES[code];
  const said = `${code}${meaning === undefined ? "" : ` ${meaning}`}${reason === "" ? "" : `: ${reason}`}`;
  return new ConnectionError(
    "closed",
    code === 1006
      ? `the WebSocket connection was lost without a close frame: ${said}`
      : `the bridge closed the WebSocket: ${said}`,
  );
}

/**
 * Opens a WebSocket to `url` and resolves with it as a byte stream once the handshake is done.
 * Browsers do not tell why a handshake failed (the bridge's 401, 403, 404 or 502 look alike), so
 * every failure is a ConnectionError `io` that names the URL.
 *
 * @throws ConnectionError (as a rejection): `io` when the handshake fails, or `signal.reason`.
 */
export function openWebSocket(
  url: string,
  label: string,
  signal: AbortSignal,
  WebSocketClass: WebSocketConstructor,
): Promise<WebSocketByteStream> {
  return new Promise((resolve, reject) => {
    let socket: WebSocketLike;
    try {
      socket = new WebSocketClass(url);
    } catch (cause) {
      reject(new ConnectionError("io", `cannot connect to ${label}: ${(cause as Error).message}`, { cause }));
      return;
    }
    socket.binaryType = "arraybuffer";
    const settle = (outcome: Error | undefined): void => {
      socket.removeEventListener("open", onOpen);
      socket.removeEventListener("error", onFailure);
      socket.removeEventListener("close", onFailure);
      signal.removeEventListener("abort", onAbort);
      if (outcome === undefined) resolve(new WebSocketByteStream(socket));
      else reject(outcome);
    };
    const onOpen = (): void => settle(undefined);
    const onFailure = (): void =>
      settle(new ConnectionError("io", `cannot connect to ${label}: the WebSocket handshake failed`));
    const onAbort = (): void => {
      socket.close();
      settle(signal.reason as Error);
    };
    socket.addEventListener("open", onOpen);
    socket.addEventListener("error", onFailure);
    socket.addEventListener("close", onFailure);
    signal.addEventListener("abort", onAbort);
  });
}

type Listener = (error: Error) => void;
type WriteCallback = (error: Error | null | undefined) => void;

/** A write held while corked, and whom to tell once it is handed to the WebSocket. */
interface CorkedWrite {
  readonly bytes: Uint8Array;
  readonly callback: WriteCallback | undefined;
}

/**
 * An open WebSocket seen as the byte stream a `Connection` reads and writes, with the events of
 * a Node Readable: frames received are queued as chunks (`read()`); "end" comes once the
 * WebSocket has closed normally *and* the last chunk has been read, then "close"; after an
 * abnormal close (a code other than 1000 and 1005, see {@link closeError}), "error" comes instead
 * of "end" once every chunk has been read and a read finds nothing more, then "close".
 *
 * Writes made while corked leave as one binary frame at `uncork()`; a write's callback runs once
 * its bytes have been handed to `send()`, or with an error when the WebSocket closed first. That
 * is all a browser tells: its WebSocket has no backpressure (`send()` never refuses; what it has
 * not sent yet waits in its `bufferedAmount`), so `write()` returns true and there is no "drain".
 */
export class WebSocketByteStream implements ByteStream {
  private readonly socket: WebSocketLike;
  private readonly chunks: Uint8Array[] = [];
  private queuedBytes = 0;
  private corkedWrites: CorkedWrite[] | undefined;
  /** Callbacks of writes the WebSocket closed before taking: told once the stream has ended. */
  private unsent: WriteCallback[] = [];
  private readonly listeners = new Map<string, Set<Listener>>();
  /** The WebSocket has closed: nothing more arrives. */
  private socketClosed = false;
  /** The WebSocket failed ("error" event); its "close" follows. */
  private failed = false;
  /** What the close means once the queue is read: undefined for a normal end. */
  private closeFailure: ConnectionError | undefined;
  private endEmitted = false;
  private isDestroyed = false;
  private closeEmitted = false;

  constructor(socket: WebSocketLike) {
    this.socket = socket;
    socket.addEventListener("message", this.onMessage);
    socket.addEventListener("close", this.onClose);
    socket.addEventListener("error", this.onError);
  }

  get destroyed(): boolean {
    return this.isDestroyed;
  }

  /** True once "end" has been emitted, as on a Node Readable. */
  get readableEnded(): boolean {
    return this.endEmitted;
  }

  /** Bytes received and not read yet. */
  get readableLength(): number {
    return this.queuedBytes;
  }

  /** The next chunk received, or null when there is none yet. */
  read(): Uint8Array | null {
    const chunk = this.chunks.shift();
    if (chunk === undefined) {
      // After an abnormal close the error comes once the reader asks for more and nothing is
      // left: until then it may still hold data it has not handled (a Connection whose `more`
      // consumer is behind), as with Node's client.
      if (this.socketClosed && this.closeFailure !== undefined) queueMicrotask(this.drained);
      return null;
    }
    this.queuedBytes -= chunk.length;
    // The last chunk after a normal close: "end" follows, as a Node Readable's does, a moment later.
    if (this.chunks.length === 0 && this.socketClosed && this.closeFailure === undefined) {
      queueMicrotask(this.drained);
    }
    return chunk;
  }

  /** Puts bytes back in front of the queue, to be read first. */
  unshift(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.unshift(chunk);
    this.queuedBytes += chunk.length;
  }

  /**
   * Sends `chunk`, or holds it while corked. `callback` runs once the WebSocket has been handed
   * the bytes (which is all a browser tells), or with a ConnectionError when it closed first.
   */
  write(chunk: string | Uint8Array, callback?: WriteCallback): boolean {
    const bytes = typeof chunk === "string" ? encodeUtf8(chunk) : chunk;
    if (this.isDestroyed || this.socket.readyState !== OPEN) {
      if (callback !== undefined) this.failWrites([callback]);
      return false;
    }
    if (this.corkedWrites !== undefined) {
      this.corkedWrites.push({ bytes, callback });
      return true;
    }
    this.socket.send(bytes);
    if (callback !== undefined) queueMicrotask(() => callback(null));
    return true;
  }

  /** Holds writes until {@link uncork}, which sends them as one frame. */
  cork(): void {
    this.corkedWrites ??= [];
  }

  /** Sends the writes held since `cork()` as one frame, then tells their callbacks. */
  uncork(): void {
    const writes = this.corkedWrites;
    this.corkedWrites = undefined;
    if (writes === undefined || writes.length === 0) return;
    if (this.isDestroyed || this.socket.readyState !== OPEN) {
      this.failWrites(writes.map((write) => write.callback));
      return;
    }
    this.socket.send(writes.length === 1 ? writes[0]!.bytes : concatBytes(writes.map((write) => write.bytes)));
    for (const { callback } of writes) {
      if (callback !== undefined) queueMicrotask(() => callback(null));
    }
  }

  /** Sends what is corked and closes the WebSocket normally. */
  end(): void {
    this.uncork();
    this.destroy();
  }

  /** Closes the WebSocket and drops what was not read; "close" follows. */
  destroy(): void {
    if (this.isDestroyed) return;
    this.isDestroyed = true;
    const writes = this.corkedWrites;
    this.corkedWrites = undefined;
    if (writes !== undefined) this.failWrites(writes.map((write) => write.callback));
    this.chunks.length = 0;
    this.queuedBytes = 0;
    this.socket.close(1000);
    this.finish();
  }

  on(event: "readable" | "end" | "close", listener: () => void): this;
  on(event: "error", listener: (error: Error) => void): this;
  on(event: string, listener: (error: Error) => void): this {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener);
    return this;
  }

  off(event: "readable" | "end" | "close", listener: () => void): this;
  off(event: "error", listener: (error: Error) => void): this;
  off(event: string, listener: (error: Error) => void): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  private emit(event: string, error?: Error): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) listener(error as Error);
  }

  private readonly onMessage = (event: { data: unknown }): void => {
    if (this.isDestroyed) return;
    const { data } = event;
    // Text frames carry the same bytes as binary ones (the bridge sends binary; both are allowed).
    const chunk =
      typeof data === "string"
        ? encodeUtf8(data)
        : data instanceof ArrayBuffer
          ? new Uint8Array(data)
          : ArrayBuffer.isView(data)
            ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
            : undefined;
    if (chunk === undefined || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.queuedBytes += chunk.length;
    this.emit("readable");
  };

  private readonly onClose = (event: { code?: unknown; reason?: unknown }): void => {
    if (this.socketClosed) return;
    this.socketClosed = true;
    const code = typeof event.code === "number" ? event.code : 1005;
    const reason = typeof event.reason === "string" ? event.reason : "";
    this.closeFailure =
      closeError(code, reason) ??
      (this.failed ? new ConnectionError("closed", "the WebSocket connection failed") : undefined);
    // What is queued is still to be read: the end waits for the last chunk (see read()).
    if (this.chunks.length > 0) return;
    // A reader that reads on "readable" learns of an abnormal close at its next read (see read()).
    if (this.closeFailure !== undefined && (this.listeners.get("readable")?.size ?? 0) > 0) this.emit("readable");
    else this.drained();
  };

  /** A WebSocket's "error" carries nothing, and its "close", which tells more, follows. */
  private readonly onError = (): void => {
    this.failed = true;
  };

  /** Closed, and everything read: "end", or "error" for an abnormal close, then "close". */
  private readonly drained = (): void => {
    if (this.closeEmitted || this.chunks.length > 0) return;
    const failure = this.closeFailure;
    this.closeFailure = undefined;
    if (failure !== undefined) {
      this.emit("error", failure);
    } else if (!this.endEmitted) {
      this.endEmitted = true;
      this.emit("end");
    }
    this.finish();
  };

  /**
   * Tells the callbacks of writes that were not sent. Once the stream has ended, at once; before,
   * they wait for its end, so that the reader first learns why it ended (a close code says more
   * than "not sent"), as a Connection does from "end" or "error".
   */
  private failWrites(callbacks: readonly (WriteCallback | undefined)[]): void {
    for (const callback of callbacks) if (callback !== undefined) this.unsent.push(callback);
    if (this.closeEmitted) this.tellUnsent();
  }

  private tellUnsent(): void {
    const callbacks = this.unsent;
    this.unsent = [];
    if (callbacks.length === 0) return;
    const error = new ConnectionError("closed", "the WebSocket closed before the data could be sent");
    for (const callback of callbacks) queueMicrotask(() => callback(error));
  }

  /** Forgets the WebSocket and says "close", once. */
  private finish(): void {
    if (this.closeEmitted) return;
    this.closeEmitted = true;
    this.isDestroyed = true;
    this.socket.removeEventListener("message", this.onMessage);
    this.socket.removeEventListener("close", this.onClose);
    this.socket.removeEventListener("error", this.onError);
    this.emit("close");
    this.tellUnsent();
  }
}
