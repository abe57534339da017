/**
 * What the HTTP bridge tests share: a real varlink service on a unix socket in a fresh temporary
 * directory, scripted services for the bytes no real service sends, the bridge itself, and HTTP
 * and WebSocket clients that report exactly what came back. `cleanup()` closes all of it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import WebSocket from "ws";
import {
  ExpectedMoreError,
  ExpectedUpgradeError,
  InterfaceNotFoundError,
  InvalidParameterError,
  MethodNotFoundError,
  MethodNotImplementedError,
  PermissionDeniedError,
  VarlinkError,
  VarlinkService,
  type CallContext,
} from "@varlink-ts/runtime";
import { serveHttp, type HttpBridge, type HttpBridgeOptions } from "@varlink-ts/runtime/http";

export const WEB_INTERFACE = `# The service the HTTP bridge tests call.
interface org.example.web

method Ping(ping: string) -> (pong: string)

# Fails with the error named by kind.
method Fail(kind: string) -> ()

# Replies i = 0..n-1; for n < 0 replies i = 0 and then fails with Broken.
method Count(n: int) -> (i: int)

# Replies until the client goes away.
method Forever() -> (i: int)

method Note(text: string) -> ()

# With protocol "shout", the connection then echoes bytes in upper case.
method Upgrade(protocol: string) -> (ready: bool)

method Missing() -> ()

error Broken (reason: string)
`;

export const WEB = "org.example.web";

/** A promise with its resolve function outside. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** What the handlers tell the tests. */
export class Hooks {
  readonly notes: string[] = [];
  /** Resolves with each note as it arrives. */
  noted = deferred<string>();
  /** Resolves when a Forever call saw its client go away. */
  foreverAborted = deferred();
  /** Resolves when a Forever call has sent its first reply. */
  foreverStarted = deferred();
}

/** Errors Fail throws, by kind. */
const FAILURES: Record<string, () => Error> = {
  InvalidParameter: () => new InvalidParameterError({ parameter: "kind" }),
  ExpectedMore: () => new ExpectedMoreError(),
  ExpectedUpgrade: () => new ExpectedUpgradeError(),
  InterfaceNotFound: () => new InterfaceNotFoundError({ interface: "org.example.gone" }),
  MethodNotFound: () => new MethodNotFoundError({ method: "Gone" }),
  MethodNotImplemented: () => new MethodNotImplementedError({ method: "Fail" }),
  PermissionDenied: () => new PermissionDeniedError(),
  Broken: () => new VarlinkError(`${WEB}.Broken`, { reason: "on purpose" }),
};

/** A service implementing org.example.web (all but Missing). */
export function createWebService(hooks: Hooks): VarlinkService {
  const service = new VarlinkService(
    { vendor: "Example", product: "web", version: "7", url: "https://example.org/web" },
    { logger: () => undefined },
  );
  service.addInterface(WEB_INTERFACE, {
    Ping: ({ ping }: { ping: string }) => ({ pong: ping }),
    Fail: ({ kind }: { kind: string }) => {
      const failure = FAILURES[kind];
      throw failure === undefined ? new TypeError(`no such failure ${kind}`) : failure();
    },
    Count: async function* ({ n }: { n: number }) {
      if (n < 0) {
        yield { i: 0 };
        throw new VarlinkError(`${WEB}.Broken`, { reason: "negative" });
      }
      for (let i = 0; i < n; i++) yield { i };
    },
    Forever: async (_: object, context: CallContext) => {
      for (let i = 0; !context.signal.aborted; i++) {
        await context.reply({ i });
        hooks.foreverStarted.resolve();
        await new Promise((resolve) => setImmediate(resolve));
      }
      hooks.foreverAborted.resolve();
      return { i: -1 };
    },
    Note: ({ text }: { text: string }) => {
      hooks.notes.push(text);
      hooks.noted.resolve(text);
      return {};
    },
    Upgrade: ({ protocol }: { protocol: string }, context: CallContext) => {
      if (protocol === "refuse") throw new VarlinkError(`${WEB}.Broken`, { reason: "refused" });
      void context.upgradedStream().then((stream) => {
        stream.on("data", (chunk: Buffer) => stream.write(chunk.toString("utf8").toUpperCase()));
        stream.on("error", () => undefined);
      });
      return { ready: true };
    },
  });
  return service;
}

/** One accepted connection of a scripted service: what it received, and its socket. */
export interface ScriptedConnection {
  readonly socket: Socket;
  /** The exact text of every message received, without its NUL. */
  readonly received: string[];
}

