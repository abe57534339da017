/**
 * The client over WebSocket (UAPI.20's WebSocket mode), both ways it is built: Node's, on the `ws`
 * package's stream, and the browser's, on a WHATWG WebSocket (here `ws`'s WebSocket class, which
 * has the same API). The far end is a WebSocket server that hands each connection to a real
 * VarlinkService, or scripted frames where the test needs bytes at odd places.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { setImmediate as nextTurn } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket, { createWebSocketStream, WebSocketServer } from "ws";
import {
  connect,
  Connection,
  ConnectionError,
  InvalidParameterError,
  VarlinkService,
  type JsonObject,
} from "@varlink-ts/runtime";
import { serveHttp } from "@varlink-ts/runtime/http";
import { formatAddress, openStream, parseAddress } from "@varlink-ts/runtime/transport";
import { connect as browserConnect } from "../../src/browser/connect.js";
import { describeAddress } from "../../src/transport/address.js";
import {
  openWebSocket,
  type WebSocketByteStream,
  type WebSocketConstructor,
} from "../../src/transport/websocket-stream.js";

const info = { vendor: "Test", product: "ws", version: "1", url: "https://example.org" };

const INTERFACE = `interface org.example.ws
method Echo(text: string) -> (text: string)
method Count(n: int) -> (i: int)
method Tell(text: string) -> ()
`;

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A service reached through a WebSocket server on a free loopback port. */
async function startWebSocketService(): Promise<{ port: number; told: string[] }> {
  const told: string[] = [];
  const service = new VarlinkService(info);
  service.addInterface(INTERFACE, {
    Echo: ({ text }: { text: string }) => ({ text }),
    async *Count({ n }: { n: number }) {
      for (let i = 0; i < n; i++) yield { i };
    },
    Tell: ({ text }: { text: string }) => {
      told.push(text);
      return {};
    },
  });
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  wss.on("connection", (socket) => service.serve(createWebSocketStream(socket)));
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  closers.push(() => service.close({ grace: 0 }), () => closeServer(http, wss));
  return { port: (http.address() as AddressInfo).port, told };
}

/** An HTTP server that answers every upgrade with `status` and a JSON message. */
async function startRefusingServer(status: number, message: string): Promise<number> {
  const http = createServer((_request, response) => {
    response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ message }));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  closers.push(() => closeServer(http));
  return (http.address() as AddressInfo).port;
}

/** A WebSocket server whose connections are scripted by `onConnection`. */
async function startScriptedServer(onConnection: (socket: WebSocket) => void): Promise<number> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  wss.on("connection", onConnection);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  closers.push(() => closeServer(http, wss));
  return (http.address() as AddressInfo).port;
}

function closeServer(http: Server, wss?: WebSocketServer): Promise<void> {
  for (const client of wss?.clients ?? []) client.terminate();
  wss?.close();
  http.closeAllConnections();
  return new Promise((resolve) => http.close(() => resolve()));
}

/** `ws`'s WebSocket, keeping every instance made: the test can act on the client's own socket. */
class RecordedWebSocket extends WebSocket {
  static made: RecordedWebSocket[] = [];
  constructor(url: string) {
    super(url);
    RecordedWebSocket.made.push(this);
  }
}

/** The stream a browser's client reads, over `ws`'s WHATWG-style WebSocket. */
function openBrowserStream(url: string): Promise<WebSocketByteStream> {
  return openWebSocket(url, url, new AbortController().signal, RecordedWebSocket as unknown as WebSocketConstructor);
}

/** A client made the way a browser makes it, over `ws`'s WHATWG-style WebSocket. */
async function browserStyleConnect(url: string): Promise<Connection> {
  const connection = Connection.fromByteStream(await openBrowserStream(url));
  closers.push(() => connection.close());
  return connection;
}

/** Runs `work` with `ws`'s WebSocket as the global one, as a browser's `connect` needs. */
async function withGlobalWebSocket<T>(work: () => Promise<T>): Promise<T> {
  const global = globalThis as { WebSocket?: unknown };
  const before = global.WebSocket;
  global.WebSocket = WebSocket;
  try {
    return await work();
  } finally {
    global.WebSocket = before;
  }
}

