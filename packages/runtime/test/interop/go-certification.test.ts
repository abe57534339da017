/**
 * The varlink certification sequence run by this client against the Go implementation's
 * certification server, a peer this project did not write.
 */
import { once } from "node:events";
import net from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { getInfo, openInterface, Connection } from "@varlink-ts/runtime";
import type { JsonObject } from "@varlink-ts/runtime";
import { startGoCertification, useSandbox } from "@varlink-ts/test-kit";

const sandbox = useSandbox({ scope: "file" });
let socketPath: string;

beforeAll(async () => {
  const go = await startGoCertification(sandbox);
  socketPath = go.address.slice("unix:".length);
});

/** A client on a plain socket to the Go server (which accepts connections by now). */
async function connectWhenReady(): Promise<Connection> {
  const socket = net.connect(socketPath);
  await once(socket, "connect");
  return sandbox.track(Connection.fromStream(socket));
}

describe("against the Go certification server", () => {
  it("reads GetInfo", async () => {
    const client = await connectWhenReady();
    const info = await getInfo(client);
    expect(info.interfaces).toContain("org.varlink.certification");
  });

  it("passes the certification sequence through the dynamic client", async () => {
    const client = await connectWhenReady();
    const cert = await openInterface(client, "org.varlink.certification");
    const method = (name: "Start" | "End" | `Test${string}`) => {
      const found = cert[name];
      if (found === undefined) throw new Error(`no method ${name}`);
      return found;
    };
    const { client_id } = (await method("Start")()) as { client_id: string };
    const id = { client_id };
    let reply: JsonObject = await method("Test01")(id);
    reply = await method("Test02")({ ...id, ...reply });
    reply = await method("Test03")({ ...id, ...reply });
    reply = await method("Test04")({ ...id, ...reply });
    reply = await method("Test05")({ ...id, ...reply });
    reply = await method("Test06")({ ...id, ...reply });
    reply = await method("Test07")({ ...id, ...reply });
    reply = await method("Test08")({ ...id, ...reply });
    reply = await method("Test09")({ ...id, ...reply });
    const strings: string[] = [];
    for await (const more of method("Test10").more({ ...id, ...reply })) {
      strings.push(more.string as string);
    }
    expect(strings).toHaveLength(10);
    await method("Test11").oneway({ ...id, last_more_replies: strings });
    expect(await method("End")(id)).toEqual({ all_ok: true });
  });

  it("pipelines the certification's first calls on one connection", async () => {
    const client = await connectWhenReady();
    const { client_id } = await client.call<{ client_id: string }>("org.varlink.certification.Start");
    const first = client.call("org.varlink.certification.Test01", { client_id });
    const unknown = client.call("org.varlink.certification.Test01", { client_id: "nobody" });
    const info = client.call("org.varlink.service.GetInfo");
    expect(await first).toEqual({ bool: true });
    await expect(unknown).rejects.toMatchObject({ error: "org.varlink.certification.ClientIdError" });
    expect(await info).toMatchObject({ product: "Certification" });
  });
});
