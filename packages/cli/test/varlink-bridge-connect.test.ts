/**
 * `varlink bridge --connect ADDRESS`: the whole connection relayed to one service, used as a
 * bridge command and spoken to directly on stdin and stdout, against the Go certification server
 * and our own example service. Needs `npx tsc -b` first.
 */
import { join } from "node:path";
import { connect, type Connection } from "@varlink-ts/runtime";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { assertBuilt, MORE_SERVICE, Sandbox, shellQuote, VARLINK_BIN, type RunResult } from "./fixtures/harness.js";

let sandbox: Sandbox;
let client: Connection | undefined;

beforeAll(assertBuilt);
beforeEach(async () => {
  sandbox = await Sandbox.create();
});
afterEach(async () => {
  client?.close();
  client = undefined;
  // Kills the services and any bridge still running.
  await sandbox.dispose();
});

/** The bridge command for `address`, as a user would give it to --bridge. */
function bridgeTo(address: string): string {
  return [process.execPath, VARLINK_BIN, "bridge", "--connect", address].map(shellQuote).join(" ");
}

/** Runs the bridge with `messages` on its stdin (then closed) and splits what it wrote into messages. */
async function speak(address: string, messages: readonly object[]): Promise<RunResult & { replies: unknown[] }> {
  const input = messages.map((message) => `${JSON.stringify(message)}\0`).join("");
  const result = await sandbox.runVarlink(["bridge", "--connect", address], input);
  const replies = result.stdout
    .split("\0")
    .filter((text) => text !== "")
    .map((text) => JSON.parse(text) as unknown);
  return { ...result, replies };
}

describe("varlink bridge --connect, the Go certification server", () => {
  let address: string;
  beforeEach(async () => {
    address = await sandbox.startGoCertification();
  });

  it("carries a call through varlink --bridge", async () => {
    const result = await sandbox.runVarlink(["--bridge", bridgeTo(address), "call", "org.varlink.certification.Start", "{}"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ client_id: expect.any(String) });
  });

  it("answers GetInfo with the Go service's info, not the bridge's", async () => {
    const result = await sandbox.runVarlink(["--bridge", bridgeTo(address), "info", "--json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      vendor: "Varlink",
      product: "Certification",
      version: "1",
      url: "https://github.com/varlink/go",
      interfaces: ["org.varlink.service", "org.varlink.certification"],
    });
  });

  it("relays pipelined calls spoken on stdin, and exits 0 once the service closed", async () => {
    const result = await speak(address, [
      { method: "org.varlink.service.GetInfo" },
      { method: "org.varlink.service.GetInterfaceDescription", parameters: { interface: "org.varlink.certification" } },
      { method: "org.varlink.certification.Start" },
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.replies).toEqual([
      { parameters: expect.objectContaining({ product: "Certification" }) },
      { parameters: { description: expect.stringContaining("interface org.varlink.certification") } },
      { parameters: { client_id: expect.any(String) } },
    ]);
  });
});

describe("varlink bridge --connect, our example service", () => {
  let address: string;
  beforeEach(async () => {
    address = (await sandbox.startService(MORE_SERVICE, [`--varlink=${sandbox.socket("more.sock")}`])).address;
  });

  it("carries a call and a --more stream through varlink --bridge", async () => {
    const ping = await sandbox.runVarlink(["--bridge", bridgeTo(address), "call", "org.example.more.Ping", '{"ping": "hi"}']);
    expect(ping).toEqual({ code: 0, stdout: '{"pong":"hi"}\n', stderr: "" });
    const more = await sandbox.runVarlink(["--bridge", bridgeTo(address), "call", "--more", "org.example.more.TestMore", '{"n": 1}']);
    expect(more).toEqual({
      code: 0,
      stdout: '{"state":{"start":true}}\n{"state":{"progress":100}}\n{"state":{"end":true}}\n',
      stderr: "",
    });
  });

  it("relays a more stream spoken on stdin, every reply in order", async () => {
    const result = await speak(address, [
      { method: "org.example.more.TestMore", parameters: { n: 2 }, more: true },
      { method: "org.example.more.Ping", parameters: { ping: "after" } },
    ]);
    expect(result.code).toBe(0);
    expect(result.replies).toEqual([
      { parameters: { state: { start: true } }, continues: true },
      { parameters: { state: { progress: 50 } }, continues: true },
      { parameters: { state: { progress: 100 } }, continues: true },
      { parameters: { state: { end: true } } },
      { parameters: { pong: "after" } },
    ]);
  });

  it("relays an upgraded connection as raw bytes both ways", async () => {
    client = await connect({ kind: "bridge", command: process.execPath, args: [VARLINK_BIN, "bridge", "--connect", address] });
    const { parameters, stream } = await client.callUpgrade("org.example.echo.Shout", {});
    expect(parameters).toEqual({ ready: true });
    const echoed = new Promise<string>((resolve) => {
      let text = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        text += chunk;
        if (text.length >= "raw\0bytes".length) resolve(text);
      });
    });
    stream.write("raw\0bytes");
    expect(await echoed).toBe("RAW\0BYTES");
    stream.destroy();
  });

  it("starts an exec: address the user gave, and calls it", async () => {
    const exec = `exec:${process.execPath} ${MORE_SERVICE}`;
    const result = await sandbox.runVarlink(["--bridge", bridgeTo(exec), "info", "--json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ product: "more-service" });
  });
});

describe("varlink bridge --connect, failures", () => {
  it("exits 3 with one line when the service cannot be reached, and writes nothing", async () => {
    const missing = sandbox.socket("missing.sock");
    const direct = await speak(missing, [{ method: "org.varlink.service.GetInfo" }]);
    expect(direct).toMatchObject({ code: 3, stdout: "" });
    expect(direct.stderr).toBe(`varlink: bridge: cannot connect to ${missing}: no such socket\n`);

    const bridged = await sandbox.runVarlink(["--bridge", bridgeTo(missing), "info"]);
    expect(bridged.code).toBe(3);
    expect(bridged.stderr.split("\n")).toEqual([
      `varlink: bridge: cannot connect to ${missing}: no such socket`,
      `varlink: connection failed: bridge "${bridgeTo(missing)}": /bin/sh exited with status 3 and closed the connection`,
      "",
    ]);
  });

  it("refuses an address that does not parse, as a usage error", async () => {
    const result = await sandbox.runVarlink(["bridge", "--connect", "nonsense"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^varlink: .*nonsense/);
  });

  it("exits 3 when the service's program fails", async () => {
    const exec = `exec:${join(sandbox.dir, "no-such-service")}`;
    const result = await speak(exec, [{ method: "org.varlink.service.GetInfo" }]);
    expect(result).toMatchObject({ code: 3, stdout: "" });
    expect(result.stderr).toMatch(/^varlink: bridge: .*no-such-service/);
  });
});
