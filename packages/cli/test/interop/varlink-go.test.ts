/**
 * The `varlink` command against a peer this project did not write: the Go implementation's
 * certification server (`varlink-go-certification`, Debian's varlink-go), with `info`,
 * `introspect`, `list-interfaces`, `list-methods`, `call` (libvarlink's and varlinkctl's options)
 * and `bridge --connect`. The same commands against this project's fixture service are in the
 * files of the same names one folder up. Needs `npx tsc -b` first.
 */
import { readFile } from "node:fs/promises";
import { connect, type JsonObject } from "@varlink-ts/runtime";
import { formatSource, parseInterface } from "@varlink-ts/runtime/idl";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  assertBuilt,
  bridgeCommand,
  FIXTURES,
  runVarlink,
  runVarlinkProcess,
  speakThroughBridge,
  startGoCertification,
  useSandbox,
} from "@varlink-ts/test-kit";

const sandbox = useSandbox({ prefix: "varlink-cmd-" });

beforeAll(assertBuilt);

const certificationFile = `${FIXTURES}interop/org.varlink.certification.varlink`;

/** Lines of text, each ending with a newline. */
const lines = (...items: string[]): string => items.map((item) => `${item}\n`).join("");

const CERTIFICATION_METHODS = [
  "org.varlink.certification.End",
  "org.varlink.certification.Start",
  ...Array.from({ length: 11 }, (_, index) => `org.varlink.certification.Test${String(index + 1).padStart(2, "0")}`),
];

