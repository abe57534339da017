/**
 * The options `varlink call` takes from systemd's varlinkctl (`--collect`, `--graceful`, `-E`,
 * `-q`, `--timeout` with units, `--json=off`, a bare `-j`) and `--unchecked`, run as a user runs
 * them against the Go certification server and this project's fixture service. Needs `npx tsc -b`.
 */
import { createServer, type Server } from "node:net";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { assertBuilt, runVarlink, useFixtureService, useSandbox } from "@varlink-ts/test-kit";

const sandbox = useSandbox({ prefix: "varlink-cmd-" });

beforeAll(assertBuilt);

const TEST_MORE_ERROR = "org.example.more.TestMoreError";

describe("against this project's service", () => {
  let testMore: string;
  let ping: string;
  const service = useFixtureService();
  beforeAll(() => {
    testMore = `${service.address}/org.example.more.TestMore`;
    ping = `${service.address}/org.example.more.Ping`;
  });

  /** The first message the service received for `method`. */
  const received = (method: string): Promise<Record<string, unknown>> =>
    service.waitForMessage((message) => message["method"] === method);

  it("--collect prints every reply as one JSON array, and sends more: true", async () => {
    const result = await runVarlink(sandbox, ["call", "--collect", testMore, '{"n": 2}']);
    expect(result).toEqual({
      code: 0,
      stdout: '[{"state":{"start":true}},{"state":{"progress":50}},{"state":{"progress":100}},{"state":{"end":true}}]\n',
      stderr: "",
    });
    expect(await received("org.example.more.TestMore")).toEqual({
      method: "org.example.more.TestMore",
      parameters: { n: 2 },
      more: true,
    });
  });

  it("--collect --json=pretty indents the array", async () => {
    const result = await runVarlink(sandbox, ["call", "--collect", "--json=pretty", ping, '{"ping": "p"}']);
    expect(result).toEqual({ code: 0, stdout: '[\n  {\n    "pong": "p"\n  }\n]\n', stderr: "" });
  });

  it("-E prints each reply as it arrives, as --more does", async () => {
    const result = await runVarlink(sandbox, ["call", "-E", testMore, '{"n": 1}']);
    expect(result).toEqual({
      code: 0,
      stdout: '{"state":{"start":true}}\n{"state":{"progress":100}}\n{"state":{"end":true}}\n',
      stderr: "",
    });
    expect(await received("org.example.more.TestMore")).toMatchObject({ more: true });
  });

  it("--graceful=ERROR exits 0 on that error, printing its parameters after the replies before it", async () => {
    const result = await runVarlink(sandbox, ["call", "--more", `--graceful=${TEST_MORE_ERROR}`, testMore, '{"n": 200}']);
    expect(result).toEqual({
      code: 0,
      stdout: '{"state":{"start":true}}\n{"reason":"n is above 100"}\n',
      stderr: `varlink: org.example.more.TestMore failed with ${TEST_MORE_ERROR}, expected (--graceful)\n`,
    });
  });

  it("--graceful with --collect prints only the error's parameters, as varlinkctl does", async () => {
    const result = await runVarlink(sandbox, ["call", "--collect", "--graceful", TEST_MORE_ERROR, testMore, '{"n": 200}']);
    expect(result).toEqual({
      code: 0,
      stdout: '{"reason":"n is above 100"}\n',
      stderr: `varlink: org.example.more.TestMore failed with ${TEST_MORE_ERROR}, expected (--graceful)\n`,
    });
  });

  it("--graceful may be repeated; other errors still exit 1", async () => {
    const other = ["--graceful=org.example.more.Other"];
    const failed = await runVarlink(sandbox, ["call", "--more", ...other, testMore, '{"n": -1}']);
    expect(failed).toEqual({
      code: 1,
      stdout: "",
      stderr: `varlink: org.example.more.TestMore failed with ${TEST_MORE_ERROR} {"reason":"n must not be negative"}\n`,
    });
    const both = await runVarlink(sandbox, ["call", "--more", ...other, `--graceful=${TEST_MORE_ERROR}`, testMore, '{"n": -1}']);
    expect(both.code).toBe(0);
    expect(both.stdout).toBe('{"reason":"n must not be negative"}\n');
  });

  it("--graceful refuses what is not an error name, exit 2", async () => {
    const result = await runVarlink(sandbox, ["call", "--graceful=oops", ping, "{}"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^varlink: .*"oops" is not an error name such as org\.varlink\.service\.InvalidParameter/);
  });

  it("-q prints no replies, and no notice for an expected error; failures are still reported", async () => {
    const quiet = await runVarlink(sandbox, ["call", "-q", ping, '{"ping": "hush"}']);
    expect(quiet).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(await received("org.example.more.Ping")).toMatchObject({ parameters: { ping: "hush" } });
    const graceful = await runVarlink(sandbox, ["call", "--quiet", "--collect", `--graceful=${TEST_MORE_ERROR}`, testMore, '{"n": 200}']);
    expect(graceful).toEqual({ code: 0, stdout: "", stderr: "" });
    const failed = await runVarlink(sandbox, ["call", "-q", "--more", testMore, '{"n": -1}']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe("");
    expect(failed.stderr).toContain(`failed with ${TEST_MORE_ERROR}`);
  });

  it("--unchecked sends an unknown method: the service's error comes back, exit 1 instead of 2", async () => {
    const pong = `${service.address}/org.example.more.Pong`;
    const checked = await runVarlink(sandbox, ["call", pong, "{}"]);
    expect(checked).toEqual({ code: 2, stdout: "", stderr: "varlink: org.example.more has no method Pong\n" });
    const unchecked = await runVarlink(sandbox, ["call", "--unchecked", pong, "{}"]);
    expect(unchecked.code).toBe(1);
    expect(unchecked.stdout).toBe("");
    expect(unchecked.stderr).toMatch(
      /^varlink: org\.example\.more\.Pong failed with org\.varlink\.service\.MethodNotFound \{.*\}\n$/,
    );
    expect(await received("org.example.more.Pong")).toEqual({ method: "org.example.more.Pong", parameters: {} });
  });

  it("--unchecked sends invalid parameters: the service answers InvalidParameter, exit 1", async () => {
    const result = await runVarlink(sandbox, ["call", "--unchecked", ping, '{"ping": 3}']);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: 'varlink: org.example.more.Ping failed with org.varlink.service.InvalidParameter {"parameter":"ping"}\n',
    });
    // Nothing asked for the interface first (the service logs what it received after answering).
    await service.waitForMessage((message) => message["method"] === "org.example.more.Ping");
    expect(service.received().map((message) => message["method"])).toEqual(["org.example.more.Ping"]);
  });

  it("--graceful naming an error the check would pre-empt sends the call unchecked", async () => {
    const result = await runVarlink(sandbox, [
      "call",
      "--graceful=org.varlink.service.MethodNotFound",
      `${service.address}/org.example.more.Pong`,
      "{}",
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      "varlink: org.example.more.Pong failed with org.varlink.service.MethodNotFound, expected (--graceful)\n",
    );
    expect(await received("org.example.more.Pong")).toMatchObject({ method: "org.example.more.Pong" });
  });

  it("--json=off and a bare -j (varlinkctl's, here after the parameters) print the default format", async () => {
    const off = await runVarlink(sandbox, ["call", "--json=off", ping, '{"ping": "off"}']);
    expect(off).toEqual({ code: 0, stdout: '{"pong":"off"}\n', stderr: "" });
    const bare = await runVarlink(sandbox, ["call", service.address, "org.example.more.Ping", '{"ping": "j"}', "-j"]);
    expect(bare).toEqual({ code: 0, stdout: '{"pong":"j"}\n', stderr: "" });
    const before = await runVarlink(sandbox, ["call", "-j", ping, '{"ping": "first"}']);
    expect(before).toEqual({ code: 0, stdout: '{"pong":"first"}\n', stderr: "" });
  });

  it("--timeout takes units, and an empty value (no limit)", async () => {
    const units = await runVarlink(sandbox, ["call", "--timeout=2min", ping, '{"ping": "units"}']);
    expect(units).toEqual({ code: 0, stdout: '{"pong":"units"}\n', stderr: "" });
    const forever = await runVarlink(sandbox, ["call", "--timeout=", ping, '{"ping": "forever"}']);
    expect(forever).toEqual({ code: 0, stdout: '{"pong":"forever"}\n', stderr: "" });
  });

  it("--collect or -E with --oneway is a usage error", async () => {
    for (const flag of ["--collect", "-E"]) {
      const result = await runVarlink(sandbox, ["call", flag, "--oneway", ping, "{}"]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^varlink: option .* cannot be used with option '-o, --oneway'/);
    }
  });
});

describe("against a service that never answers", () => {
  let silent: Server;
  let method: string;
  beforeEach(async () => {
    const path = sandbox.socket("silent.sock").slice("unix:".length);
    silent = createServer((socket) => socket.resume());
    await new Promise<void>((resolve) => silent.listen(path, resolve));
    method = `unix:${path}/org.example.more.Ping`;
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it("--timeout=200ms gives up, exit 3", async () => {
    const result = await runVarlink(sandbox, ["call", "--timeout=200ms", method, "{}"]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^varlink: .*timed out after 200 ms\n$/);
  });

  it("-E does not lift a --timeout given with it", async () => {
    const result = await runVarlink(sandbox, ["call", "-E", "--timeout=0.2", method, "{}"]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/timed out after 200 ms/);
  });

  it("--timeout=0 and a value that is no time span are usage errors", async () => {
    const zero = await runVarlink(sandbox, ["call", "--timeout=0", method, "{}"]);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/^varlink: .*a timeout cannot be zero/);
    const soon = await runVarlink(sandbox, ["call", "--timeout", "soon", method, "{}"]);
    expect(soon.code).toBe(2);
    expect(soon.stderr).toMatch(/^varlink: .*"soon" is not a time span/);
  });
});