/**
 * Checks that `error` is the ConnectionError of a close the client was told about: its message
 * says the code, its meaning and the reason. The stream's error is `closed`; the connection may
 * wrap it (as `io`, with it as the cause).
 */
function expectCloseError(error: unknown, said: string): void {
  expect(error).toBeInstanceOf(ConnectionError);
  expect((error as Error).message).toContain(said);
  const closed = (error as ConnectionError).code === "closed" ? error : (error as Error).cause;
  expect(closed).toBeInstanceOf(ConnectionError);
  expect((closed as ConnectionError).code).toBe("closed");
}

/** A service of this process behind `serveHttp`, and the WebSocket URL of its interface. */
async function startBridge(options: { maxMessageSize?: number; tokens?: string[] } = {}): Promise<string> {
  const service = new VarlinkService(info);
  service.addInterface(INTERFACE, {
    Echo: ({ text }: { text: string }) => ({ text }),
    async *Count({ n }: { n: number }) {
      for (let i = 0; i < n; i++) yield { i };
    },
    Tell: () => ({}),
  });
  const bridge = await serveHttp({ services: { "org.example.ws": service }, ...options });
  closers.push(() => service.close({ grace: 0 }), () => bridge.close());
  return `${bridge.url}ws/services/org.example.ws`.replace(/^http:/, "ws:");
}

/** A varlink reply as the bridge sends it. */
function reply(parameters: JsonObject, continues = false): string {
  return JSON.stringify(continues ? { parameters, continues } : { parameters }) + "\0";
}

async function nodeConnect(url: string): Promise<Connection> {
  const connection = await connect(url);
  closers.push(() => connection.close());
  return connection;
}

describe("ws:// addresses", () => {
  it("parse as WebSocket addresses, http(s) turned into ws(s), and format back", () => {
    expect(parseAddress("ws://127.0.0.1:8080/ws/services/org.example.more")).toEqual({
      kind: "websocket",
      url: "ws://127.0.0.1:8080/ws/services/org.example.more",
    });
    expect(parseAddress("https://host/base/ws/services/a.b?access_token=x;y")).toEqual({
      kind: "websocket",
      url: "wss://host/base/ws/services/a.b?access_token=x;y",
    });
    expect(formatAddress({ kind: "websocket", url: "wss://h/ws/services/a.b" })).toBe("wss://h/ws/services/a.b");
    expect(() => parseAddress("ws://user:pw@host/ws/services/a.b")).toThrow(/access_token/);
    expect(() => parseAddress("ws://host/ws/services/a.b#x")).toThrow(/fragment/);
    expect(() => parseAddress("ws://")).toThrow(TypeError);
  });
});

