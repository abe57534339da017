/**
 * `varlink introspect --save DIR`: each interface written to `DIR/INTERFACE.varlink` exactly as
 * the service sent it, so that `varlink validate` accepts it and `varlink-codegen` gives the same
 * code from the file as from the service.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { connect, getInterfaceDescription } from "@varlink-ts/runtime";
import { formatSource } from "@varlink-ts/runtime/idl";
import { beforeEach, describe, expect, it, onTestFinished, vi } from "vitest";
import {
  assertBuilt,
  runMain,
  runVarlink,
  startGoCertification,
  useFixtureService,
  useSandbox,
} from "@varlink-ts/test-kit";
import { startRawService } from "./fixtures/raw-service.js";

const FIXTURES = fileURLToPath(new URL("../../../fixtures/interop/", import.meta.url));

// The round trip runs the generator twice, which takes more than the default 20 s when busy.
vi.setConfig({ testTimeout: 60_000 });

const sandbox = useSandbox({ prefix: "varlink-cmd-" });

beforeEach(async () => {
  assertBuilt();
});


const inDir = (...parts: string[]): string => path.join(sandbox.dir, ...parts);

async function description(address: string, name: string): Promise<string> {
  const client = await connect(address);
  try {
    return await getInterfaceDescription(client, name);
  } finally {
    client.close();
  }
}

describe("against this project's service", () => {
  const service = useFixtureService();

  it("writes every interface but org.varlink.service, byte for byte as sent, and prints the paths", async () => {
    const result = await runVarlink(sandbox, ["introspect", "--save", "saved", service.address]);
    expect(result).toEqual({
      code: 0,
      stdout: `${path.join("saved", "org.example.more.varlink")}\n${path.join("saved", "org.example.echo.varlink")}\n`,
      stderr: "",
    });
    expect((await readdir(inDir("saved"))).sort()).toEqual(["org.example.echo.varlink", "org.example.more.varlink"]);
    // The service serves the fixture file: the saved file is that file, comments and all.
    expect(await readFile(inDir("saved", "org.example.more.varlink"), "utf8")).toBe(
      await readFile(path.join(FIXTURES, "org.example.more.varlink"), "utf8"),
    );
    expect(await readFile(inDir("saved", "org.example.echo.varlink"), "utf8")).toBe(
      await description(service.address, "org.example.echo"),
    );
    const validate = await runVarlink(sandbox, [
      "validate",
      inDir("saved", "org.example.more.varlink"),
      inDir("saved", "org.example.echo.varlink"),
    ]);
    expect(validate).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("takes interfaces as introspect does: named after the address, ADDRESS/INTERFACE", async () => {
    const named = await runVarlink(sandbox, ["introspect", "--save", "a", service.address, "org.varlink.service"]);
    expect(named.code).toBe(0);
    expect(await readdir(inDir("a"))).toEqual(["org.varlink.service.varlink"]);
    const libvarlink = await runVarlink(sandbox, ["help", "--save", "b", `${service.address}/org.example.echo`]);
    expect(libvarlink.code).toBe(0);
    expect(await readdir(inDir("b"))).toEqual(["org.example.echo.varlink"]);
  });

  it("writes nothing when one interface is missing", async () => {
    const result = await runVarlink(sandbox, [
      "introspect",
      "--save",
      "saved",
      service.address,
      "org.example.more",
      "org.example.nope",
    ]);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: `varlink: ${service.address} does not implement org.example.nope\n`,
    });
    expect(await readdir(sandbox.dir)).not.toContain("saved");
  });

  it("regenerates the code the service gives", async () => {
    await runVarlink(sandbox, ["introspect", "--save", "saved", service.address]);
    const fromFiles = await runMain("varlink-codegen", ["saved", "-o", "files"], { cwd: sandbox.dir });
    expect(fromFiles.stderr).toBe("");
    const live = await runMain("varlink-codegen", [service.address, "-o", "live"], { cwd: sandbox.dir });
    expect(live.stderr).toBe("");
    await expectSameCode("files", "live");
  });
});

describe("against the Go certification server", () => {
  it("saves the description as sent, not reformatted; validate and codegen take it", async () => {
    const go = (await startGoCertification(sandbox)).address;
    const result = await runVarlink(sandbox, ["introspect", "--save", "go", go]);
    expect(result).toEqual({
      code: 0,
      stdout: `${path.join("go", "org.varlink.certification.varlink")}\n`,
      stderr: "",
    });
    const saved = await readFile(inDir("go", "org.varlink.certification.varlink"), "utf8");
    const sent = await description(go, "org.varlink.certification");
    expect(saved).toBe(sent);
    // Go wraps Test11 over several lines; the canonical format would not, so this is the raw text.
    expect(formatSource(saved)).not.toBe(saved);
    const validate = await runVarlink(sandbox, ["validate", inDir("go", "org.varlink.certification.varlink")]);
    expect(validate).toEqual({ code: 0, stdout: "", stderr: "" });
    expect((await runMain("varlink-codegen", ["go", "-o", "files"], { cwd: sandbox.dir })).code).toBe(0);
    expect((await runMain("varlink-codegen", [go, "-o", "live"], { cwd: sandbox.dir })).code).toBe(0);
    await expectSameCode("files", "live");
  });
});

describe("services that send what they should not", () => {
  async function raw(answers: Parameters<typeof startRawService>[1]): Promise<string> {
    const address = sandbox.socket("raw.sock");
    const server = await startRawService(address.slice("unix:".length), answers);
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return address;
  }

  it("a listed name that is not an interface name cannot become a path", async () => {
    const address = await raw({
      interfaces: ["../../escape"],
      descriptions: { "../../escape": "interface org.example.escape\nmethod A() -> ()\n" },
    });
    const result = await runVarlink(sandbox, ["introspect", "--save", "saved", address]);
    expect(result).toEqual({
      code: 3,
      stdout: "",
      stderr: 'varlink: protocol error: GetInfo lists "../../escape", which is not an interface name\n',
    });
    expect(await readdir(sandbox.dir)).not.toContain("saved");
  });

  it("a description of another interface than asked for is refused", async () => {
    const address = await raw({
      interfaces: ["org.example.a"],
      descriptions: { "org.example.a": "interface org.example.b\nmethod A() -> ()\n" },
    });
    const result = await runVarlink(sandbox, ["introspect", "--save", "saved", address]);
    expect(result).toMatchObject({
      code: 3,
      stderr:
        "varlink: protocol error: asked for the description of org.example.a, the service sent that of org.example.b\n",
    });
  });

  it("a description this parser refuses is saved as sent, after a warning", async () => {
    const text = "interface org.example.lax\nmethod A() -> (x: Undefined)";
    const address = await raw({ interfaces: ["org.example.lax"], descriptions: { "org.example.lax": text } });
    const result = await runVarlink(sandbox, ["introspect", "--save", "saved", address]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^varlink: warning: org\.example\.lax is saved as sent, it does not parse: /);
    expect(await readFile(inDir("saved", "org.example.lax.varlink"), "utf8")).toBe(text);
  });

  it("an unreachable service exits 3 and writes nothing", async () => {
    // A name with a dot: a missing socket, not the interface `nothing.sock` at DIR.
    const missing = sandbox.socket("nothing.sock");
    const result = await runVarlink(sandbox, ["introspect", "--save", "saved", missing]);
    expect(result).toEqual({ code: 3, stdout: "", stderr: `varlink: cannot connect to ${missing}: no such socket\n` });
    expect(await readdir(sandbox.dir)).not.toContain("saved");
  });
});

/** The two output directories hold the same files, equal but for the header's first line. */
async function expectSameCode(fromFiles: string, live: string): Promise<void> {
  const names = (await readdir(inDir(fromFiles))).sort();
  expect((await readdir(inDir(live))).sort()).toEqual(names);
  for (const name of names) {
    const a = await readFile(inDir(fromFiles, name), "utf8");
    const b = await readFile(inDir(live, name), "utf8");
    expect(b.slice(b.indexOf("\n"))).toBe(a.slice(a.indexOf("\n")));
  }
}
