/**
 * WebSocket mode: the raw protocol tunneled, frames of any shape in, one frame per message out,
 * upgrades passed through byte for byte, and both sides closed together.
 */
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { connect } from "@varlink-ts/runtime";
import { FLOOD, FLOOD_REPLIES, floodReply, floodService, floodSettled } from "./flood.js";
import {
  type FrameClient,
  nowhere,
  openFrames,
  type RawConnection,
  refusedUpgrade,
  Sandbox,
  scriptedService,
  send,
  startBridge,
  until,
  WEB,
  webBridge,
  wsUrl,
} from "@varlink-ts/test-kit";

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

/** A call's bytes with its NUL. */
function call(method: string, parameters: object = {}, flags: object = {}): string {
  return `${JSON.stringify({ method: `${WEB}.${method}`, parameters, ...flags })}\0`;
}

async function webSocket(options: Parameters<typeof webBridge>[1] = {}): Promise<FrameClient & { bridge: Awaited<ReturnType<typeof webBridge>> }> {
  const bridged = await webBridge(sandbox, options);
  const client = await openFrames(sandbox, wsUrl(bridged.bridge, `ws/services/${WEB}`));
  return Object.assign(client, { bridge: bridged });
}

describe("WebSocket mode", () => {
  it("relays a call and sends the reply, with its NUL, as one binary frame", async () => {
    const client = await webSocket();
    client.send(call("Ping", { ping: "ws" }));
    const [frame] = await client.frameCount(1);
    expect(frame?.toString("utf8")).toBe('{"parameters":{"pong":"ws"}}\0');
    expect(client.binary).toEqual([true]);
  });

  it("reassembles a call split across frames at odd places, in the middle of a character too", async () => {
    const client = await webSocket();
    const bytes = Buffer.from(call("Ping", { ping: "größer €" }), "utf8");
    const euro = bytes.indexOf(Buffer.from("€", "utf8"));
    // Cut after the first byte, in the middle of "method", inside the € (3 bytes) and before the NUL.
    for (const [start, end] of [[0, 1], [1, 9], [9, euro + 1], [euro + 1, euro + 2], [euro + 2, bytes.length - 1], [bytes.length - 1, bytes.length]]) {
      client.send(bytes.subarray(start, end));
    }
    const [frame] = await client.frameCount(1);
    expect(frame?.toString("utf8")).toBe('{"parameters":{"pong":"größer €"}}\0');
  });

  it("takes two calls in one frame, and text frames like binary ones", async () => {
    const client = await webSocket();
    client.send(call("Ping", { ping: "a" }) + call("Ping", { ping: "b" }), true);
    const bytes = Buffer.from(call("Ping", { ping: "ü" }), "utf8");
    // Text frames split inside the ü: the bridge takes frames as bytes, whatever their kind.
    const cut = bytes.indexOf(0xc3) + 1;
    client.send(bytes.subarray(0, cut), true);
    client.send(bytes.subarray(cut), true);
    const frames = await client.frameCount(3);
    expect(frames.map((frame) => frame.toString("utf8"))).toEqual([
      '{"parameters":{"pong":"a"}}\0',
      '{"parameters":{"pong":"b"}}\0',
      '{"parameters":{"pong":"ü"}}\0',
    ]);
    expect(client.binary).toEqual([true, true, true]);
  });

  it("answers pipelined calls in order, oneway ones with nothing, and streams more replies frame by frame", async () => {
    const { bridge } = await webBridge(sandbox);
    const client = await openFrames(sandbox, wsUrl(bridge, `ws/services/${WEB}`));
    client.send(
      call("Note", { text: "first" }, { oneway: true }) +
        call("Count", { n: 3 }, { more: true }) +
        call("Ping", { ping: "after" }) +
        call("Fail", { kind: "PermissionDenied" }),
    );
    const frames = await client.frameCount(5);
    expect(frames.map((frame) => frame.toString("utf8"))).toEqual([
      '{"parameters":{"i":0},"continues":true}\0',
      '{"parameters":{"i":1},"continues":true}\0',
      '{"parameters":{"i":2}}\0',
      '{"parameters":{"pong":"after"}}\0',
      '{"error":"org.varlink.service.PermissionDenied","parameters":{}}\0',
    ]);
  });

  it("passes an upgraded connection through byte for byte, both ways", async () => {
    const client = await webSocket();
    // The upgrade call and the first bytes of the new protocol in one frame, a NUL among them.
    client.send(`${call("Upgrade", { protocol: "shout" }, { upgrade: true })}hello\0world`);
    const [reply] = await client.frameCount(1);
    expect(reply?.toString("utf8")).toBe('{"parameters":{"ready":true}}\0');
    expect(await client.bytes(reply!.length + 11)).toBe('{"parameters":{"ready":true}}\0HELLO\0WORLD');
    // Later bytes that look like varlink are not varlink any more.
    client.send(call("Ping", { ping: "x" }));
    const expected = `{"parameters":{"ready":true}}\0HELLO\0WORLD${call("Ping", { ping: "x" }).toUpperCase()}`;
    expect(await client.bytes(Buffer.byteLength(expected))).toBe(expected);
  });

  it("stays varlink after a refused upgrade, with the calls sent behind it", async () => {
    const client = await webSocket();
    client.send(call("Upgrade", { protocol: "refuse" }, { upgrade: true }) + call("Ping", { ping: "still varlink" }));
    const frames = await client.frameCount(2);
    expect(frames.map((frame) => frame.toString("utf8"))).toEqual([
      `{"error":"${WEB}.Broken","parameters":{"reason":"refused"}}\0`,
      '{"parameters":{"pong":"still varlink"}}\0',
    ]);
  });

  it("answers pings with pongs at the WebSocket layer, never forwarding them", async () => {
    const client = await webSocket();
    const pong = new Promise<string>((resolve) => client.socket.once("pong", (data: Buffer) => resolve(data.toString())));
    client.socket.ping("are you there");
    expect(await pong).toBe("are you there");
    client.send(call("Ping", { ping: "after ping" }));
    const [frame] = await client.frameCount(1);
    expect(frame?.toString("utf8")).toBe('{"parameters":{"pong":"after ping"}}\0');
  });

  it("closes the service's connection when the client closes, and the WebSocket when the service does", async () => {
    const client = await webSocket();
    const { service } = client.bridge;
    client.send(call("Ping", { ping: "x" }));
    await client.frameCount(1);
    expect(service.connectionCount).toBe(1);
    client.socket.close(1000, "bye");
    // The closing handshake is answered.
    expect((await client.closed).code).toBe(1000);
    await until(() => service.connectionCount === 0);

    const again = await openFrames(sandbox, wsUrl(client.bridge.bridge, `ws/services/${WEB}`));
    again.send(call("Ping", { ping: "y" }));
    await again.frameCount(1);
    await service.close({ grace: 0 });
    expect((await again.closed).code).toBe(1000);
  });

  it("closes the service's connection when the client vanishes in the middle of a call", async () => {
    const client = await webSocket();
    const { service } = client.bridge;
    client.send(call("Ping", { ping: "a" }));
    await client.frameCount(1);
    client.send(`{"method":"${WEB}.Ping","param`);
    client.socket.terminate();
    await until(() => service.connectionCount === 0);
    expect(service.connectionCount).toBe(0);
  });

  it("closes with 1014 when the service breaks the protocol", async () => {
    const scripted = await scriptedService(sandbox, (_text, connection) => connection.socket.write("not json\0"));
    const bridge = await startBridge(sandbox, { services: { "org.example.odd": scripted.address } });
    const client = await openFrames(sandbox, wsUrl(bridge, "ws/services/org.example.odd"));
    client.send('{"method":"org.example.odd.Do"}\0');
    expect(await client.closed).toEqual({ code: 1014, reason: "the service sent a message that is not a varlink reply" });
    expect(client.frames).toEqual([]);
  });

  it("closes with 1007 when the client sends what is not a call, and keeps serving others", async () => {
    const client = await webSocket();
    client.send("{broken\0");
    expect((await client.closed).code).toBe(1007);
    const other = await openFrames(sandbox, wsUrl(client.bridge.bridge, `ws/services/${WEB}`));
    other.send(call("Ping", { ping: "fine" }));
    expect((await other.frameCount(1))[0]?.toString("utf8")).toBe('{"parameters":{"pong":"fine"}}\0');
  });

  it("closes with 1009 for a call larger than maxMessageSize, even split across frames", async () => {
    const client = await webSocket({ maxMessageSize: 1000 });
    const { service } = client.bridge;
    client.send(`{"method":"${WEB}.Ping","parameters":{"ping":"${"x".repeat(600)}`);
    client.send(`${"y".repeat(600)}"}}\0`);
    expect((await client.closed).code).toBe(1009);
    await until(() => service.connectionCount === 0);
  });

  it("closes with 1009 for a reply larger than maxMessageSize", async () => {
    const client = await webSocket({ maxMessageSize: 1000 });
    client.send(call("Ping", { ping: "z".repeat(990) }));
    expect((await client.closed).code).toBe(1009);
    expect(client.frames).toEqual([]);
  });

  it("refuses the upgrade with 502 when the service cannot be reached", async () => {
    const bridge = await startBridge(sandbox, { services: { "org.example.away": await nowhere(sandbox) } });
    const refused = await refusedUpgrade(sandbox, wsUrl(bridge, "ws/services/org.example.away"));
    expect(refused.status).toBe(502);
    expect(refused.body).toEqual({ message: "cannot reach the service org.example.away" });
  });

  it("refuses the upgrade with 404 for an unknown service or route", async () => {
    const { bridge } = await webBridge(sandbox);
    expect((await refusedUpgrade(sandbox, wsUrl(bridge, "ws/services/org.example.unknown"))).status).toBe(404);
    expect((await refusedUpgrade(sandbox, wsUrl(bridge, "ws/nothing"))).status).toBe(404);
  });

  it("carries the runtime's own client over ws: addresses", async () => {
    const { bridge } = await webBridge(sandbox);
    const connection = await connect(wsUrl(bridge, `ws/services/${WEB}`));
    try {
      expect(await connection.call(`${WEB}.Ping`, { ping: "runtime" })).toEqual({ pong: "runtime" });
      const counted: unknown[] = [];
      for await (const reply of connection.callMore(`${WEB}.Count`, { n: 2 })) counted.push(reply);
      expect(counted).toEqual([{ i: 0 }, { i: 1 }]);
    } finally {
      connection.close();
    }
  });

  it("closes every WebSocket with 1001 when the bridge closes", async () => {
    const client = await webSocket();
    client.send(call("Ping", { ping: "x" }));
    await client.frameCount(1);
    await client.bridge.bridge.close();
    expect((await client.closed).code).toBe(1001);
    expect(client.socket.readyState).toBe(WebSocket.CLOSED);
  });

  it("stops reading the service while a client does not read, serves others meanwhile, then delivers every reply in order", async () => {
    const { address, progress } = await floodService(sandbox);
    const bridge = await startBridge(sandbox, { services: { [FLOOD]: address } });
    const slow = await openFrames(sandbox, wsUrl(bridge, `ws/services/${FLOOD}`));
    // Not read for now; sending still works.
    slow.socket.pause();
    slow.send(`{"method":"${FLOOD}.Flood","more":true}\0`);
    await floodSettled(progress);
    // The bridge stopped reading: what the service got written is what the buffers on the way hold.
    expect(progress.taken).toBeLessThan(FLOOD_REPLIES / 4);
    const other = await openFrames(sandbox, wsUrl(bridge, `ws/services/${FLOOD}`));
    other.send(`{"method":"${FLOOD}.Ping"}\0`);
    expect((await other.frameCount(1))[0]?.toString("utf8")).toBe('{"parameters":{"pong":"meanwhile"}}\0');
    // The client reads at last, and gets every reply, one frame each.
    slow.socket.resume();
    const frames = await slow.frameCount(FLOOD_REPLIES);
    expect(frames.findIndex((frame, i) => frame.toString("utf8") !== `${floodReply(i)}\0`)).toBe(-1);
    expect(progress.taken).toBe(FLOOD_REPLIES);
  });

  it("keeps answering others while a client floods one-byte frames behind an undecided upgrade", async () => {
    const FRAMES = 200_000;
    let upgrading: RawConnection | undefined;
    const scripted = await scriptedService(sandbox, (text, connection) => {
      if (text.includes('"upgrade":true')) upgrading = connection;
      else if (connection !== upgrading) connection.socket.write('{"parameters":{"pong":"meanwhile"}}\0');
      // Each byte of the flood is a NUL, an empty message here: once all have come, the upgrade is confirmed.
      else if (connection.received.length === FRAMES + 1) connection.socket.write('{"parameters":{"ready":true}}\0');
    });
    const bridge = await startBridge(sandbox, { services: { "org.example.slow": scripted.address } });
    const flooder = await openFrames(sandbox, wsUrl(bridge, "ws/services/org.example.slow"));
    const other = await openFrames(sandbox, wsUrl(bridge, "ws/services/org.example.slow"));
    const order: string[] = [];
    const answered = Promise.all([
      flooder.frameCount(1).then(() => order.push("flood")),
      other.frameCount(1).then(() => order.push("ping")),
    ]);
    // Until its reply comes, the bytes behind the upgrade call are held (and passed on): every
    // frame adds one to what is held, which must cost the same however much that is already.
    flooder.send('{"method":"org.example.slow.Upgrade","upgrade":true}\0');
    const nul = Buffer.alloc(1);
    for (let i = 0; i < FRAMES; i++) flooder.send(nul);
    other.send('{"method":"org.example.slow.Ping"}\0');
    await answered;
    expect(order).toEqual(["ping", "flood"]);
    expect(flooder.frames[0]?.toString("utf8")).toBe('{"parameters":{"ready":true}}\0');
    expect(other.frames[0]?.toString("utf8")).toBe('{"parameters":{"pong":"meanwhile"}}\0');
  });

  it("is closed by await using's dispose", async () => {
    const { bridge } = await webBridge(sandbox);
    const dispose = (bridge as unknown as Record<symbol, () => Promise<void>>)[Symbol.asyncDispose];
    expect(typeof dispose).toBe("function");
    await dispose!.call(bridge);
    await expect(send(`${bridge.url}health`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