for (const [name, open] of [
  ["Node's client (ws stream)", nodeConnect],
  ["the browser's client (WHATWG WebSocket)", browserStyleConnect],
] as const) {
  describe(name, () => {
    it("calls, streams, pipelines and sends oneway calls through the WebSocket", async () => {
      const { port, told } = await startWebSocketService();
      const client = await open(`ws://127.0.0.1:${port}/ws/services/org.example.ws`);
      expect(await client.call("org.example.ws.Echo", { text: "héllo \u{1F600}" })).toEqual({
        text: "héllo \u{1F600}",
      });
      const replies: JsonObject[] = [];
      for await (const reply of client.callMore("org.example.ws.Count", { n: 5 })) replies.push(reply);
      expect(replies).toEqual([0, 1, 2, 3, 4].map((i) => ({ i })));
      const texts = Array.from({ length: 50 }, (_, i) => `call ${i}`);
      const echoed = await Promise.all(
        texts.map((text) => client.call<{ text: string }>("org.example.ws.Echo", { text })),
      );
      expect(echoed.map((reply) => reply.text)).toEqual(texts);
      await client.callOneway("org.example.ws.Tell", { text: "once" });
      // The oneway call went out before this one, on the same stream.
      await client.call("org.example.ws.Echo", { text: "after" });
      expect(told).toEqual(["once"]);
    });

    it("maps error replies to the error classes", async () => {
      const { port } = await startWebSocketService();
      const client = await open(`http://127.0.0.1:${port}/ws/services/org.example.ws`);
      await expect(client.call("org.example.ws.Echo", { text: 1 })).rejects.toBeInstanceOf(
        InvalidParameterError,
      );
      // The connection stays usable after an error reply.
      expect(await client.call("org.example.ws.Echo", { text: "still" })).toEqual({ text: "still" });
    });

    it("reassembles replies on NUL only, whatever the frames", async () => {
      const replies = [
        JSON.stringify({ parameters: { text: "a\u00e9\u{1F600}" } }) + "\0",
        JSON.stringify({ parameters: { text: "b" } }) + "\0",
        JSON.stringify({ parameters: { text: "c" } }) + "\0",
      ];
      const bytes = Buffer.from(replies.join(""));
      const port = await startScriptedServer((socket) => {
        let calls = 0;
        socket.on("message", (data: Buffer) => {
          calls += data.toString().split("\0").length - 1;
          if (calls < 3) return;
          // Cut inside the multi-byte characters and across message ends; one text frame too.
          const cuts = [0, 25, 26, 27, 40, bytes.length - 3, bytes.length];
          for (let i = 0; i + 1 < cuts.length; i++) socket.send(bytes.subarray(cuts[i], cuts[i + 1]));
        });
      });
      const client = await open(`ws://127.0.0.1:${port}/ws/services/x.y`);
      const calls = ["a", "b", "c"].map((text) => client.call("org.example.ws.Echo", { text }));
      expect(await Promise.all(calls)).toEqual([
        { text: "a\u00e9\u{1F600}" },
        { text: "b" },
        { text: "c" },
      ]);
    });

    it("accepts replies in text frames", async () => {
      const port = await startScriptedServer((socket) => {
        socket.on("message", () => socket.send(JSON.stringify({ parameters: { text: "t" } }) + "\0"));
      });
      const client = await open(`ws://127.0.0.1:${port}/ws/services/x.y`);
      expect(await client.call("org.example.ws.Echo", { text: "t" })).toEqual({ text: "t" });
    });

    it("fails pending calls with ConnectionError when the WebSocket closes", async () => {
      const port = await startScriptedServer((socket) => {
        socket.on("message", () => socket.close(1000));
      });
      const client = await open(`ws://127.0.0.1:${port}/ws/services/x.y`);
      const error = await client.call("org.example.ws.Echo", { text: "x" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as ConnectionError).code).toBe("closed");
      expect(client.closed).toBe(true);
    });

    it.each([
      [1009, "a message larger than 1024 bytes", "the bridge closed the WebSocket: 1009 message too big: a message larger than 1024 bytes"],
      [1014, "the service's connection failed", "the bridge closed the WebSocket: 1014 bad gateway: the service's connection failed"],
      [1007, "not a JSON object", "the bridge closed the WebSocket: 1007 invalid data: not a JSON object"],
      [1001, "the bridge is closing", "the bridge closed the WebSocket: 1001 going away: the bridge is closing"],
      [4000, "", "the bridge closed the WebSocket: 4000"],
    ] as const)("fails pending calls with what close code %i means, and its reason", async (code, reason, said) => {
      const port = await startScriptedServer((socket) => {
        socket.on("message", () => socket.close(code, reason));
      });
      const client = await open(`ws://127.0.0.1:${port}/ws/services/x.y`);
      const error = await client.call("org.example.ws.Echo", { text: "x" }).catch((e: unknown) => e);
      expectCloseError(error, said);
      expect(client.closed).toBe(true);
      // Later calls get the same reason.
      expectCloseError(await client.call("org.example.ws.Echo", { text: "y" }).catch((e: unknown) => e), said);
    });

    it("says so when the connection is lost without a close frame (1006)", async () => {
      const port = await startScriptedServer((socket) => {
        socket.on("message", () => socket.terminate());
      });
      const client = await open(`ws://127.0.0.1:${port}/ws/services/x.y`);
      const error = await client.call("org.example.ws.Echo", { text: "x" }).catch((e: unknown) => e);
      expectCloseError(error, "the WebSocket connection was lost without a close frame: 1006 abnormal closure");
    });

    it("reports the bridge's 1009 for a call larger than its maxMessageSize", async () => {
      const url = await startBridge({ maxMessageSize: 1024 });
      const client = await open(url);
      expect(await client.call("org.example.ws.Echo", { text: "small" })).toEqual({ text: "small" });
      const error = await client.call("org.example.ws.Echo", { text: "x".repeat(2000) }).catch((e: unknown) => e);
      expectCloseError(error, "the bridge closed the WebSocket: 1009 message too big");
    });

    it("delivers every reply sent before a normal close to a slow consumer, in order", async () => {
      const total = 3000;
      const port = await startScriptedServer((socket) => {
        socket.once("message", () => {
          // Everything at once, one frame each as the bridge sends them, then the close.
          for (let i = 0; i < total; i++) socket.send(Buffer.from(reply({ i }, i < total - 1)));
          socket.close(1000);
        });
      });
      const client = await open(`ws://127.0.0.1:${port}/ws/services/x.y`);
      const seen: number[] = [];
      for await (const { i } of client.callMore<{ i: number }>("org.example.ws.Count", { n: total })) {
        seen.push(i);
        // Slower than the socket: the client stops reading long before the last reply.
        await nextTurn();
      }
      expect(seen).toEqual(Array.from({ length: total }, (_, i) => i));
    });

    it("delivers the replies received before an abnormal close, then fails with its code", async () => {
      const total = 3000;
      const port = await startScriptedServer((socket) => {
        socket.once("message", () => {
          for (let i = 0; i < total; i++) socket.send(Buffer.from(reply({ i }, true)));
          socket.close(1014, "the service's connection failed");
        });
      });
      const client = await open(`ws://127.0.0.1:${port}/ws/services/x.y`);
      const seen: number[] = [];
      const error = await (async () => {
        for await (const { i } of client.callMore<{ i: number }>("org.example.ws.Count", { n: total })) {
          seen.push(i);
          await nextTurn();
        }
      })().catch((e: unknown) => e);
      expect(seen).toEqual(Array.from({ length: total }, (_, i) => i));
      expectCloseError(error, "1014 bad gateway: the service's connection failed");
    });

    it("hands over the stream after a confirmed upgrade, with the bytes that followed the reply", async () => {
      const port = await startScriptedServer((socket) => {
        let upgraded = false;
        socket.on("message", (data: Buffer) => {
          if (!upgraded) {
            upgraded = true;
            // The reply and the first bytes of the new protocol in one frame.
            socket.send(Buffer.from(JSON.stringify({ parameters: {} }) + "\0hello "));
            return;
          }
          socket.send(Buffer.from(data.toString().toUpperCase()));
        });
      });
      const client = await open(`ws://127.0.0.1:${port}/ws/services/x.y`);
      const { stream } = await client.callUpgrade("org.example.ws.Raw", {});
      const received: string[] = [];
      const text = await new Promise<string>((resolve) => {
        const take = (): void => {
          for (let chunk = stream.read(); chunk !== null; chunk = stream.read()) {
            received.push(Buffer.from(chunk as Uint8Array).toString());
          }
          if (received.join("").endsWith("WORLD")) resolve(received.join(""));
        };
        stream.on("readable", take);
        take();
        stream.write(Buffer.from("world"));
      });
      expect(text).toBe("hello WORLD");
      stream.destroy();
    });
  });
}