describe("varlink info and introspect", () => {
  let address: string;
  beforeEach(async () => {
    address = (await startGoCertification(sandbox)).address;
  });

  it("info prints vendor, product, version, URL and interfaces as libvarlink does", async () => {
    const result = await runVarlink(sandbox, ["info", address]);
    expect(result).toEqual({
      code: 0,
      stdout: [
        "Vendor: Varlink",
        "Product: Certification",
        "Version: 1",
        "URL: https://github.com/varlink/go",
        "Interfaces:",
        "  org.varlink.service",
        "  org.varlink.certification",
        "",
      ].join("\n"),
      stderr: "",
    });
  });

  it("info --json prints the GetInfo reply", async () => {
    const result = await runVarlink(sandbox, ["info", "--json", address]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      vendor: "Varlink",
      product: "Certification",
      version: "1",
      url: "https://github.com/varlink/go",
      interfaces: ["org.varlink.service", "org.varlink.certification"],
    });
  });

  it("info --json=FORMAT prints the reply in that format; -j alone and --json=off as varlinkctl", async () => {
    const pretty = await runVarlink(sandbox, ["info", "--json=pretty", address]);
    expect(pretty.code).toBe(0);
    expect(pretty.stdout).toMatch(/^\{\n  "vendor": "Varlink",\n/);
    const seq = await runVarlink(sandbox, ["info", "--json", "seq", address]);
    expect(seq.stdout).toMatch(/^\u001e\{"vendor":"Varlink",.*\}\n$/);
    const bare = await runVarlink(sandbox, ["info", address, "-j"]);
    expect(JSON.parse(bare.stdout)).toMatchObject({ product: "Certification" });
    expect(bare.stdout.split("\n")).toHaveLength(2);
    const off = await runVarlink(sandbox, ["info", "--json=off", address]);
    expect(off.stdout).toMatch(/^Vendor: Varlink\n/);
  });

  it("introspect prints org.varlink.certification in the canonical format", async () => {
    const result = await runVarlink(sandbox, ["introspect", address, "org.varlink.certification"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(formatSource(result.stdout)).toBe(result.stdout);
    const printed = parseInterface(result.stdout);
    const reference = parseInterface(await readFile(certificationFile, "utf8"));
    expect(printed.name).toBe("org.varlink.certification");
    expect([...printed.methods.keys()]).toEqual([...reference.methods.keys()]);
    expect(result.stdout).toContain("\nmethod Test01(client_id: string) -> (bool: bool)\n");
  });
});

describe("varlink list-interfaces and list-methods", () => {
  let address: string;
  beforeEach(async () => {
    address = (await startGoCertification(sandbox)).address;
  });

  it("list-interfaces prints the interfaces sorted, one per line", async () => {
    const result = await runVarlink(sandbox, ["list-interfaces", address]);
    expect(result).toEqual({ code: 0, stdout: lines("org.varlink.certification", "org.varlink.service"), stderr: "" });
  });

  it("list-interfaces --json prints the array in the service's order", async () => {
    const result = await runVarlink(sandbox, ["list-interfaces", "--json=short", address]);
    expect(result).toEqual({
      code: 0,
      stdout: '["org.varlink.service","org.varlink.certification"]\n',
      stderr: "",
    });
  });

  it("list-methods without an interface lists every interface's methods, org.varlink.service's too", async () => {
    const result = await runVarlink(sandbox, ["list-methods", address]);
    expect(result).toEqual({
      code: 0,
      stdout: lines(
        ...CERTIFICATION_METHODS,
        "org.varlink.service.GetInfo",
        "org.varlink.service.GetInterfaceDescription",
      ),
      stderr: "",
    });
  });

  it("list-methods INTERFACE -j prints that interface's methods as a JSON array", async () => {
    const result = await runVarlink(sandbox, ["list-methods", address, "org.varlink.certification", "-j"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(`${JSON.stringify(CERTIFICATION_METHODS)}\n`);
  });
});

describe("varlink call", () => {
  let address: string;
  beforeEach(async () => {
    address = (await startGoCertification(sandbox)).address;
  });

  it("calls Start, then Test01 with the client_id it returned", async () => {
    const start = await runVarlink(sandbox, ["call", `${address}/org.varlink.certification.Start`, "{}"]);
    expect(start.code).toBe(0);
    expect(start.stderr).toBe("");
    const { client_id: clientId } = JSON.parse(start.stdout) as { client_id: unknown };
    expect(typeof clientId).toBe("string");

    const test01 = await runVarlink(sandbox, [
      "call",
      `${address}/org.varlink.certification.Test01`,
      JSON.stringify({ client_id: clientId }),
    ]);
    expect(test01).toEqual({ code: 0, stdout: '{"bool":true}\n', stderr: "" });
  });

  it("prints the server's error reply on stderr and exits 1", async () => {
    const result = await runVarlink(sandbox, [
      "call",
      `${address}/org.varlink.certification.Test01`,
      '{"client_id": "not-a-client"}',
    ]);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "varlink: org.varlink.certification.Test01 failed with org.varlink.certification.ClientIdError {}\n",
    });
  });
});

describe("varlink call, varlinkctl's options", () => {
  let address: string;
  beforeEach(async () => {
    address = (await startGoCertification(sandbox)).address;
  });

  it("--collect gathers Test10's replies into one array", async () => {
    // Start to Test09 through the runtime: each reply is the next call's parameters.
    const client = await connect(address);
    let parameters: JsonObject;
    try {
      const { client_id: clientId } = await client.call<{ client_id: string }>("org.varlink.certification.Start");
      parameters = await client.call("org.varlink.certification.Test01", { client_id: clientId });
      for (let step = 2; step <= 9; step += 1) {
        const reply = await client.call(`org.varlink.certification.Test0${step}`, { client_id: clientId, ...parameters });
        parameters = { client_id: clientId, ...reply };
      }
    } finally {
      client.close();
    }
    const result = await runVarlink(sandbox, [
      "call",
      "--collect",
      `${address}/org.varlink.certification.Test10`,
      JSON.stringify(parameters),
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const replies = JSON.parse(result.stdout) as { string: string }[];
    expect(replies).toHaveLength(10);
    expect(replies.every((reply) => typeof reply.string === "string")).toBe(true);
  });

  it("--graceful=ClientIdError turns Test01's error into success", async () => {
    const result = await runVarlink(sandbox, [
      "call",
      "--graceful=org.varlink.certification.ClientIdError",
      `${address}/org.varlink.certification.Test01`,
      '{"client_id": "nobody"}',
    ]);
    expect(result).toEqual({
      code: 0,
      stdout: "{}\n",
      stderr:
        "varlink: org.varlink.certification.Test01 failed with org.varlink.certification.ClientIdError, expected (--graceful)\n",
    });
  });

  it("--unchecked lets the Go server answer an unknown method itself", async () => {
    const method = `${address}/org.varlink.certification.Test99`;
    const checked = await runVarlink(sandbox, ["call", method, "{}"]);
    expect(checked.code).toBe(2);
    const unchecked = await runVarlink(sandbox, ["call", "--unchecked", method, "{}"]);
    expect(unchecked.code).toBe(1);
    expect(unchecked.stderr).toMatch(/^varlink: org\.varlink\.certification\.Test99 failed with org\.varlink\.service\.MethodNotFound /);
  });
});

describe("varlink bridge --connect", () => {
  let address: string;
  beforeEach(async () => {
    address = (await startGoCertification(sandbox)).address;
  });

  it("carries a call through varlink --bridge", async () => {
    // In a process of its own: the bridge's stderr is its own, and must stay quiet.
    const result = await runVarlinkProcess(sandbox, ["--bridge", bridgeCommand(address), "call", "org.varlink.certification.Start", "{}"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ client_id: expect.any(String) });
  });

  it("answers GetInfo with the Go service's info, not the bridge's", async () => {
    const result = await runVarlink(sandbox, ["--bridge", bridgeCommand(address), "info", "--json"]);
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
    const result = await speakThroughBridge(sandbox, address, [
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
