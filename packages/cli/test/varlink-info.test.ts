/**
 * `varlink info` and `varlink introspect` (alias `help`), run as a user runs them, against the Go
 * certification server and this project's own fixture service. Needs `npx tsc -b` first.
 */
import { readFile } from "node:fs/promises";
import { formatSource, parseInterface } from "@varlink-ts/runtime/idl";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { assertBuilt, MORE_SERVICE, Sandbox, type StartedService } from "./fixtures/harness.js";

const certificationFile = new URL("../../../fixtures/interop/org.varlink.certification.varlink", import.meta.url);
const moreFile = new URL("../../../fixtures/interop/org.example.more.varlink", import.meta.url);

let sandbox: Sandbox;

beforeAll(assertBuilt);
beforeEach(async () => {
  sandbox = await Sandbox.create();
});
afterEach(async () => {
  await sandbox.dispose();
});

describe("against the Go certification server", () => {
  let address: string;
  beforeEach(async () => {
    address = await sandbox.startGoCertification();
  });

  it("info prints vendor, product, version, URL and interfaces as libvarlink does", async () => {
    const result = await sandbox.runVarlink(["info", address]);
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
    const result = await sandbox.runVarlink(["info", "--json", address]);
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
    const pretty = await sandbox.runVarlink(["info", "--json=pretty", address]);
    expect(pretty.code).toBe(0);
    expect(pretty.stdout).toMatch(/^\{\n  "vendor": "Varlink",\n/);
    const seq = await sandbox.runVarlink(["info", "--json", "seq", address]);
    expect(seq.stdout).toMatch(/^\u001e\{"vendor":"Varlink",.*\}\n$/);
    const bare = await sandbox.runVarlink(["info", address, "-j"]);
    expect(JSON.parse(bare.stdout)).toMatchObject({ product: "Certification" });
    expect(bare.stdout.split("\n")).toHaveLength(2);
    const off = await sandbox.runVarlink(["info", "--json=off", address]);
    expect(off.stdout).toMatch(/^Vendor: Varlink\n/);
  });

  it("introspect prints org.varlink.certification in the canonical format", async () => {
    const result = await sandbox.runVarlink(["introspect", address, "org.varlink.certification"]);
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

describe("against this project's service", () => {
  let service: StartedService;
  beforeEach(async () => {
    service = await sandbox.startService(MORE_SERVICE, [`--varlink=${sandbox.socket("more.sock")}`]);
  });

  it("info lists the service's interfaces", async () => {
    const result = await sandbox.runVarlink(["info", service.address]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        "Vendor: varlink-ts tests",
        "Product: more-service",
        "Version: 1.0",
        "URL: https://example.org/more",
        "Interfaces:",
        "  org.varlink.service",
        "  org.example.more",
        "  org.example.echo",
        "",
      ].join("\n"),
    );
  });

  it("introspect without an interface prints every interface but org.varlink.service", async () => {
    const more = formatSource(await readFile(moreFile, "utf8"));
    const result = await sandbox.runVarlink(["introspect", service.address]);
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith(`${more}\n`)).toBe(true);
    expect(result.stdout).toContain("interface org.example.echo\n");
    expect(result.stdout).not.toContain("interface org.varlink.service");
  });

  it("introspect prints org.varlink.service when asked for it", async () => {
    const result = await sandbox.runVarlink(["introspect", service.address, "org.varlink.service"]);
    expect(result.code).toBe(0);
    expect(parseInterface(result.stdout).methods.has("GetInterfaceDescription")).toBe(true);
  });

  it("help ADDRESS/INTERFACE, libvarlink's form, prints the same as introspect", async () => {
    const introspect = await sandbox.runVarlink(["introspect", service.address, "org.example.more"]);
    const help = await sandbox.runVarlink(["help", `${service.address}/org.example.more`]);
    expect(help).toEqual(introspect);
    expect(help.stdout).toBe(formatSource(await readFile(moreFile, "utf8")));
  });

  it("introspect of an interface the service lacks exits 1 with one line", async () => {
    const result = await sandbox.runVarlink(["introspect", service.address, "org.example.nope"]);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: `varlink: ${service.address} does not implement org.example.nope\n`,
    });
  });
});

describe("addresses", () => {
  it("reaches a service over TCP", async () => {
    const service = await sandbox.startService(MORE_SERVICE, ["--varlink=tcp:127.0.0.1:0"]);
    expect(service.address).toMatch(/^tcp:127\.0\.0\.1:[1-9][0-9]*$/);
    const result = await sandbox.runVarlink(["info", service.address]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Product: more-service\n");
  });

  it("reaches a service on an abstract unix socket", async () => {
    const address = `unix:@varlink-cmd-test-${process.pid}-${Date.now()}`;
    await sandbox.startService(MORE_SERVICE, [`--varlink=${address}`]);
    const result = await sandbox.runVarlink(["info", "--json", address]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ product: "more-service" });
  });

  it("a missing socket exits 3 with one line", async () => {
    const address = sandbox.socket("missing.sock");
    const result = await sandbox.runVarlink(["info", address]);
    expect(result).toEqual({
      code: 3,
      stdout: "",
      stderr: `varlink: cannot connect to ${address}: no such socket\n`,
    });
  });

  it("an invalid address is a usage error", async () => {
    const result = await sandbox.runVarlink(["info", "udp:127.0.0.1:9"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'varlink: invalid varlink address "udp:127.0.0.1:9": unsupported kind "udp" (expected unix, tcp, exec or a ws:// URL)\n',
    );
  });

  it("info without an address is a usage error", async () => {
    const result = await sandbox.runVarlink(["info"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("varlink: missing ADDRESS (or --bridge COMMAND, or --activate COMMAND)\n");
  });
});

describe("help", () => {
  it("varlink help alone prints the usage", async () => {
    const result = await sandbox.runVarlink(["help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: varlink /);
    for (const command of [
      "info",
      "list-interfaces",
      "list-methods",
      "introspect|help",
      "call",
      "resolve",
      "bridge",
      "validate|validate-idl",
      "format",
    ]) {
      expect(result.stdout).toContain(`\n  ${command} `);
    }
  });

  it("varlink help COMMAND prints that command's usage", async () => {
    const result = await sandbox.runVarlink(["help", "call"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: varlink call /);
    expect(result.stdout).toContain("--oneway");
  });
});