describe("Node's client, when the handshake is refused", () => {
  it("reports the bridge's 502 as refused, with its message", async () => {
    const port = await startRefusingServer(502, "cannot connect to unix:/run/x: no such socket");
    const error = await connect(`ws://127.0.0.1:${port}/ws/services/a.b`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).code).toBe("refused");
    expect((error as Error).message).toContain("HTTP 502: cannot connect to unix:/run/x");
  });

  it("reports 404 as not-found and 401 as io", async () => {
    const notFound = await startRefusingServer(404, "no service a.b");
    await expect(connect(`ws://127.0.0.1:${notFound}/ws/services/a.b`)).rejects.toMatchObject({
      code: "not-found",
      message: expect.stringContaining("no service a.b"),
    });
    const unauthorized = await startRefusingServer(401, "a bearer token is required");
    await expect(connect(`ws://127.0.0.1:${unauthorized}/ws/services/a.b`)).rejects.toMatchObject({
      code: "io",
      message: expect.stringContaining("HTTP 401"),
    });
  });

  it("reports a closed port as refused", async () => {
    const port = await startRefusingServer(404, "x");
    await closers.pop()?.();
    await expect(connect(`ws://127.0.0.1:${port}/ws/services/a.b`)).rejects.toMatchObject({ code: "refused" });
  });
});

