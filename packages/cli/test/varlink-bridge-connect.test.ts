/**
 * `varlink bridge --connect ADDRESS`: the whole connection relayed to one service, used as a
 * bridge command and spoken to directly on stdin and stdout, against the Go certification server
 * and our own example service. Needs `npx tsc -b` first.
 */
import { join } from "node:path";
import { connect, type Connection } from "@varlink-ts/runtime";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  assertBuilt,
  bridgeCommand,
  MORE_SERVICE,
  runVarlink,
  runVarlinkProcess,
  speakThroughBridge,
  useFixtureService,
  useSandbox,
  VARLINK_BIN,
} from "@varlink-ts/test-kit";

const sandbox = useSandbox({ prefix: "varlink-cmd-" });
let client: Connection | undefined;

beforeAll(assertBuilt);
afterEach(async () => {
  client?.close();
  client = undefined;
});

describe("varlink bridge --connect, our example service", () => {
  const service = useFixtureService();

  it("carries a call and a --more stream through varlink --bridge", async () => {
    // In a process of its own: the bridge's stderr is its own, and must stay quiet.
    const ping = await runVarlinkProcess(sandbox, ["--bridge", bridgeCommand(service.address), "call", "org.example.more.Ping", '{"ping": "hi"}']);
    expect(ping).toEqual({ code: 0, stdout: '{"pong":"hi"}\n', stderr: "" });
    const more = await runVarlinkProcess(sandbox, ["--bridge", bridgeCommand(service.address), "call", "--more", "org.example.more.TestMore", '{"n": 1}']);
    expect(more).toEqual({
      code: 0,
      stdout: '{"state":{"start":true}}\n{"state":{"progress":100}}\n{"state":{"end":true}}\n',
      stderr: "",
    });
  });

  it("relays a more stream spoken on stdin, every reply in order", async () => {
    const result = await speakThroughBridge(sandbox, service.address, [
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
    client = await connect({ kind: "bridge", command: process.execPath, args: [VARLINK_BIN, "bridge", "--connect", service.address] });
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
    const result = await runVarlink(sandbox, ["--bridge", bridgeCommand(exec), "info", "--json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ product: "more-service" });
  });
});

describe("varlink bridge --connect, failures", () => {
  it("exits 3 with one line when the service cannot be reached, and writes nothing", async () => {
    const missing = sandbox.socket("missing.sock");
    const direct = await speakThroughBridge(sandbox, missing, [{ method: "org.varlink.service.GetInfo" }]);
    expect(direct).toMatchObject({ code: 3, stdout: "" });
    expect(direct.stderr).toBe(`varlink: bridge: cannot connect to ${missing}: no such socket\n`);

    // The bridge's stderr is ours (inherited), so this one runs as a process of its own.
    const bridged = await runVarlinkProcess(sandbox, ["--bridge", bridgeCommand(missing), "info"]);
    expect(bridged.code).toBe(3);
    expect(bridged.stderr.split("\n")).toEqual([
      `varlink: bridge: cannot connect to ${missing}: no such socket`,
      `varlink: connection failed: bridge "${bridgeCommand(missing)}": /bin/sh exited with status 3 and closed the connection`,
      "",
    ]);
  });

  it("refuses an address that does not parse, as a usage error", async () => {
    const result = await runVarlink(sandbox, ["bridge", "--connect", "nonsense"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^varlink: .*nonsense/);
  });

  it("exits 3 when the service's program fails", async () => {
    const exec = `exec:${join(sandbox.dir, "no-such-service")}`;
    const result = await speakThroughBridge(sandbox, exec, [{ method: "org.varlink.service.GetInfo" }]);
    expect(result).toMatchObject({ code: 3, stdout: "" });
    expect(result.stderr).toMatch(/^varlink: bridge: .*no-such-service/);
  });
});
