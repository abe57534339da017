/**
 * The client against this runtime's own VarlinkService, over a unix socket and over duplexPair.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  connect,
  getInfo,
  InterfaceNotFoundError,
  InvalidParameterError,
  MethodNotFoundError,
  openInterface,
  Connection,
  VarlinkService,
} from "@varlink-ts/runtime";
import { duplexPair } from "@varlink-ts/runtime/testing";
import { collect, rejection, useSandbox } from "@varlink-ts/test-kit";

const moreSource = await readFile(
  new URL("../../../../fixtures/interop/org.example.more.varlink", import.meta.url),
  "utf8",
);

const sandbox = useSandbox();

function moreService(): { service: VarlinkService; stopped: string[] } {
  const stopped: string[] = [];
  const service = new VarlinkService(
    { vendor: "varlink-ts", product: "client tests", version: "1", url: "https://example.org" },
    { logger: () => {} },
  );
  service.addInterface(moreSource, {
    Ping: ({ ping }: { ping: string }) => ({ pong: ping }),
    TestMore: async function* ({ n }: { n: number }) {
      yield { state: { start: true } };
      for (let i = 1; i <= n; i += 1) yield { state: { progress: Math.round((i * 100) / n) } };
      yield { state: { end: true } };
    },
    StopServing: ({ reason }: { reason?: string | null }) => {
      stopped.push(reason ?? "");
      return {};
    },
  });
  sandbox.defer(() => service.close({ grace: 0 }));
  return { service, stopped };
}

describe("against VarlinkService", () => {
  it("calls, streams and sends oneway over a unix socket", async () => {
    const { service, stopped } = moreService();
    const dir = await sandbox.tempDir();
    const listener = await service.listen(`unix:${path.join(dir, "more.sock")}`);
    const client = await connect(listener.address);
    sandbox.defer(() => client.close());

    const pong = client.call("org.example.more.Ping", { ping: "one" });
    const states = client.callMore("org.example.more.TestMore", { n: 2 });
    const note = client.callOneway("org.example.more.StopServing", { reason: "bye" });
    const last = client.call("org.example.more.Ping", { ping: "two" });
    expect(await pong).toEqual({ pong: "one" });
    expect((await collect(states)).values).toEqual([
      { state: { start: true } },
      { state: { progress: 50 } },
      { state: { progress: 100 } },
      { state: { end: true } },
    ]);
    await note;
    // The oneway call has no reply; the next reply still goes to the call after it.
    expect(await last).toEqual({ pong: "two" });
    expect(stopped).toEqual(["bye"]);
  });

  it("upgrades to a raw echo protocol", async () => {
    const service = new VarlinkService(
      { vendor: "varlink-ts", product: "echo", version: "1", url: "https://example.org" },
      { logger: () => {} },
    );
    sandbox.defer(() => service.close({ grace: 0 }));
    service.addInterface("interface org.example.echo\nmethod Echo() -> (ready: bool)\n", {
      Echo: (_parameters: object, context) => {
        void context.upgradedStream().then((raw) => raw.pipe(raw), () => {});
        return { ready: true };
      },
    });
    const [near, far] = duplexPair();
    service.serve(far);
    const client = Connection.fromStream(near);
    sandbox.defer(() => client.close());
    const { parameters, stream } = await client.callUpgrade("org.example.echo.Echo");
    sandbox.defer(() => void stream.destroy());
    expect(parameters).toEqual({ ready: true });
    const echoed = new Promise<string>((resolve) => {
      let text = "";
      stream.on("data", (chunk: Buffer) => {
        text += chunk.toString();
        if (text.length >= 11) resolve(text);
      });
    });
    stream.write("hello\0world");
    expect(await echoed).toBe("hello\0world");
  });

  it("opens the interface dynamically over duplexPair", async () => {
    const { service } = moreService();
    const [near, far] = duplexPair();
    service.serve(far);
    const client = Connection.fromStream(near);
    sandbox.defer(() => client.close());

    const info = await getInfo(client);
    expect(info.interfaces).toEqual(["org.varlink.service", "org.example.more"]);
    const more = await openInterface(client, "org.example.more");
    expect(await more.Ping?.({ ping: "dyn" })).toEqual({ pong: "dyn" });
    expect((await collect(more.TestMore!.more({ n: 1 }))).values).toHaveLength(3);
    expect(more.Absent).toBeUndefined();
    const invalid = await rejection(more.Ping!({ ping: 1 }));
    expect(invalid).toBeInstanceOf(InvalidParameterError);
    expect(await rejection(openInterface(client, "org.example.absent"))).toBeInstanceOf(InterfaceNotFoundError);
    expect(await rejection(client.call("org.example.more.Absent"))).toBeInstanceOf(MethodNotFoundError);
  });
});
