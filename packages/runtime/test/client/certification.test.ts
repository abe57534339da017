/**
 * The varlink certification sequence run by this client against the Go implementation's
 * certification server, a peer this project did not write.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getInfo, openInterface, Connection } from "@varlink-ts/runtime";
import type { JsonObject } from "@varlink-ts/runtime";

let dir: string;
let socketPath: string;
let server: ChildProcess;
const clients: Connection[] = [];

/** Connects once the server has bound its socket; retries until then. */
async function connectWhenReady(): Promise<Connection> {
  for (;;) {
    const socket = net.connect(socketPath);
    const ready = await new Promise<boolean>((resolve) => {
      socket.once("connect", () => resolve(true));
      socket.once("error", () => resolve(false));
    });
    if (ready) {
      const client = Connection.fromStream(socket);
      clients.push(client);
      return client;
    }
    socket.destroy();
    if (server.exitCode !== null) throw new Error(`certification server exited with ${server.exitCode}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "varlink-cert-"));
  socketPath = path.join(dir, "cert.sock");
  server = spawn("varlink-go-certification", [`--varlink=unix:${socketPath}`], { stdio: "ignore" });
});

afterAll(async () => {
  for (const client of clients) client.close();
  server.kill();
  await rm(dir, { recursive: true, force: true });
});

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
