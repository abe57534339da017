/**
 * Speaking HTTP and WebSocket to a bridge: requests on connections of their own that report
 * exactly what came back, JSON text sequences, WebSocket clients that keep every frame; and the
 * bridges themselves, started in a sandbox with their log lines kept in `sandbox.log`.
 */
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import WebSocket from "ws";
import type { VarlinkService } from "@varlink-ts/runtime";
import { serveHttp, type HttpBridge, type HttpBridgeOptions } from "@varlink-ts/runtime/http";
import { RawServer, type RawConnection } from "./raw-server.js";
import type { Sandbox } from "./sandbox.js";
import { startWebService, WEB, type WebHooks } from "./services/web.js";

/** A bridge with `options`, logging into `sandbox.log`; closed at cleanup. */
export async function startBridge(sandbox: Sandbox, options: HttpBridgeOptions): Promise<HttpBridge> {
  return sandbox.track(await serveHttp({ log: (message) => sandbox.log.logger(message), ...options }));
}

/** The web service (org.example.web) behind a bridge of its own, and the service's hooks. */
export async function webBridge(
  sandbox: Sandbox,
  options: HttpBridgeOptions = {},
): Promise<{ bridge: HttpBridge; hooks: WebHooks; service: VarlinkService }> {
  const { address, hooks, service } = await startWebService(sandbox);
  const started = await startBridge(sandbox, { services: { [WEB]: address }, ...options });
  return { bridge: started, hooks, service };
}

/** An address in a new directory where nothing listens. */
export async function nowhere(sandbox: Sandbox): Promise<string> {
  return `unix:${await sandbox.socketPath("nothing.sock")}`;
}

/** Tracks a WebSocket, whose late errors are ignored, so that cleanup terminates it. */
export function websocket(sandbox: Sandbox, socket: WebSocket): WebSocket {
  socket.on("error", () => undefined);
  return sandbox.track(socket);
}

/** What an HTTP request got back. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The body as text. */
  readonly text: string;
}

/** Options of {@link send}. */
export interface SendOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** For https: URLs: the CA, and the client's certificate and key. */
  readonly tls?: Pick<RequestOptions, "ca" | "cert" | "key">;
}

/** Sends one request on a connection of its own and reads the whole answer. */
export function send(url: string, options: SendOptions = {}): Promise<HttpAnswer> {
  const target = new URL(url);
  const request = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      target,
      { method: options.method ?? "GET", headers: options.headers ?? {}, agent: false, ...options.tls },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () => {
          const body = Buffer.concat(chunks);
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body, text: body.toString("utf8") });
        });
      },
    );
    outgoing.on("error", reject);
    outgoing.end(options.body);
  });
}

/** POSTs `body` (a JSON text, or an object to serialize) to `url`. */
export function post(url: string, body: string | object = "{}", headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return send(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** The JSON of an answer's body. */
export function json(answer: HttpAnswer): unknown {
  return JSON.parse(answer.text);
}

/** The records of a JSON text sequence (RFC 7464), parsed. */
export function records(answer: HttpAnswer): unknown[] {
  const text = answer.text;
  if (text !== "" && !text.startsWith("\u001e")) throw new Error(`not a JSON text sequence: ${JSON.stringify(text)}`);
  return text
    .split("\u001e")
    .slice(1)
    .map((record) => {
      if (!record.endsWith("\n")) throw new Error(`a record without its LF: ${JSON.stringify(record)}`);
      return JSON.parse(record) as unknown;
    });
}

/** The `ws:` URL of a bridge's route. */
export function wsUrl(bridge: HttpBridge, path: string): string {
  return new URL(path, bridge.url.replace(/^http/, "ws")).toString();
}

/** A WebSocket client that keeps every frame it receives, one entry per frame. */
export class FrameClient {
  readonly socket: WebSocket;
  readonly frames: Buffer[] = [];
  /** Whether each frame was binary. */
  readonly binary: boolean[] = [];
  /** Resolves with the close code and reason once the connection has closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly waiters: Array<() => void> = [];

  constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on("message", (data: Buffer, isBinary: boolean) => {
      this.frames.push(data);
      this.binary.push(isBinary);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on("close", (code: number, reason: Buffer) => {
        resolve({ code, reason: reason.toString("utf8") });
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
  }

  /** Resolves with the first `count` frames once they have arrived. */
  async frameCount(count: number): Promise<Buffer[]> {
    while (this.frames.length < count) {
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error(`closed after ${this.frames.length} frames`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.frames.slice(0, count);
  }

  /** Resolves with the frames' bytes joined, once there are at least `length` of them. */
  async bytes(length: number): Promise<string> {
    for (;;) {
      const joined = Buffer.concat(this.frames);
      if (joined.length >= length) return joined.toString("utf8");
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error(`closed after ${joined.length} bytes`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Sends bytes as one binary frame, or as a text frame with `text`. */
  send(data: string | Buffer, text = false): void {
    this.socket.send(typeof data === "string" ? Buffer.from(data, "utf8") : data, { binary: !text });
  }
}

/** Opens a WebSocket to `url` and resolves once it is open. */
export function openFrames(sandbox: Sandbox, url: string, options: WebSocket.ClientOptions = {}): Promise<FrameClient> {
  const socket = websocket(sandbox, new WebSocket(url, { perMessageDeflate: false, ...options }));
  const client = new FrameClient(socket);
  return new Promise((resolve, reject) => {
    socket.once("open", () => resolve(client));
    socket.once("unexpected-response", (_request, response) => {
      reject(new Error(`the upgrade was refused with ${response.statusCode ?? 0}`));
      response.resume();
    });
    socket.once("error", reject);
  });
}

/** What a refused WebSocket upgrade got back. */
export function refusedUpgrade(
  sandbox: Sandbox,
  url: string,
  options: WebSocket.ClientOptions = {},
): Promise<{ status: number; body: unknown; headers: IncomingHttpHeaders }> {
  const socket = websocket(sandbox, new WebSocket(url, { perMessageDeflate: false, ...options }));
  return new Promise((resolve, reject) => {
    socket.once("open", () => reject(new Error("the upgrade was accepted")));
    socket.once("unexpected-response", (_request, response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: response.statusCode ?? 0, body: text === "" ? undefined : (JSON.parse(text) as unknown), headers: response.headers });
      });
    });
  });
}

/**
 * A scripted service on a unix socket in a new directory: `onMessage` is called with each
 * message's text (and its connection) as it arrives, and writes whatever it likes; for the bytes
 * no real service sends. Its `address` and `connections` are what the tests look at.
 */
export function scriptedService(
  sandbox: Sandbox,
  onMessage: (text: string, connection: RawConnection) => void,
): Promise<RawServer> {
  return RawServer.start(sandbox, { onMessage, name: "scripted.sock" });
}
