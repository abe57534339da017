/**
 * `varlink list-interfaces` and `varlink list-methods`, varlinkctl's verbs, run as a user runs them
 * against the Go certification server and this project's fixture service. Needs `npx tsc -b` first.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { assertBuilt, MORE_SERVICE, Sandbox, type StartedService } from "./fixtures/harness.js";

let sandbox: Sandbox;

beforeAll(assertBuilt);
beforeEach(async () => {
  sandbox = await Sandbox.create();
});
afterEach(async () => {
  await sandbox.dispose();
});

/** Lines of text, each ending with a newline. */
const lines = (...items: string[]): string => items.map((item) => `${item}\n`).join("");

const CERTIFICATION_METHODS = [
  "org.varlink.certification.End",
  "org.varlink.certification.Start",
  ...Array.from({ length: 11 }, (_, index) => `org.varlink.certification.Test${String(index + 1).padStart(2, "0")}`),
];

describe("against the Go certification server", () => {
  let address: string;
  beforeEach(async () => {
    address = await sandbox.startGoCertification();
  });

  it("list-interfaces prints the interfaces sorted, one per line", async () => {
    const result = await sandbox.runVarlink(["list-interfaces", address]);
    expect(result).toEqual({ code: 0, stdout: lines("org.varlink.certification", "org.varlink.service"), stderr: "" });
  });

  it("list-interfaces --json prints the array in the service's order", async () => {
    const result = await sandbox.runVarlink(["list-interfaces", "--json=short", address]);
    expect(result).toEqual({
      code: 0,
      stdout: '["org.varlink.service","org.varlink.certification"]\n',
      stderr: "",
    });
  });

  it("list-methods without an interface lists every interface's methods, org.varlink.service's too", async () => {
    const result = await sandbox.runVarlink(["list-methods", address]);
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
    const result = await sandbox.runVarlink(["list-methods", address, "org.varlink.certification", "-j"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(`${JSON.stringify(CERTIFICATION_METHODS)}\n`);
  });
});

describe("against this project's service", () => {
  let service: StartedService;
  beforeEach(async () => {
    service = await sandbox.startService(MORE_SERVICE, [`--varlink=${sandbox.socket("more.sock")}`]);
  });

  it("list-interfaces prints the interfaces sorted, one per line", async () => {
    const result = await sandbox.runVarlink(["list-interfaces", service.address]);
    expect(result).toEqual({
      code: 0,
      stdout: lines("org.example.echo", "org.example.more", "org.varlink.service"),
      stderr: "",
    });
  });

  it("list-interfaces --json=pretty indents the array", async () => {
    const result = await sandbox.runVarlink(["list-interfaces", "--json=pretty", service.address]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('[\n  "org.varlink.service",\n  "org.example.more",\n  "org.example.echo"\n]\n');
  });

  it("list-methods lists INTERFACE.METHOD for each interface asked for, sorted", async () => {
    const result = await sandbox.runVarlink(["list-methods", service.address, "org.example.more", "org.example.echo"]);
    expect(result).toEqual({
      code: 0,
      stdout: lines(
        "org.example.echo.Shout",
        "org.example.more.Ping",
        "org.example.more.StopServing",
        "org.example.more.TestMore",
      ),
      stderr: "",
    });
  });

  it("list-methods ADDRESS/INTERFACE, libvarlink's form, names one interface", async () => {
    const result = await sandbox.runVarlink(["list-methods", `${service.address}/org.example.echo`]);
    expect(result).toEqual({ code: 0, stdout: lines("org.example.echo.Shout"), stderr: "" });
  });

  it("list-methods of an interface the service lacks exits 1 with one line", async () => {
    const result = await sandbox.runVarlink(["list-methods", service.address, "org.example.nope"]);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: `varlink: ${service.address} does not implement org.example.nope\n`,
    });
  });

  it("list-methods refuses a name that is no interface name, exit 2", async () => {
    const result = await sandbox.runVarlink(["list-methods", service.address, "Not-An-Interface"]);
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: 'varlink: "Not-An-Interface" is not an interface name such as org.example.more\n',
    });
  });

  it("both reach a service started with --activate, without an address", async () => {
    const activate = `${JSON.stringify(process.execPath)} ${JSON.stringify(MORE_SERVICE)}`;
    const interfaces = await sandbox.runVarlink(["--activate", activate, "list-interfaces"]);
    expect(interfaces).toMatchObject({ code: 0, stdout: lines("org.example.echo", "org.example.more", "org.varlink.service") });
    const methods = await sandbox.runVarlink(["--activate", activate, "list-methods", "org.example.echo"]);
    expect(methods).toMatchObject({ code: 0, stdout: lines("org.example.echo.Shout") });
  });
});

describe("failures", () => {
  it("a missing socket exits 3 with one line", async () => {
    // A name with a dot, in a directory that exists: still a missing socket, not an interface.
    const address = sandbox.socket("missing.sock");
    for (const verb of ["list-interfaces", "list-methods", "introspect"]) {
      const result = await sandbox.runVarlink([verb, address]);
      expect(result).toEqual({ code: 3, stdout: "", stderr: `varlink: cannot connect to ${address}: no such socket\n` });
    }
  });

  it("no address is a usage error", async () => {
    const interfaces = await sandbox.runVarlink(["list-interfaces"]);
    expect(interfaces).toEqual({
      code: 2,
      stdout: "",
      stderr: "varlink: missing ADDRESS (or --bridge COMMAND, or --activate COMMAND)\n",
    });
    const methods = await sandbox.runVarlink(["list-methods"]);
    expect(methods).toEqual({
      code: 2,
      stdout: "",
      stderr: "varlink: missing ADDRESS or INTERFACE (or --bridge COMMAND, or --activate COMMAND)\n",
    });
  });
});
