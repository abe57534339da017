/**
 * The client over WebSocket (UAPI.20's WebSocket mode), both ways it is built: Node's, on the `ws`
 * package's stream, and the browser's, on a WHATWG WebSocket (here `ws`'s WebSocket class, which
 * has the same API). The far end is a WebSocket server that hands each connection to a real
 * VarlinkService, or scripted frames where the test needs bytes at odd places.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
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
import { formatAddress, parseAddress } from "@varlink-ts/runtime/transport";
import { openWebSocket, type WebSocketConstructor } from "../../src/transport/websocket-stream.js";

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

/** A client made the way a browser makes it, over `ws`'s WHATWG-style WebSocket. */
async function browserStyleConnect(url: string): Promise<Connection> {
  const stream = await openWebSocket(
    url,
    url,
    new AbortController().signal,
    WebSocket as unknown as WebSocketConstructor,
  );
  const connection = Connection.fromByteStream(stream);
  closers.push(() => connection.close());
  return connection;
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