/** What the tests opened, closed by {@link Harness.cleanup}. */
export class Harness {
  private readonly dirs: string[] = [];
  private readonly services: VarlinkService[] = [];
  private readonly servers: Server[] = [];
  private readonly bridges: HttpBridge[] = [];
  private readonly websockets: WebSocket[] = [];
  private readonly scriptedSockets: Socket[] = [];
  /** What the bridges logged. */
  readonly logs: string[] = [];

  async tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "varlink-http-test-"));
    this.dirs.push(dir);
    return dir;
  }

  /** An address in a fresh directory where nothing listens. */
  async nowhere(): Promise<string> {
    return `unix:${join(await this.tempDir(), "nothing.sock")}`;
  }

  /** The web service on a unix socket; returns its address and hooks. */
  async webService(): Promise<{ address: string; hooks: Hooks; service: VarlinkService }> {
    const hooks = new Hooks();
    const service = createWebService(hooks);
    this.services.push(service);
    const address = `unix:${join(await this.tempDir(), "web.sock")}`;
    await service.listen(address);
    return { address, hooks, service };
  }

  /** Tracks a service so that cleanup closes it. */
  track(service: VarlinkService): VarlinkService {
    this.services.push(service);
    return service;
  }

  /**
   * A scripted service on a unix socket: `onMessage` is called with each message's text (and the
   * connection) as it arrives, and writes whatever it likes.
   */
  async scriptedService(onMessage: (text: string, connection: ScriptedConnection) => void): Promise<{
    address: string;
    connections: ScriptedConnection[];
  }> {
    const connections: ScriptedConnection[] = [];
    const server = createServer((socket) => {
      const connection: ScriptedConnection = { socket, received: [] };
      connections.push(connection);
      this.scriptedSockets.push(socket);
      let pending = Buffer.alloc(0);
      socket.on("error", () => undefined);
      socket.on("data", (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        for (let end = pending.indexOf(0); end !== -1; end = pending.indexOf(0)) {
          const text = pending.subarray(0, end).toString("utf8");
          pending = pending.subarray(end + 1);
          connection.received.push(text);
          onMessage(text, connection);
        }
      });
    });
    this.servers.push(server);
    const path = join(await this.tempDir(), "scripted.sock");
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(path, resolve);
    });
    return { address: `unix:${path}`, connections };
  }

  /** A bridge with `options`, logging into {@link Harness.logs}. */
  async bridge(options: HttpBridgeOptions): Promise<HttpBridge> {
    const bridge = await serveHttp({ log: (message) => this.logs.push(message), ...options });
    this.bridges.push(bridge);
    return bridge;
  }

  /** The bridge of the web service, and the service's hooks. */
  async webBridge(options: HttpBridgeOptions = {}): Promise<{ bridge: HttpBridge; hooks: Hooks; service: VarlinkService }> {
    const { address, hooks, service } = await this.webService();
    const bridge = await this.bridge({ services: { [WEB]: address }, ...options });
    return { bridge, hooks, service };
  }

  /** Tracks a WebSocket so that cleanup terminates it. */
  websocket(socket: WebSocket): WebSocket {
    this.websockets.push(socket);
    socket.on("error", () => undefined);
    return socket;
  }

  async cleanup(): Promise<void> {
    this.logs.length = 0;
    for (const socket of this.websockets.splice(0)) socket.terminate();
    await Promise.all(this.bridges.splice(0).map((bridge) => bridge.close()));
    await Promise.all(this.services.splice(0).map((service) => service.close({ grace: 0 })));
    for (const socket of this.scriptedSockets.splice(0)) socket.destroy();
    await Promise.all(
      this.servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
    await Promise.all(this.dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  }
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
export function openFrames(harness: Harness, url: string, options: WebSocket.ClientOptions = {}): Promise<FrameClient> {
  const socket = harness.websocket(new WebSocket(url, { perMessageDeflate: false, ...options }));
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
  harness: Harness,
  url: string,
  options: WebSocket.ClientOptions = {},
): Promise<{ status: number; body: unknown; headers: IncomingHttpHeaders }> {
  const socket = harness.websocket(new WebSocket(url, { perMessageDeflate: false, ...options }));
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

/** Resolves once `condition()` holds, looking again at every turn of the event loop (no deadline). */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Reads from a raw stream until `expected` bytes have arrived. */
export function readBytes(stream: Duplex, expected: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const onData = (chunk: Buffer): void => {
      text += chunk.toString("utf8");
      if (text.length >= expected) {
        stream.off("data", onData);
        resolve(text);
      }
    };
    stream.on("data", onData);
    stream.once("error", reject);
  });
}
