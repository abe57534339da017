/**
 * `varlink bridge` used as a bridge command (`varlink --bridge "varlink bridge ..."`, as
 * `ssh host varlink bridge` would be), and `--activate`: the built commands in processes of their
 * own, so that what the bridge or the service writes on the stderr they inherit is seen.
 * Needs `npx tsc -b` first.
 */
import { existsSync } from "node:fs";
import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { connect, type Connection } from "@varlink-ts/runtime";
import { formatSource } from "@varlink-ts/runtime/idl";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  assertBuilt,
  isCall,
  MORE_SERVICE,
  RESOLVER_SERVICE,
  runVarlinkProcess,
  shellQuote,
  type StartedService,
  startService,
  useFixtureService,
  useSandbox,
  VARLINK_BIN,
} from "@varlink-ts/test-kit";

const moreFile = new URL("../../../fixtures/interop/org.example.more.varlink", import.meta.url);

const sandbox = useSandbox({ prefix: "varlink-cmd-" });
/** The fixture service the tests of a file share (each test sees only the messages it caused). */
const shared = useSandbox({ scope: "file", prefix: "varlink-cmd-" });
let client: Connection | undefined;

beforeAll(assertBuilt);
afterEach(async () => {
  client?.close();
  client = undefined;
});

describe("varlink bridge", () => {
  let resolver: string;
  /** The bridge command, as a user would give it to --bridge. */
  let bridge: string;

  const service = useFixtureService();
  beforeAll(async () => {
    const started = await startService(shared, RESOLVER_SERVICE, [
      `--varlink=${shared.socket("resolver.sock")}`,
      `org.example.more=${service.address}`,
      `org.example.echo=${service.address}`,
    ]);
    resolver = started.address;
    bridge = [process.execPath, VARLINK_BIN, "bridge", "--resolver", resolver].map(shellQuote).join(" ");
  });


  it("forwards a call and its reply", async () => {
    const result = await runVarlinkProcess(sandbox, ["--bridge", bridge, "call", "org.example.more.Ping", '{"ping": "bridged"}']);
    expect(result).toEqual({ code: 0, stdout: '{"pong":"bridged"}\n', stderr: "" });
    expect(await service.waitForMessage(isCall("org.example.more.Ping", { ping: "bridged" }))).toEqual({
      method: "org.example.more.Ping",
      parameters: { ping: "bridged" },
    });
  });

  it("forwards a --more call with its flag and every reply in order", async () => {
    const result = await runVarlinkProcess(sandbox, ["--bridge", bridge, "call", "--more", "org.example.more.TestMore", '{"n": 1}']);
    expect(result).toEqual({
      code: 0,
      stdout: '{"state":{"start":true}}\n{"state":{"progress":100}}\n{"state":{"end":true}}\n',
      stderr: "",
    });
    expect(await service.waitForMessage(isCall("org.example.more.TestMore", { n: 1 }))).toEqual({
      method: "org.example.more.TestMore",
      parameters: { n: 1 },
      more: true,
    });
  });

  it("forwards a --oneway call with its flag", async () => {
    const result = await runVarlinkProcess(sandbox, ["--bridge", bridge, "call", "--oneway", "org.example.more.Ping", '{"ping": "one"}']);
    expect(result).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(await service.waitForMessage(isCall("org.example.more.Ping", { ping: "one" }))).toEqual({
      method: "org.example.more.Ping",
      parameters: { ping: "one" },
      oneway: true,
    });
  });

  it("relays error replies unchanged", async () => {
    const result = await runVarlinkProcess(sandbox, ["--bridge", bridge, "call", "--more", "org.example.more.TestMore", '{"n": 200}']);
    expect(result).toEqual({
      code: 1,
      stdout: '{"state":{"start":true}}\n',
      stderr:
        'varlink: org.example.more.TestMore failed with org.example.more.TestMoreError {"reason":"n is above 100"}\n',
    });
  });

  it("answers GetInfo with what the resolver knows", async () => {
    const result = await runVarlinkProcess(sandbox, ["--bridge", bridge, "info", "--json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      product: "varlink bridge",
      interfaces: ["org.varlink.service", "org.example.more", "org.example.echo"],
    });
  });

  it("answers GetInterfaceDescription by asking the service", async () => {
    const result = await runVarlinkProcess(sandbox, ["--bridge", bridge, "introspect", "org.example.more"]);
    expect(result).toEqual({ code: 0, stdout: formatSource(await readFile(moreFile, "utf8")), stderr: "" });
  });

  it("answers InterfaceNotFound for an interface the resolver does not know", async () => {
    const result = await runVarlinkProcess(sandbox, ["--bridge", bridge, "call", "org.example.unknown.Ping", "{}"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`varlink: bridge "${bridge}" does not implement org.example.unknown\n`);
  });

  it("keeps pipelined calls of another client in order", async () => {
    client = await connect({ kind: "bridge", command: process.execPath, args: [VARLINK_BIN, "bridge", "--resolver", resolver] });
    const more = client.callMore("org.example.more.TestMore", { n: 2 });
    const first = client.call("org.example.more.Ping", { ping: "first" });
    const info = client.call("org.varlink.service.GetInfo", {});
    const last = client.call("org.example.more.Ping", { ping: "last" });
    const replies: unknown[] = [];
    for await (const reply of more) replies.push(reply);
    expect(replies).toEqual([
      { state: { start: true } },
      { state: { progress: 50 } },
      { state: { progress: 100 } },
      { state: { end: true } },
    ]);
    expect(await first).toEqual({ pong: "first" });
    expect(await info).toMatchObject({ product: "varlink bridge" });
    expect(await last).toEqual({ pong: "last" });
  });

  it("hands an upgraded connection over as raw bytes both ways", async () => {
    client = await connect({ kind: "bridge", command: process.execPath, args: [VARLINK_BIN, "bridge", "--resolver", resolver] });
    const { parameters, stream } = await client.callUpgrade("org.example.echo.Shout", {});
    expect(parameters).toEqual({ ready: true });
    const echoed = new Promise<string>((resolve) => {
      let text = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        text += chunk;
        if (text.length >= "raw bytes\0too".length) resolve(text);
      });
    });
    stream.write("raw bytes\0too");
    expect(await echoed).toBe("RAW BYTES\0TOO");
    stream.destroy();
  });
});

