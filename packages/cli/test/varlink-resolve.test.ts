/**
 * `varlink resolve`, and `call` and `introspect` without an address, through a test resolver
 * (org.varlink.resolver) at a temporary address. Needs `npx tsc -b` first.
 */
import { existsSync } from "node:fs";
import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { formatSource } from "@varlink-ts/runtime/idl";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  assertBuilt,
  RESOLVER_SERVICE,
  runVarlink,
  startService,
  useFixtureService,
  useSandbox,
} from "@varlink-ts/test-kit";

const moreFile = new URL("../../../fixtures/interop/org.example.more.varlink", import.meta.url);

const sandbox = useSandbox({ prefix: "varlink-cmd-" });
/** The fixture service the tests of a file share (each test sees only the messages it caused). */
const shared = useSandbox({ scope: "file", prefix: "varlink-cmd-" });
let resolver: string;

beforeAll(assertBuilt);
const service = useFixtureService();
beforeAll(async () => {
  const started = await startService(shared, RESOLVER_SERVICE, [
    `--varlink=${shared.socket("resolver.sock")}`,
    `org.example.more=${service.address}`,
    `org.example.gone=${shared.socket("gone.sock")}`,
  ]);
  resolver = started.address;
});

describe("varlink resolve", () => {
  it("prints the address the resolver gives", async () => {
    const result = await runVarlink(sandbox, ["resolve", "--resolver", resolver, "org.example.more"]);
    expect(result).toEqual({ code: 0, stdout: `${service.address}\n`, stderr: "" });
  });

  it("takes --resolver before the command too, as a global option", async () => {
    const result = await runVarlink(sandbox, ["--resolver", resolver, "resolve", "org.example.more"]);
    expect(result).toEqual({ code: 0, stdout: `${service.address}\n`, stderr: "" });
  });

  it("exits 1 for an interface the resolver does not know", async () => {
    const result = await runVarlink(sandbox, ["resolve", "--resolver", resolver, "org.example.unknown"]);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: `varlink: the resolver at ${resolver} knows no service for org.example.unknown\n`,
    });
  });

  it("exits 3 when the resolver cannot be reached", async () => {
    const missing = sandbox.socket("no-resolver.sock");
    const result = await runVarlink(sandbox, ["resolve", "--resolver", missing, "org.example.more"]);
    expect(result).toEqual({
      code: 3,
      stdout: "",
      stderr: `varlink: cannot resolve org.example.more: cannot connect to ${missing}: no such socket\n`,
    });
  });

  it("exits 2 for a name that is not an interface name", async () => {
    const result = await runVarlink(sandbox, ["resolve", "--resolver", resolver, "more"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('varlink: "more" is not an interface name such as org.example.more\n');
  });
});

describe("without an address", () => {
  it("call finds the service through the resolver", async () => {
    const result = await runVarlink(sandbox, ["--resolver", resolver, "call", "org.example.more.Ping", '{"ping": "resolved"}']);
    expect(result).toEqual({ code: 0, stdout: '{"pong":"resolved"}\n', stderr: "" });
  });

  it("call --more through the resolver prints every reply", async () => {
    const result = await runVarlink(sandbox, [
      "call",
      "--resolver",
      resolver,
      "--more",
      "org.example.more.TestMore",
      '{"n": 1}',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")).toEqual([
      '{"state":{"start":true}}',
      '{"state":{"progress":100}}',
      '{"state":{"end":true}}',
      "",
    ]);
  });

  it("call of an interface the resolver does not know exits 2: nothing was sent", async () => {
    const result = await runVarlink(sandbox, ["--resolver", resolver, "call", "org.example.unknown.Ping", "{}"]);
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: `varlink: the resolver at ${resolver} knows no service for org.example.unknown\n`,
    });
  });

  it("call of an interface whose service is gone exits 3", async () => {
    const gone = shared.socket("gone.sock");
    const result = await runVarlink(sandbox, ["--resolver", resolver, "call", "org.example.gone.Ping", "{}"]);
    expect(result).toEqual({ code: 3, stdout: "", stderr: `varlink: cannot connect to ${gone}: no such socket\n` });
  });

  it("introspect INTERFACE asks the service the resolver gives", async () => {
    const result = await runVarlink(sandbox, ["--resolver", resolver, "introspect", "org.example.more"]);
    expect(result).toEqual({ code: 0, stdout: formatSource(await readFile(moreFile, "utf8")), stderr: "" });
  });
});

describe("an exec: answer from the resolver", () => {
  let program: string;
  let marker: string;
  let evil: string;
  let message: string;

  beforeEach(async () => {
    program = join(sandbox.dir, "touch-marker.sh");
    marker = join(sandbox.dir, "marker");
    await writeFile(program, '#!/bin/sh\n: > "$1"\n');
    await chmod(program, 0o755);
    const answer = `exec:${program} ${marker}`;
    const started = await startService(sandbox, RESOLVER_SERVICE, [
      `--varlink=${sandbox.socket("evil-resolver.sock")}`,
      `org.example.evil=${answer}`,
    ]);
    evil = started.address;
    message =
      `varlink: protocol error: the resolver answered ${JSON.stringify(answer)} for org.example.evil; ` +
      "only unix: and tcp: addresses are accepted from a resolver\n";
  });

  it("is refused by resolve, exit 3", async () => {
    const result = await runVarlink(sandbox, ["resolve", "--resolver", evil, "org.example.evil"]);
    expect(result).toEqual({ code: 3, stdout: "", stderr: message });
    expect(existsSync(marker)).toBe(false);
  });

  it("is never run by call or introspect, exit 3", async () => {
    const call = await runVarlink(sandbox, ["--resolver", evil, "call", "org.example.evil.Ping", "{}"]);
    expect(call).toEqual({ code: 3, stdout: "", stderr: message });
    const introspect = await runVarlink(sandbox, ["--resolver", evil, "introspect", "org.example.evil"]);
    expect(introspect).toEqual({ code: 3, stdout: "", stderr: message });
    expect(existsSync(marker)).toBe(false);
  });
});
