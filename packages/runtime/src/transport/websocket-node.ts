/**
 * `ws://` and `wss://` addresses in Node: the `ws` package's client, whose stream is a real
 * Duplex (so an upgraded connection is one too). Unlike a browser, Node sees the bridge's answer
 * when the handshake fails, and the error says what the bridge said; it can also present a client
 * certificate, trust a private CA and send headers (`Authorization: Bearer …`).
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import WebSocket, { createWebSocketStream, type ClientOptions } from "ws";
import { ConnectionError } from "../errors.js";
import type { WebSocketAddress } from "./address.js";
import { connectFailure } from "./connect-failure.js";
import { closeError } from "./websocket-stream.js";
import type { WebSocketClientOptions } from "./websocket-url.js";

/** The most of a refusal's body that is read for its message. */
const MAX_REFUSAL_BODY = 4096;

/**
 * Opens the WebSocket of `target` and resolves with its byte stream. `label` names it in
 * messages (without its token: see `describeAddress`).
 *
 * When the WebSocket closes with a code other than 1000 (or 1005, none), the stream is destroyed
 * with a ConnectionError `closed` that tells the code and reason, once what was received before
 * has been read; a normal close ends it.
 *
 * @throws TypeError (as a rejection) for a header `http` refuses.
 * @throws ConnectionError (as a rejection): `refused` when nothing listens or the bridge cannot
 *   reach the service (502), `not-found` for 404, `io` for any other refusal (TLS ones included),
 *   or `signal.reason`.
 */
export function openWebSocketStream(
  target: WebSocketAddress,
  label: string,
  signal: AbortSignal,
  options: WebSocketClientOptions,
): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    let socket: WebSocket;
    try {
      socket = new WebSocket(target.url, clientOptions(options));
    } catch (cause) {
      // Node checks headers before anything is sent; its TypeError names the header, not its value.
      reject(
        cause instanceof TypeError
          ? cause
          : new ConnectionError("io", `cannot connect to ${label}: ${(cause as Error).message}`, { cause }),
      );
      return;
    }
    let stream: Duplex | undefined;
    /** The error of an abnormal close, kept until the data received before it have been read. */
    let closing: ConnectionError | undefined;
    // Registered before createWebSocketStream's own listener, which ends the stream.
    socket.once("close", (code: number, reason: Buffer) => {
      if (stream === undefined || stream.destroyed) return;
      const error = closeError(code, reason.toString("utf8"));
      if (error === undefined) return;
      // A reader that reads on "readable" learns of it when it next reads and finds nothing: it
      // may still hold data it has not handled (a Connection whose `more` consumer is behind).
      const waiting = stream.readableFlowing !== true && stream.listenerCount("readable") > 0;
      if (stream.readableLength === 0 && !waiting) {
        stream.destroy(error);
        return;
      }
      closing = error;
      if (waiting) stream.emit("readable");
    });
    const settle = (error: Error | undefined): void => {
      socket.off("open", onOpen);
      socket.off("error", onError);
      socket.off("unexpected-response", onRefused);
      signal.removeEventListener("abort", onAbort);
      if (error === undefined) {
        const opened = createWebSocketStream(socket);
        // After an abnormal close the stream is destroyed with its error instead of ended; but
        // destroying drops what is buffered, so it waits until the reader has taken everything
        // and asks for more (a read that returns null). Until then the end that
        // createWebSocketStream pushes on "close" is held back, so that no "end" comes first.
        const { push, read } = opened;
        opened.push = function (this: Duplex, chunk: unknown, encoding?: BufferEncoding): boolean {
          if (chunk === null && closing !== undefined) return false;
          return push.call(this, chunk, encoding);
        };
        opened.read = function (this: Duplex, size?: number): unknown {
          const chunk: unknown = read.call(this, size);
          if (chunk === null && closing !== undefined && this.readableLength === 0 && !this.destroyed) {
            this.destroy(closing);
          }
          return chunk;
        };
        stream = opened;
        resolve(opened);
        return;
      }
      // A late error of the abandoned socket must not go unhandled.
      socket.on("error", () => {});
      socket.terminate();
      reject(error);
    };
    const onOpen = (): void => settle(undefined);
    const onError = (error: Error): void => settle(connectFailure(label, error));
    const onRefused = (_request: unknown, response: IncomingMessage): void => {
      void refusal(label, response).then(settle);
    };
    const onAbort = (): void => settle(signal.reason as Error);
    socket.on("open", onOpen);
    socket.on("error", onError);
    socket.on("unexpected-response", onRefused);
    signal.addEventListener("abort", onAbort);
  });
}

/** What the `ws` client is given: no compression (the bridge has none), TLS and headers. */
function clientOptions({ tls, headers }: WebSocketClientOptions): ClientOptions {
  const options: ClientOptions = { perMessageDeflate: false };
  if (headers !== undefined) options.headers = { ...headers };
  if (tls?.ca !== undefined) options.ca = pem(tls.ca);
  if (tls?.cert !== undefined) options.cert = pem(tls.cert);
  if (tls?.key !== undefined) options.key = pem(tls.key);
  return options;
}

/** PEM text or bytes as Node's TLS takes them (a Buffer, not any Uint8Array). */
function pem(value: string | Uint8Array): string | Buffer {
  if (typeof value === "string" || Buffer.isBuffer(value)) return value;
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** The error for a handshake the bridge answered with an HTTP status other than 101. */
async function refusal(label: string, response: IncomingMessage): Promise<ConnectionError> {
  const status = response.statusCode ?? 0;
  let said = response.statusMessage ?? "";
  try {
    const body = await readSome(response);
    const message = (JSON.parse(body) as { message?: unknown }).message;
    if (typeof message === "string") said = message;
  } catch {
    // No JSON body: the status line says enough.
  }
  const text = `cannot connect to ${label}: HTTP ${status}${said === "" ? "" : `: ${said}`}`;
  if (status === 502) return new ConnectionError("refused", text);
  if (status === 404) return new ConnectionError("not-found", text);
  return new ConnectionError("io", text);
}

function readSome(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    response.setEncoding("utf8");
    response.on("data", (text: string) => {
      body += text;
      if (body.length > MAX_REFUSAL_BODY) response.destroy();
    });
    response.on("end", () => resolve(body));
    response.on("close", () => resolve(body));
    response.on("error", reject);
  });
}