describe("varlink bridge and what a resolver answers", () => {
  /** A program that creates the file named by its first argument, were it ever run. */
  let program: string;
  let marker: string;
  let tcpService: StartedService;
  let bridge: string;

  beforeEach(async () => {
    program = join(sandbox.dir, "touch-marker.sh");
    marker = join(sandbox.dir, "marker");
    await writeFile(program, '#!/bin/sh\n: > "$1"\n');
    await chmod(program, 0o755);
    tcpService = await startService(sandbox, MORE_SERVICE, ["--varlink=tcp:127.0.0.1:0"]);
    const resolver = await startService(sandbox, RESOLVER_SERVICE, [
      `--varlink=${sandbox.socket("resolver.sock")}`,
      `org.example.more=${tcpService.address}`,
      `org.example.evil=exec:${program} ${marker}`,
    ]);
    bridge = [process.execPath, VARLINK_BIN, "bridge", "--resolver", resolver.address].map(shellQuote).join(" ");
  });

  it("answers InterfaceNotFound for an exec: answer and never runs the program", async () => {
    const result = await runVarlinkProcess(sandbox, ["--bridge", bridge, "call", "org.example.evil.Ping", "{}"]);
    expect(result.code).toBe(2);
    // The bridge's own stderr reaches ours: the reason first, then our line about the reply.
    expect(result.stderr.split("\n")).toEqual([
      `varlink: bridge: cannot resolve org.example.evil with the resolver at ${sandbox.socket("resolver.sock")}: ` +
        `the resolver answered ${JSON.stringify(`exec:${program} ${marker}`)} for org.example.evil; ` +
        "only unix: and tcp: addresses are accepted from a resolver",
      `varlink: bridge "${bridge}" does not implement org.example.evil`,
      "",
    ]);
    expect(existsSync(marker)).toBe(false);
  });

  it("refuses it for GetInterfaceDescription too, and still serves the other interfaces", async () => {
    client = await connect({ kind: "bridge", command: process.execPath, args: [VARLINK_BIN, "bridge", "--resolver", sandbox.socket("resolver.sock")] });
    await expect(
      client.call("org.varlink.service.GetInterfaceDescription", { interface: "org.example.evil" }),
    ).rejects.toMatchObject({ error: "org.varlink.service.InterfaceNotFound", parameters: { interface: "org.example.evil" } });
    expect(await client.call("org.example.more.Ping", { ping: "still" })).toEqual({ pong: "still" });
    await expect(client.call("org.example.evil.Ping", {})).rejects.toMatchObject({
      error: "org.varlink.service.InterfaceNotFound",
    });
    expect(existsSync(marker)).toBe(false);
  });

  it("forwards to a tcp: answer", async () => {
    const result = await runVarlinkProcess(sandbox, ["--bridge", bridge, "call", "org.example.more.Ping", '{"ping": "tcp"}']);
    expect(result).toEqual({ code: 0, stdout: '{"pong":"tcp"}\n', stderr: "" });
    expect(
      await tcpService.waitForMessage((message) => JSON.stringify(message["parameters"]) === '{"ping":"tcp"}'),
    ).toEqual({ method: "org.example.more.Ping", parameters: { ping: "tcp" } });
  });
});

describe("--activate", () => {
  const activate = [process.execPath, MORE_SERVICE].map(shellQuote).join(" ");

  it("starts the service with socket activation and calls it", async () => {
    const result = await runVarlinkProcess(sandbox, ["--activate", activate, "call", "org.example.more.Ping", '{"ping": "activated"}']);
    expect(result).toEqual({ code: 0, stdout: '{"pong":"activated"}\n', stderr: "" });
  });

  it("works for info and --more calls", async () => {
    const info = await runVarlinkProcess(sandbox, ["--activate", activate, "info", "--json"]);
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ product: "more-service" });
    const more = await runVarlinkProcess(sandbox, ["--activate", activate, "call", "-m", "org.example.more.TestMore", '{"n": 1}']);
    expect(more.stdout).toBe('{"state":{"start":true}}\n{"state":{"progress":100}}\n{"state":{"end":true}}\n');
  });

  it("exits 3 with one line of its own when the command fails to start", async () => {
    const missing = `${sandbox.dir}/no-such-service`;
    const result = await runVarlinkProcess(sandbox, ["--activate", missing, "info"]);
    expect(result.code).toBe(3);
    const ours = result.stderr.split("\n").filter((line) => line.startsWith("varlink:"));
    // Whether the connect lands in the socket's queue before the command exits is a race; either
    // way the one line names the command and its exit status.
    expect(ours).toHaveLength(1);
    expect([
      `varlink: connection failed: activated "${missing}": /bin/sh exited with status 127 and closed the connection`,
      `varlink: cannot start activated "${missing}": /bin/sh exited with status 127 before accepting the connection`,
    ]).toContain(ours[0]);
  });

  it("cannot be combined with an address", async () => {
    const result = await runVarlinkProcess(sandbox, ["--activate", activate, "info", "unix:/run/x"]);
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: "varlink: the address unix:/run/x cannot be combined with --activate\n",
    });
  });
});
