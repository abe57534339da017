/**
 * How `varlink` reads its command line: usage errors worded like every other failure, and the
 * habits of systemd's varlinkctl (options before the verb, `-j` without a value, `validate-idl`).
 * Needs `npx tsc -b` first.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, runVarlink, runVarlinkProcess, useFixtureService, useSandbox } from "@varlink-ts/test-kit";

const sandbox = useSandbox({ prefix: "varlink-cmd-" });

beforeAll(assertBuilt);

describe("usage errors", () => {
  it.each([
    ["an unknown option", ["call", "--bogus", "org.example.more.Ping"], "unknown option '--bogus' (see 'varlink call --help')"],
    ["a missing argument", ["call"], "missing required argument 'method' (see 'varlink call --help')"],
    ["an unknown command", ["frobnicate"], "unknown command 'frobnicate' (see 'varlink --help')"],
    ["an option missing its value", ["call", "org.example.more.Ping", "--graceful"], "option '--graceful <error>' argument missing (see 'varlink call --help')"],
    ["too many arguments", ["list-interfaces", "unix:/a", "unix:/b"], "too many arguments for 'list-interfaces'. Expected 1 argument but got 2. (see 'varlink list-interfaces --help')"],
  ])("%s is one line starting with varlink:, exit 2", async (_name, args, message) => {
    const result = await runVarlink(sandbox, args);
    expect(result).toEqual({ code: 2, stdout: "", stderr: `varlink: ${message}\n` });
  });

  it("a misspelt option keeps commander's suggestion on the same line", async () => {
    const result = await runVarlink(sandbox, ["call", "--mroe", "org.example.more.Ping"]);
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: "varlink: unknown option '--mroe' (Did you mean --more?) (see 'varlink call --help')\n",
    });
  });

  it("an invalid --json value names the choices", async () => {
    const result = await runVarlink(sandbox, ["info", "--json=yaml", "unix:/a"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "varlink: option '-j, --json <format>' argument 'yaml' is invalid. Allowed choices are pretty, short, seq, off. (see 'varlink info --help')\n",
    );
  });

  it("no command says so first, then shows the usage on stderr", async () => {
    // The built launcher, in a process of its own: the exit code is the one the shell sees.
    const result = await runVarlinkProcess(sandbox, []);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^varlink: missing COMMAND \(see 'varlink --help'\)\nUsage: varlink /);
  });

  it("--help before the command is still the program's usage", async () => {
    const result = await runVarlink(sandbox, ["--help", "call"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: varlink \[options\] \[command\]/);
  });
});

describe("varlinkctl's habits", () => {
  const service = useFixtureService();

  it("takes a command's options before the command, values included", async () => {
    const more = await runVarlink(sandbox, ["--more", "call", service.address, "org.example.more.TestMore", '{"n": 1}']);
    expect(more).toEqual({
      code: 0,
      stdout: '{"state":{"start":true}}\n{"state":{"progress":100}}\n{"state":{"end":true}}\n',
      stderr: "",
    });
    const json = await runVarlink(sandbox, ["--json", "pretty", "--timeout", "5", "call", `${service.address}/org.example.more.Ping`, '{"ping": "x"}']);
    expect(json).toEqual({ code: 0, stdout: '{\n  "pong": "x"\n}\n', stderr: "" });
  });

  it("-j without a value means JSON, one line when stdout is not a terminal", async () => {
    const before = await runVarlink(sandbox, ["-j", "list-interfaces", service.address]);
    expect(before).toEqual({ code: 0, stdout: '["org.varlink.service","org.example.more","org.example.echo"]\n', stderr: "" });
    const after = await runVarlink(sandbox, ["list-interfaces", service.address, "-j"]);
    expect(after).toEqual(before);
  });

  it("validate-idl is validate", async () => {
    // The command runs in the sandbox directory.
    await writeFile(join(sandbox.dir, "good.varlink"), "interface org.example.good\n\nmethod Ping() -> ()\n");
    await writeFile(join(sandbox.dir, "bad.varlink"), "interface org.example.bad\n\nmethod ping() -> ()\n");
    expect(await runVarlink(sandbox, ["validate-idl", "good.varlink"])).toEqual({ code: 0, stdout: "", stderr: "" });
    const invalid = await runVarlink(sandbox, ["validate-idl", "bad.varlink"]);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toBe("");
    expect(invalid.stderr).toMatch(/^bad\.varlink:3:8: invalid method name 'ping'/);
  });
});
