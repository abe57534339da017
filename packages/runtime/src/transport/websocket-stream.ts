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

/**
 * An open WebSocket seen as the byte stream a `Connection` reads and writes: frames received are
 * queued as chunks (`read()`), writes made while corked leave as one binary frame.
 */
export class WebSocketByteStream implements ByteStream {
  private readonly socket: WebSocketLike;
  private readonly chunks: Uint8Array[] = [];
  private queuedBytes = 0;
  private corkedWrites: Uint8Array[] | undefined;
  private readonly listeners = new Map<string, Set<Listener>>();
  private ended = false;
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

  get readableEnded(): boolean {
    return this.ended && this.chunks.length === 0;
  }

  /** Bytes received and not read yet. */
  get readableLength(): number {
    return this.queuedBytes;
  }

  /** The next chunk received, or null when there is none yet. */
  read(): Uint8Array | null {
    const chunk = this.chunks.shift();
    if (chunk === undefined) return null;
    this.queuedBytes -= chunk.length;
    return chunk;
  }

  /** Puts bytes back in front of the queue, to be read first. */
  unshift(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.unshift(chunk);
    this.queuedBytes += chunk.length;
  }

  /**
   * Sends `chunk` (or queues it while corked). `callback` runs once the WebSocket has taken it,
   * which is all a browser tells.
   */
  write(chunk: string | Uint8Array, callback?: (error: Error | null | undefined) => void): boolean {
    const bytes = typeof chunk === "string" ? encodeUtf8(chunk) : chunk;
    if (this.isDestroyed || this.socket.readyState !== OPEN) {
      const error = new ConnectionError("closed", "the WebSocket is closed");
      if (callback !== undefined) queueMicrotask(() => callback(error));
      return false;
    }
    if (this.corkedWrites !== undefined) this.corkedWrites.push(bytes);
    else this.socket.send(bytes);
    if (callback !== undefined) queueMicrotask(() => callback(null));
    return true;
  }

  /** Holds writes until {@link uncork}, which sends them as one frame. */
  cork(): void {
    this.corkedWrites ??= [];
  }

  uncork(): void {
    const writes = this.corkedWrites;
    this.corkedWrites = undefined;
    if (writes === undefined || writes.length === 0 || this.isDestroyed) return;
    if (this.socket.readyState !== OPEN) return;
    this.socket.send(writes.length === 1 ? writes[0]! : concatBytes(writes));
  }

  /** Sends what is corked and closes the WebSocket normally. */
  end(): void {
    this.uncork();
    this.destroy();
  }

  /** Closes the WebSocket; "close" follows. */
  destroy(): void {
    if (this.isDestroyed) return;
    this.isDestroyed = true;
    this.socket.close(1000);
    this.finish();
  }

  on(event: "readable" | "end" | "close", listener: () => void): this;
  on(event: "error", listener: (error: Error) => void): this;
  on(event: string, listener: (error: Error) => void): this {
    let set = this.listeners.get(event);
    if (set === undefined) this.listeners.set(event, (set = new Set()));
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

  private readonly onClose = (): void => {
    if (this.ended) return;
    this.ended = true;
    this.emit("end");
    this.finish();
  };

  private readonly onError = (): void => {
    if (this.isDestroyed) return;
    this.emit("error", new ConnectionError("closed", "the WebSocket connection failed"));
  };

  /** Forgets the WebSocket and says "close", once. */
  private finish(): void {
    if (this.closeEmitted) return;
    this.closeEmitted = true;
    this.isDestroyed = true;
    this.socket.removeEventListener("message", this.onMessage);
    this.socket.removeEventListener("close", this.onClose);
    this.socket.removeEventListener("error", this.onError);
    this.emit("close");
  }
}
