/**
 * `varlink call`, run as a user runs it, against the Go certification server and this project's
 * fixture service: replies, `--more`, `--oneway`, error replies, checks made before sending, the
 * `--json` formats and the exit codes. Needs `npx tsc -b` first.
 */
import { createServer } from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, isCall, runVarlink, useFixtureService, useSandbox } from "@varlink-ts/test-kit";

const sandbox = useSandbox({ prefix: "varlink-cmd-" });

beforeAll(assertBuilt);

/** A TCP port nothing listens on: bound by the OS, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe("against this project's service", () => {
  let ping: string;
  const service = useFixtureService();
  beforeAll(() => {
    ping = `${service.address}/org.example.more.Ping`;
  });


  it("prints the reply as one line of JSON when stdout is not a terminal", async () => {
    const result = await runVarlink(sandbox, ["call", ping, '{"ping": "hello"}']);
    expect(result).toEqual({ code: 0, stdout: '{"pong":"hello"}\n', stderr: "" });
    expect(await service.waitForMessage(isCall("org.example.more.Ping", { ping: "hello" }))).toEqual({
      method: "org.example.more.Ping",
      parameters: { ping: "hello" },
    });
  });

  it("takes ADDRESS and METHOD as two arguments, as varlinkctl does", async () => {
    const result = await runVarlink(sandbox, ["call", service.address, "org.example.more.Ping", '{"ping": "two"}']);
    expect(result).toEqual({ code: 0, stdout: '{"pong":"two"}\n', stderr: "" });
  });

  it("reads the parameters from stdin when they are absent or '-'", async () => {
    const absent = await runVarlink(sandbox, ["call", ping], '{"ping": "from stdin"}\n');
    expect(absent).toEqual({ code: 0, stdout: '{"pong":"from stdin"}\n', stderr: "" });
    const dash = await runVarlink(sandbox, ["call", ping, "-"], '{"ping": "dash"}');
    expect(dash).toEqual({ code: 0, stdout: '{"pong":"dash"}\n', stderr: "" });
  });

  it("--more prints every reply, in order, and sends more: true", async () => {
    const result = await runVarlink(sandbox, ["call", "--more", `${service.address}/org.example.more.TestMore`, '{"n": 1}']);
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

  it("--oneway prints nothing, and the service receives the call with oneway: true", async () => {
    const result = await runVarlink(sandbox, ["call", "--oneway", ping, '{"ping": "fire and forget"}']);
    expect(result).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(await service.waitForMessage(isCall("org.example.more.Ping", { ping: "fire and forget" }))).toEqual({
      method: "org.example.more.Ping",
      parameters: { ping: "fire and forget" },
      oneway: true,
    });
  });

  it("an error reply prints its name and parameters on stderr and exits 1", async () => {
    const result = await runVarlink(sandbox, ["call", "--more", `${service.address}/org.example.more.TestMore`, '{"n": -1}']);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr:
        'varlink: org.example.more.TestMore failed with org.example.more.TestMoreError {"reason":"n must not be negative"}\n',
    });
  });

  it("an error after replies keeps the replies on stdout", async () => {
    const result = await runVarlink(sandbox, ["call", "--more", `${service.address}/org.example.more.TestMore`, '{"n": 200}']);
    expect(result).toEqual({
      code: 1,
      stdout: '{"state":{"start":true}}\n',
      stderr:
        'varlink: org.example.more.TestMore failed with org.example.more.TestMoreError {"reason":"n is above 100"}\n',
    });
  });

  it("refuses parameters that do not fit the interface, naming the field, and sends nothing", async () => {
    const wrongType = await runVarlink(sandbox, ["call", ping, '{"ping": 3}']);
    expect(wrongType).toEqual({
      code: 2,
      stdout: "",
      stderr:
        'varlink: invalid parameter "ping" for org.example.more.Ping: expected a string, got an integer (nothing was sent)\n',
    });
    const unknownField = await runVarlink(sandbox, ["call", ping, '{"pong": "x"}']);
    expect(unknownField.code).toBe(2);
    expect(unknownField.stderr).toBe(
      'varlink: invalid parameter "pong" for org.example.more.Ping: unknown field (nothing was sent)\n',
    );
    // A later call on a new connection arrives after anything the refused ones could have sent.
    await runVarlink(sandbox, ["call", ping, '{"ping": "after"}']);
    await service.waitForMessage(isCall("org.example.more.Ping", { ping: "after" }));
    const pings = service.received().filter((message) => message["method"] === "org.example.more.Ping");
    expect(pings).toEqual([{ method: "org.example.more.Ping", parameters: { ping: "after" } }]);
  });

  it("bad JSON is a one-line error with exit 2", async () => {
    const result = await runVarlink(sandbox, ["call", ping, '{"ping": '], "");
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: "varlink: the parameters are not valid JSON: Unexpected end of JSON input\n",
    });
    const array = await runVarlink(sandbox, ["call", ping, "-"], "[1, 2]");
    expect(array).toEqual({
      code: 2,
      stdout: "",
      stderr: "varlink: the parameters on standard input must be a JSON object, got an array\n",
    });
  });

  it("an unknown method or interface exits 2 without calling it", async () => {
    const method = await runVarlink(sandbox, ["call", `${service.address}/org.example.more.Pong`, "{}"]);
    expect(method).toEqual({ code: 2, stdout: "", stderr: "varlink: org.example.more has no method Pong\n" });
    const iface = await runVarlink(sandbox, ["call", `${service.address}/org.example.nope.Ping`, "{}"]);
    expect(iface).toEqual({
      code: 2,
      stdout: "",
      stderr: `varlink: ${service.address} does not implement org.example.nope\n`,
    });
    await runVarlink(sandbox, ["call", ping, '{"ping": "after"}']);
    await service.waitForMessage(isCall("org.example.more.Ping", { ping: "after" }));
    const methods = service.received().map((message) => message["method"]);
    expect(methods).not.toContain("org.example.more.Pong");
    expect(methods).not.toContain("org.example.nope.Ping");
  });

  it("--json=pretty indents, --json=short prints one line per reply", async () => {
    const pretty = await runVarlink(sandbox, ["call", "--json=pretty", ping, '{"ping": "p"}']);
    expect(pretty.stdout).toBe('{\n  "pong": "p"\n}\n');
    const short = await runVarlink(sandbox, ["call", "--json", "short", ping, '{"ping": "s"}']);
    expect(short.stdout).toBe('{"pong":"s"}\n');
  });

  it("--json=seq writes an RFC 7464 record per reply", async () => {
    const result = await runVarlink(sandbox, [
      "call",
      "--json=seq",
      "--more",
      `${service.address}/org.example.more.TestMore`,
      '{"n": 2}',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        '\u001e{"state":{"start":true}}\n',
        '\u001e{"state":{"progress":50}}\n',
        '\u001e{"state":{"progress":100}}\n',
        '\u001e{"state":{"end":true}}\n',
      ].join(""),
    );
  });
});

describe("failures before or instead of a call", () => {
  it("a missing socket exits 3 with one line", async () => {
    const address = sandbox.socket("missing.sock");
    const result = await runVarlink(sandbox, ["call", `${address}/org.example.more.Ping`, "{}"]);
    expect(result).toEqual({
      code: 3,
      stdout: "",
      stderr: `varlink: cannot connect to ${address}: no such socket\n`,
    });
  });

  it("a refused connection exits 3 with one line", async () => {
    const address = `tcp:127.0.0.1:${await closedPort()}`;
    const result = await runVarlink(sandbox, ["call", `${address}/org.example.more.Ping`, "{}"]);
    expect(result).toEqual({
      code: 3,
      stdout: "",
      stderr: `varlink: cannot connect to ${address}: connection refused (nothing is listening there)\n`,
    });
  });

  it("--timeout gives up on a service that never answers, exit 3", async () => {
    // A socket that accepts connections and reads calls but never replies.
    const path = sandbox.socket("silent.sock").slice("unix:".length);
    const silent = createServer((socket) => socket.resume());
    await new Promise<void>((resolve) => silent.listen(path, resolve));
    try {
      const result = await runVarlink(sandbox, ["call", "--timeout", "0.2", `unix:${path}/org.example.more.Ping`, "{}"]);
      expect(result.code).toBe(3);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^varlink: .*timed out.*\n$/);
      const bad = await runVarlink(sandbox, ["call", "--timeout", "soon", `unix:${path}/org.example.more.Ping`, "{}"]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^varlink: .*"soon" is not a time span/);
    } finally {
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it("usage errors exit 2", async () => {
    const noMethod = await runVarlink(sandbox, ["call"]);
    expect(noMethod).toEqual({
      code: 2,
      stdout: "",
      stderr: "varlink: missing required argument 'method' (see 'varlink call --help')\n",
    });
    const lowerCase = await runVarlink(sandbox, ["call", "org.example.more.ping", "{}"]);
    expect(lowerCase).toEqual({
      code: 2,
      stdout: "",
      stderr:
        'varlink: "org.example.more.ping" is not a method name: expected INTERFACE.METHOD, such as org.example.more.Ping\n',
    });
    const both = await runVarlink(sandbox, ["call", "--more", "--oneway", "org.example.more.Ping", "{}"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^varlink: .*cannot be used with/);
    const format = await runVarlink(sandbox, ["call", "--json=yaml", "org.example.more.Ping", "{}"]);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/^varlink: .*Allowed choices are pretty, short, seq, off\./);
  });
});
