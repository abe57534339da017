/**
 * `varlink info` and `varlink introspect` (alias `help`), run as a user runs them, against the Go
 * certification server and this project's own fixture service. Needs `npx tsc -b` first.
 */
import { readFile } from "node:fs/promises";
import { formatSource, parseInterface } from "@varlink-ts/runtime/idl";
import { beforeAll, describe, expect, it } from "vitest";
import {
  assertBuilt,
  MORE_SERVICE,
  runVarlink,
  startService,
  useFixtureService,
  useSandbox,
} from "@varlink-ts/test-kit";

const moreFile = new URL("../../../fixtures/interop/org.example.more.varlink", import.meta.url);

const sandbox = useSandbox({ prefix: "varlink-cmd-" });

beforeAll(assertBuilt);

describe("against this project's service", () => {
  const service = useFixtureService();

  it("info lists the service's interfaces", async () => {
    const result = await runVarlink(sandbox, ["info", service.address]);
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
    const result = await runVarlink(sandbox, ["introspect", service.address]);
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith(`${more}\n`)).toBe(true);
    expect(result.stdout).toContain("interface org.example.echo\n");
    expect(result.stdout).not.toContain("interface org.varlink.service");
  });

  it("introspect prints org.varlink.service when asked for it", async () => {
    const result = await runVarlink(sandbox, ["introspect", service.address, "org.varlink.service"]);
    expect(result.code).toBe(0);
    expect(parseInterface(result.stdout).methods.has("GetInterfaceDescription")).toBe(true);
  });

  it("help ADDRESS/INTERFACE, libvarlink's form, prints the same as introspect", async () => {
    const introspect = await runVarlink(sandbox, ["introspect", service.address, "org.example.more"]);
    const help = await runVarlink(sandbox, ["help", `${service.address}/org.example.more`]);
    expect(help).toEqual(introspect);
    expect(help.stdout).toBe(formatSource(await readFile(moreFile, "utf8")));
  });

  it("introspect of an interface the service lacks exits 1 with one line", async () => {
    const result = await runVarlink(sandbox, ["introspect", service.address, "org.example.nope"]);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: `varlink: ${service.address} does not implement org.example.nope\n`,
    });
  });
});

describe("addresses", () => {
  it("reaches a service over TCP", async () => {
    const service = await startService(sandbox, MORE_SERVICE, ["--varlink=tcp:127.0.0.1:0"]);
    expect(service.address).toMatch(/^tcp:127\.0\.0\.1:[1-9][0-9]*$/);
    const result = await runVarlink(sandbox, ["info", service.address]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Product: more-service\n");
  });

  it("reaches a service on an abstract unix socket", async () => {
    const address = `unix:@varlink-cmd-test-${process.pid}-${Date.now()}`;
    await startService(sandbox, MORE_SERVICE, [`--varlink=${address}`]);
    const result = await runVarlink(sandbox, ["info", "--json", address]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ product: "more-service" });
  });

  it("a missing socket exits 3 with one line", async () => {
    const address = sandbox.socket("missing.sock");
    const result = await runVarlink(sandbox, ["info", address]);
    expect(result).toEqual({
      code: 3,
      stdout: "",
      stderr: `varlink: cannot connect to ${address}: no such socket\n`,
    });
  });

  it("an invalid address is a usage error", async () => {
    const result = await runVarlink(sandbox, ["info", "udp:127.0.0.1:9"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'varlink: invalid varlink address "udp:127.0.0.1:9": unsupported kind "udp" (expected unix, tcp, exec or a ws:// URL)\n',
    );
  });

  it("info without an address is a usage error", async () => {
    const result = await runVarlink(sandbox, ["info"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("varlink: missing ADDRESS (or --bridge COMMAND, or --activate COMMAND)\n");
  });
});

describe("help", () => {
  it("varlink help alone prints the usage", async () => {
    const result = await runVarlink(sandbox, ["help"]);
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
    const result = await runVarlink(sandbox, ["help", "call"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: varlink call /);
    expect(result.stdout).toContain("--oneway");
  });
});
