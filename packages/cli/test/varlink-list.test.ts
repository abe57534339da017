/**
 * `varlink list-interfaces` and `varlink list-methods`, varlinkctl's verbs, run as a user runs them
 * against the Go certification server and this project's fixture service. Needs `npx tsc -b` first.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, MORE_SERVICE, runVarlink, useFixtureService, useSandbox } from "@varlink-ts/test-kit";

const sandbox = useSandbox({ prefix: "varlink-cmd-" });

beforeAll(assertBuilt);

/** Lines of text, each ending with a newline. */
const lines = (...items: string[]): string => items.map((item) => `${item}\n`).join("");

describe("against this project's service", () => {
  const service = useFixtureService();

  it("list-interfaces prints the interfaces sorted, one per line", async () => {
    const result = await runVarlink(sandbox, ["list-interfaces", service.address]);
    expect(result).toEqual({
      code: 0,
      stdout: lines("org.example.echo", "org.example.more", "org.varlink.service"),
      stderr: "",
    });
  });

  it("list-interfaces --json=pretty indents the array", async () => {
    const result = await runVarlink(sandbox, ["list-interfaces", "--json=pretty", service.address]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('[\n  "org.varlink.service",\n  "org.example.more",\n  "org.example.echo"\n]\n');
  });

  it("list-methods lists INTERFACE.METHOD for each interface asked for, sorted", async () => {
    const result = await runVarlink(sandbox, ["list-methods", service.address, "org.example.more", "org.example.echo"]);
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
    const result = await runVarlink(sandbox, ["list-methods", `${service.address}/org.example.echo`]);
    expect(result).toEqual({ code: 0, stdout: lines("org.example.echo.Shout"), stderr: "" });
  });

  it("list-methods of an interface the service lacks exits 1 with one line", async () => {
    const result = await runVarlink(sandbox, ["list-methods", service.address, "org.example.nope"]);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: `varlink: ${service.address} does not implement org.example.nope\n`,
    });
  });

  it("list-methods refuses a name that is no interface name, exit 2", async () => {
    const result = await runVarlink(sandbox, ["list-methods", service.address, "Not-An-Interface"]);
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: 'varlink: "Not-An-Interface" is not an interface name such as org.example.more\n',
    });
  });

  it("both reach a service started with --activate, without an address", async () => {
    const activate = `${JSON.stringify(process.execPath)} ${JSON.stringify(MORE_SERVICE)}`;
    const interfaces = await runVarlink(sandbox, ["--activate", activate, "list-interfaces"]);
    expect(interfaces).toMatchObject({ code: 0, stdout: lines("org.example.echo", "org.example.more", "org.varlink.service") });
    const methods = await runVarlink(sandbox, ["--activate", activate, "list-methods", "org.example.echo"]);
    expect(methods).toMatchObject({ code: 0, stdout: lines("org.example.echo.Shout") });
  });
});

describe("failures", () => {
  it("a missing socket exits 3 with one line", async () => {
    // A name with a dot, in a directory that exists: still a missing socket, not an interface.
    const address = sandbox.socket("missing.sock");
    for (const verb of ["list-interfaces", "list-methods", "introspect"]) {
      const result = await runVarlink(sandbox, [verb, address]);
      expect(result).toEqual({ code: 3, stdout: "", stderr: `varlink: cannot connect to ${address}: no such socket\n` });
    }
  });

  it("no address is a usage error", async () => {
    const interfaces = await runVarlink(sandbox, ["list-interfaces"]);
    expect(interfaces).toEqual({
      code: 2,
      stdout: "",
      stderr: "varlink: missing ADDRESS (or --bridge COMMAND, or --activate COMMAND)\n",
    });
    const methods = await runVarlink(sandbox, ["list-methods"]);
    expect(methods).toEqual({
      code: 2,
      stdout: "",
      stderr: "varlink: missing ADDRESS or INTERFACE (or --bridge COMMAND, or --activate COMMAND)\n",
    });
  });
});