describe("the browser's client, when the handshake is refused", () => {
  it("rejects with ConnectionError io naming the URL", async () => {
    const port = await startRefusingServer(502, "down");
    const url = `ws://127.0.0.1:${port}/ws/services/a.b`;
    const error = await browserStyleConnect(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).code).toBe("io");
    expect((error as Error).message).toContain(url);
  });
});

describe("a token in the URL", () => {
  const SECRET = "s3cret";

  it("is kept by parseAddress and formatAddress, and left out of describeAddress", () => {
    const url = `wss://host/ws/services/a.b?access_token=${SECRET}&trace=on`;
    const address = parseAddress(url);
    expect(formatAddress(address)).toBe(url);
    expect(describeAddress(address)).toBe("wss://host/ws/services/a.b?access_token=REDACTED&trace=REDACTED");
    expect(describeAddress(parseAddress("ws://host/ws/services/a.b"))).toBe("ws://host/ws/services/a.b");
  });

  it("is not shown when the address is refused", () => {
    for (const text of [
      `ws://host/ws/services/a.b?access_token=${SECRET}#fragment`,
      `ws://user:${SECRET}@host/ws/services/a.b`,
    ]) {
      expect(() => parseAddress(text)).toThrow(TypeError);
      expect(() => parseAddress(text)).not.toThrow(SECRET);
    }
  });

  it("is not shown by Node's errors: refused, answered with 401, timed out", async () => {
    const closed = await startRefusingServer(404, "x");
    await closers.pop()?.();
    const unauthorized = await startRefusingServer(401, "the bearer token is not accepted");
    // Takes the upgrade request and never answers it.
    const silent = createServer();
    const held: Duplex[] = [];
    silent.on("upgrade", (_request, socket: Duplex) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    closers.push(() => {
      for (const socket of held) socket.destroy();
      return closeServer(silent);
    });
    const silentPort = (silent.address() as AddressInfo).port;
    for (const [port, options, expected] of [
      [closed, {}, /^cannot connect to ws:\/\/127\.0\.0\.1:\d+\/ws\/services\/a\.b\?access_token=REDACTED: connection refused/],
      [unauthorized, {}, /access_token=REDACTED: HTTP 401: the bearer token is not accepted$/],
      [silentPort, { timeout: 50 }, /^connecting to ws:\/\/127\.0\.0\.1:\d+\/ws\/services\/a\.b\?access_token=REDACTED timed out/],
    ] as const) {
      const url = `ws://127.0.0.1:${port}/ws/services/a.b?access_token=${SECRET}`;
      const error = await connect(url, options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as Error).message).toMatch(expected);
      expect((error as Error).message).not.toContain(SECRET);
      await expect(openStream(url, options)).rejects.toThrow(expected);
    }
  });

  it("is not shown by the browser's connect", async () => {
    const port = await startRefusingServer(401, "the bearer token is not accepted");
    const url = `ws://127.0.0.1:${port}/ws/services/a.b?access_token=${SECRET}`;
    const error = await withGlobalWebSocket(() => browserConnect(url)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toBe(
      `cannot connect to ws://127.0.0.1:${port}/ws/services/a.b?access_token=REDACTED: the WebSocket handshake failed`,
    );
  });
});

describe("the browser's stream", () => {
  it("ends only once the data received before the close have been read, then closes", async () => {
    const frames = ["one\0", "two\0", "three\0"];
    const port = await startScriptedServer((socket) => {
      for (const frame of frames) socket.send(Buffer.from(frame));
      socket.close(1000);
    });
    RecordedWebSocket.made.length = 0;
    const stream = await openBrowserStream(`ws://127.0.0.1:${port}/ws/services/x.y`);
    closers.push(() => stream.destroy());
    const socket = RecordedWebSocket.made[0]!;
    const events: string[] = [];
    stream.on("end", () => events.push("end"));
    stream.on("close", () => events.push("close"));
    stream.on("error", (error) => events.push(`error: ${error.message}`));
    // The WebSocket's own close, which the stream heard first (its listener came before ours).
    if (socket.readyState !== WebSocket.CLOSED) await new Promise((resolve) => socket.addEventListener("close", resolve));
    expect(events).toEqual([]);
    expect(stream.readableEnded).toBe(false);
    expect(stream.destroyed).toBe(false);
    expect(stream.readableLength).toBe(frames.join("").length);
    const read: string[] = [];
    for (let chunk = stream.read(); chunk !== null; chunk = stream.read()) read.push(Buffer.from(chunk).toString());
    expect(read).toEqual(frames);
    await new Promise<void>((resolve) => stream.on("close", resolve));
    expect(events).toEqual(["end", "close"]);
    expect(stream.readableEnded).toBe(true);
  });

  it("emits the abnormal close's error, instead of end, once its data have been read and a read finds nothing", async () => {
    const port = await startScriptedServer((socket) => {
      socket.send(Buffer.from("last\0"));
      socket.close(1009, "too big");
    });
    RecordedWebSocket.made.length = 0;
    const stream = await openBrowserStream(`ws://127.0.0.1:${port}/ws/services/x.y`);
    closers.push(() => stream.destroy());
    const socket = RecordedWebSocket.made[0]!;
    const events: string[] = [];
    stream.on("end", () => events.push("end"));
    stream.on("close", () => events.push("close"));
    stream.on("error", (error) => events.push(`error: ${error.message}`));
    if (socket.readyState !== WebSocket.CLOSED) await new Promise((resolve) => socket.addEventListener("close", resolve));
    expect(events).toEqual([]);
    expect(Buffer.from(stream.read()!).toString()).toBe("last\0");
    // Not before the reader has asked for more and found nothing.
    await nextTurn();
    expect(events).toEqual([]);
    expect(stream.read()).toBeNull();
    await new Promise<void>((resolve) => stream.on("close", resolve));
    expect(events).toEqual(["error: the bridge closed the WebSocket: 1009 message too big: too big", "close"]);
  });

  it("fails a oneway call whose bytes the WebSocket closed before sending", async () => {
    const received: string[] = [];
    let serverSide: WebSocket | undefined;
    const port = await startScriptedServer((socket) => {
      serverSide = socket;
      socket.on("message", (data: Buffer) => received.push(data.toString()));
    });
    RecordedWebSocket.made.length = 0;
    const client = await browserStyleConnect(`ws://127.0.0.1:${port}/ws/services/x.y`);
    const socket = RecordedWebSocket.made[0]!;
    const serverClosed = new Promise((resolve) => serverSide!.once("close", resolve));
    // The call waits for the tick's end to go out; the WebSocket closes before that.
    const sent = client.callOneway("org.example.ws.Tell", { text: "lost" });
    socket.close(1000);
    // It fails (with what ended the connection, here its normal close) instead of resolving.
    const error = await sent.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).code).toBe("closed");
    await serverClosed;
    expect(received).toEqual([]);
  });

  it("calls back a write once it is sent, and with an error after the WebSocket closed", async () => {
    const received: string[] = [];
    const port = await startScriptedServer((socket) => {
      socket.on("message", (data: Buffer) => {
        received.push(data.toString());
        socket.send(Buffer.from("ack"));
      });
    });
    RecordedWebSocket.made.length = 0;
    const stream = await openBrowserStream(`ws://127.0.0.1:${port}/ws/services/x.y`);
    closers.push(() => stream.destroy());
    const outcomes: unknown[] = [];
    const acked = new Promise<void>((resolve) => stream.on("readable", resolve));
    stream.cork();
    stream.write("a", (error) => outcomes.push(error ?? "sent a"));
    stream.write("b", (error) => outcomes.push(error ?? "sent b"));
    await nextTurn();
    // Nothing is sent while corked, so nothing is reported sent.
    expect(outcomes).toEqual([]);
    stream.uncork();
    await acked;
    expect(outcomes).toEqual(["sent a", "sent b"]);
    expect(received).toEqual(["ab"]);
    expect(Buffer.from(stream.read()!).toString()).toBe("ack");
    stream.cork();
    stream.write("c", (error) => outcomes.push(error));
    RecordedWebSocket.made[0]!.close(1000);
    stream.uncork();
    const told = new Promise((resolve) => stream.write("d", resolve));
    await told;
    expect(outcomes[2]).toBeInstanceOf(ConnectionError);
    expect((outcomes[2] as Error).message).toBe("the WebSocket closed before the data could be sent");
    expect(stream.destroyed).toBe(true);
    expect(received).toEqual(["ab"]);
  });
});
