/**
 * Streaming replies: `Accept: application/json-seq` makes the call with `more` and answers with
 * one RFC 7464 record per reply.
 */
import { request, type IncomingMessage } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { FLOOD, FLOOD_REPLIES, floodParameters, floodService, floodSettled } from "./flood.js";
import {
  json,
  nowhere,
  post,
  records,
  Sandbox,
  scriptedService,
  startBridge,
  until,
  WEB,
  webBridge,
} from "@varlink-ts/test-kit";

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

const SEQ = { Accept: "application/json-seq" };

describe("application/json-seq", () => {
  it("streams each reply of a more call as one record", async () => {
    const { bridge } = await webBridge(sandbox);
    const answer = await post(`${bridge.url}call/${WEB}.Count`, { n: 3 }, SEQ);
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("application/json-seq");
    expect(answer.text).toBe('\u001e{"i":0}\n\u001e{"i":1}\n\u001e{"i":2}\n');
    expect(records(answer)).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
  });

  it("answers a single reply as a sequence of one record", async () => {
    const { bridge } = await webBridge(sandbox);
    const answer = await post(`${bridge.url}call/${WEB}.Ping`, { ping: "once" }, { Accept: "application/json, application/json-seq" });
    expect(records(answer)).toEqual([{ pong: "once" }]);
  });

  it("ends the sequence with an error record, under 200", async () => {
    const { bridge } = await webBridge(sandbox);
    const answer = await post(`${bridge.url}call/${WEB}.Count`, { n: -1 }, SEQ);
    expect(answer.status).toBe(200);
    expect(records(answer)).toEqual([{ i: 0 }, { error: `${WEB}.Broken`, parameters: { reason: "negative" } }]);
  });

  it("ends the sequence with an error message when the connection fails mid-stream", async () => {
    const scripted = await scriptedService(sandbox, (_text, connection) => {
      connection.socket.write('{"parameters":{"n":9223372036854775807},"continues":true}\0', () => connection.socket.destroy());
    });
    const bridge = await startBridge(sandbox, { services: { "org.example.drop": scripted.address } });
    const answer = await post(`${bridge.url}call/org.example.drop.Stream`, {}, SEQ);
    expect(answer.status).toBe(200);
    expect(answer.text.startsWith('\u001e{"n":9223372036854775807}\n')).toBe(true);
    expect(records(answer)).toEqual([{ n: 9223372036854775807 }, { error: "the service org.example.drop closed the connection before its reply" }]);
    expect(scripted.connections[0]?.received).toEqual(['{"method":"org.example.drop.Stream","parameters":{},"more":true}']);
  });

  it("answers 502, not a stream, when the service cannot be reached", async () => {
    const bridge = await startBridge(sandbox, { services: { "org.example.away": await nowhere(sandbox) } });
    const answer = await post(`${bridge.url}call/org.example.away.Stream`, {}, SEQ);
    expect(answer.status).toBe(502);
    expect(answer.headers["content-type"]).toBe("application/json");
  });

  it("closes the service's connection when the client goes away mid-stream", async () => {
    const { bridge, hooks, service } = await webBridge(sandbox);
    const body = JSON.stringify({});
    const received = await new Promise<string>((resolve, reject) => {
      const outgoing = request(
        `${bridge.url}call/${WEB}.Forever`,
        { method: "POST", headers: { ...SEQ, "Content-Length": String(body.length) }, agent: false },
        (response) => {
          response.once("data", (chunk: Buffer) => {
            // One record is enough: the client leaves.
            outgoing.destroy();
            resolve(chunk.toString("utf8"));
          });
        },
      );
      outgoing.on("error", reject);
      outgoing.end(body);
    });
    expect(received.startsWith('\u001e{"i":0}\n')).toBe(true);
    // The handler learns that its client is gone: the bridge closed the service's connection.
    await hooks.foreverAborted.promise;
    await until(() => service.connectionCount === 0);
    expect(service.connectionCount).toBe(0);
  });

  it("stops reading the service while its client does not read, serves others meanwhile, then delivers every record in order", async () => {
    const { address, progress } = await floodService(sandbox);
    const bridge = await startBridge(sandbox, { services: { [FLOOD]: address } });
    const chunks: Buffer[] = [];
    let ended!: Promise<void>;
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const outgoing = request(`${bridge.url}call/${FLOOD}.Flood`, { method: "POST", headers: { ...SEQ, "Content-Length": "2" }, agent: false }, (incoming) => {
        // Not read for now: the stream stays paused.
        incoming.pause();
        ended = new Promise<void>((done, failed) => {
          incoming.on("end", done);
          incoming.on("error", failed);
        });
        resolve(incoming);
      });
      outgoing.on("error", reject);
      outgoing.end("{}");
    });
    expect(response.statusCode).toBe(200);
    await floodSettled(progress);
    // The bridge stopped reading: what the service got written is what the buffers on the way hold.
    expect(progress.taken).toBeLessThan(FLOOD_REPLIES / 4);
    expect(json(await post(`${bridge.url}call/${FLOOD}.Ping`, {}))).toEqual({ pong: "meanwhile" });
    // The client reads at last, and gets every reply.
    response.on("data", (chunk: Buffer) => chunks.push(chunk));
    response.resume();
    await ended;
    const got = Buffer.concat(chunks).toString("utf8").split("\u001e");
    expect(got.length).toBe(FLOOD_REPLIES + 1);
    expect(got[0]).toBe("");
    expect(got.slice(1).findIndex((record, i) => record !== `${floodParameters(i)}\n`)).toBe(-1);
    expect(progress.taken).toBe(FLOOD_REPLIES);
  });

  it("ends streams and closes their service connections when the bridge closes", async () => {
    const { bridge, hooks, service } = await webBridge(sandbox);
    const ended = new Promise<string>((resolve) => {
      const outgoing = request(`${bridge.url}call/${WEB}.Forever`, { method: "POST", headers: SEQ, agent: false }, (response) => {
        response.resume();
        response.on("end", () => resolve("ended"));
        response.on("error", () => resolve("failed"));
      });
      outgoing.on("error", () => resolve("failed"));
      outgoing.end("{}");
    });
    await hooks.foreverStarted.promise;
    await bridge.close();
    expect(["ended", "failed"]).toContain(await ended);
    await hooks.foreverAborted.promise;
    await until(() => service.connectionCount === 0);
    // Closing again is the same close.
    await bridge.close();
  });
});
