/**
 * The `upgrade` call mode end to end with org.example.ping: after the generated client's upgrade
 * call is confirmed, the connection carries the method's own protocol (here, an echo).
 */
import { once } from "node:events";
import type { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { OrgExamplePing as Ping } from "../../../fixtures/generated/index.js";
import { type Served, serveInterfaces, useSandbox } from "@varlink-ts/test-kit";

const sandbox = useSandbox();

/** Handlers whose Upgrade turns the connection into an echo of whatever the client sends. */
const echoing: Ping.Handlers = {
  ping: ({ ping }) => ({ pong: ping }),
  upgrade(_parameters, context) {
    // Asked for before returning, as the runtime requires; the reply is sent after this returns.
    void context.upgradedStream().then((stream) => stream.pipe(stream));
  },
};

async function echo(stream: Duplex, text: string): Promise<string> {
  stream.write(text);
  const [chunk] = (await once(stream, "data")) as [Buffer];
  return chunk.toString();
}

describe("org.example.ping: upgrade through the generated client", () => {
  let served: Served | undefined;
  let stream: Duplex | undefined;
  const closers: Array<() => Promise<void>> = [];

  afterEach(async () => {
    stream?.destroy();
    stream = undefined;
    for (const close of closers.splice(0).reverse()) await close();
    await served?.close();
    served = undefined;
  });

  it("resolves to the reply and the raw connection, which then speaks the new protocol", async () => {
    served = await serveInterfaces(sandbox, (service) => Ping.register(service, echoing));
    const client = await Ping.connect(served.address);
    closers.push(async () => client.close());
    const upgraded = await client.upgrade.upgrade({});
    stream = upgraded.stream;
    expect(upgraded.parameters).toEqual({});
    expect(await echo(stream, "not varlink any more")).toBe("not varlink any more");
  });

  it("is recorded by the mock with its flag", async () => {
    const mock = await Ping.createMock(echoing);
    closers.push(() => mock.close());
    stream = (await mock.client.upgrade.upgrade({})).stream;
    expect(await echo(stream, "hello")).toBe("hello");
    expect(mock.calls).toEqual([
      { method: "upgrade", parameters: {}, more: false, oneway: false, upgrade: true },
    ]);
  });
});
