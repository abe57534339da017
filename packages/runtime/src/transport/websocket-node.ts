/**
 * `ws://` and `wss://` addresses in Node: the `ws` package's client, whose stream is a real
 * Duplex (so an upgraded connection is one too). Unlike a browser, Node sees the bridge's answer
 * when the handshake fails, and the error says what the bridge said.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import WebSocket, { createWebSocketStream } from "ws";
import { ConnectionError } from "../errors.js";
import type { WebSocketAddress } from "./address.js";
import { connectFailure } from "./connect-socket.js";

/** The most of a refusal's body that is read for its message. */
const MAX_REFUSAL_BODY = 4096;

/**
 * Opens the WebSocket of `target` and resolves with its byte stream.
 * @throws ConnectionError (as a rejection): `refused` when nothing listens or the bridge cannot
 *   reach the service (502), `not-found` for 404, `io` for any other refusal, or `signal.reason`.
 */
export function openWebSocketStream(
  target: WebSocketAddress,
  label: string,
  signal: AbortSignal,
): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(target.url, { perMessageDeflate: false });
    const settle = (error: Error | undefined): void => {
      socket.off("open", onOpen);
      socket.off("error", onError);
      socket.off("unexpected-response", onRefused);
      signal.removeEventListener("abort", onAbort);
      if (error === undefined) {
        resolve(createWebSocketStream(socket));
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
