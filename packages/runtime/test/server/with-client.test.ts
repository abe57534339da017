import { join } from "node:path";
import type { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import {
  connect,
  ExpectedMoreError,
  InvalidParameterError,
  MethodNotImplementedError,
  VarlinkError,
  type Connection,
} from "@varlink-ts/runtime";
import { createTestService, Hooks, Sandbox } from "@varlink-ts/test-kit";

const sandbox = new Sandbox();
const clients: Connection[] = [];
const streams: Duplex[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const stream of streams.splice(0)) stream.destroy();
  await sandbox.cleanup();
});

const T = "org.example.test";

async function start(hooks: Hooks): Promise<Connection> {
  const service = sandbox.track(createTestService(hooks, { logger: sandbox.log.logger }));
  const path = join(await sandbox.tempDir(), "service.sock");
  await service.listen(`unix:${path}`);
  const client = await connect(`unix:${path}`);
  clients.push(client);
  return client;
}

describe("the server with the runtime's client", () => {
  it("answers plain, more and oneway calls", async () => {
    const hooks = new Hooks();
    const client = await start(hooks);
    expect(await client.call(`${T}.Ping`, { ping: "hi" })).toEqual({ pong: "hi" });
    const values: unknown[] = [];
    for await (const reply of client.callMore(`${T}.Count`, { n: 3 })) values.push(reply);
    expect(values).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
    await client.callOneway(`${T}.Note`, { text: "quiet" });
    expect(await client.call(`${T}.Notes`)).toEqual({ notes: ["quiet"] });
  });

  it("rejects with the standard error classes", async () => {
    const client = await start(new Hooks());
    const invalid = await client.call(`${T}.Ping`, { ping: 3 }).catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(InvalidParameterError);
    expect((invalid as InvalidParameterError).parameters).toEqual({ parameter: "ping" });
    await expect(client.call(`${T}.Missing`)).rejects.toBeInstanceOf(MethodNotImplementedError);
    await expect(client.call(`${T}.Count`, { n: 1 })).rejects.toBeInstanceOf(ExpectedMoreError);
    const boom = await client.call(`${T}.Fail`, { kind: "varlink" }).catch((error: unknown) => error);
    expect(boom).toBeInstanceOf(VarlinkError);
    expect((boom as VarlinkError).error).toBe("org.example.test.Boom");
  });

  it("upgrades: both sides get the raw stream", async () => {
    const hooks = new Hooks();
    const client = await start(hooks);
    const { parameters, stream } = await client.callUpgrade(`${T}.Upgrade`, { protocol: "shout" });
    expect(parameters).toEqual({ ready: true });
    streams.push(stream);
    const server = await hooks.upgraded.promise;
    streams.push(server);
    server.on("data", (chunk: Buffer) => server.write(chunk.toString().toUpperCase()));
    stream.write("raw bytes");
    let echoed = "";
    for await (const chunk of stream) {
      echoed += String(chunk);
      if (echoed.length >= 9) break;
    }
    expect(echoed).toBe("RAW BYTES");
  });
});
