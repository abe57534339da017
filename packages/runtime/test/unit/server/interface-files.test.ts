/**
 * `interfaceDir` and `addInterfaceFile`: interfaces loaded from `.varlink` files by name, as the
 * Python binding's `Service(interface_dir=…)` with `@service.interface(name)`.
 */
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VarlinkService, type ServiceOptions } from "@varlink-ts/runtime";
import { VarlinkSyntaxError } from "@varlink-ts/runtime/idl";

const INFO = { vendor: "Example", product: "Files", version: "1", url: "https://example.org" };
const PING = "# Answers.\ninterface org.example.ping\n\nmethod Ping(ping: string) -> (pong: string)\n";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "varlink-interface-dir-"));
  await writeFile(path.join(dir, "org.example.ping.varlink"), PING);
  // Line 3, column 8: a method name must start with an upper-case letter.
  await writeFile(path.join(dir, "org.example.broken.varlink"), "interface org.example.broken\n\nmethod ping() -> ()\n");
  await writeFile(path.join(dir, "org.example.other.varlink"), PING);
  await mkdir(path.join(dir, "sub"));
  await writeFile(path.join(dir, "sub", "ping.varlink"), PING);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function service(options: ServiceOptions = { interfaceDir: dir }): VarlinkService {
  return new VarlinkService(INFO, options);
}

/** The replies `service` gives `call`, parsed. */
async function replies(target: VarlinkService, call: object): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const message of target.handle(JSON.stringify(call))) out.push(JSON.parse(message));
  return out;
}

describe("addInterfaceFile", () => {
  it("loads NAME.varlink from interfaceDir and serves it", async () => {
    const s = service().addInterfaceFile("org.example.ping", { Ping: ({ ping }: { ping: string }) => ({ pong: ping }) });
    expect(await replies(s, { method: "org.example.ping.Ping", parameters: { ping: "hi" } })).toEqual([
      { parameters: { pong: "hi" } },
    ]);
    // The description is the file's text, comments included.
    expect(await replies(s, { method: "org.varlink.service.GetInterfaceDescription", parameters: { interface: "org.example.ping" } })).toEqual([
      { parameters: { description: PING } },
    ]);
  });

  it("takes interfaceDir as a file: URL", async () => {
    const s = service({ interfaceDir: pathToFileURL(`${dir}/`) }).addInterfaceFile("org.example.ping", {});
    expect(await replies(s, { method: "org.example.ping.Ping", parameters: { ping: "x" } })).toEqual([
      { error: "org.varlink.service.MethodNotImplemented", parameters: { method: "Ping" } },
    ]);
  });

  it("reports a syntax error with the file, line and column", () => {
    const file = path.join(dir, "org.example.broken.varlink");
    let caught: unknown;
    try {
      service().addInterfaceFile("org.example.broken", {});
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(VarlinkSyntaxError);
    const error = caught as VarlinkSyntaxError;
    expect(error.file).toBe(file);
    expect([error.line, error.column]).toEqual([3, 8]);
    expect(error.message.startsWith(`${file}:3:8: `)).toBe(true);
  });

  it("refuses a file that declares another interface than its name", () => {
    expect(() => service().addInterfaceFile("org.example.other", {})).toThrow(
      new TypeError(`${path.join(dir, "org.example.other.varlink")} defines the interface org.example.ping, not org.example.other`),
    );
  });

  it("throws fs's error, naming the path, for a missing file", () => {
    let caught: unknown;
    try {
      service().addInterfaceFile("org.example.missing", {});
    } catch (error) {
      caught = error;
    }
    expect((caught as NodeJS.ErrnoException).code).toBe("ENOENT");
    expect((caught as Error).message).toContain(path.join(dir, "org.example.missing.varlink"));
  });

  it("takes a name with a slash as a path, relative to interfaceDir, without a name check", async () => {
    const s = service().addInterfaceFile("./sub/ping.varlink", { Ping: () => ({ pong: "p" }) });
    expect(await replies(s, { method: "org.example.ping.Ping", parameters: { ping: "" } })).toEqual([{ parameters: { pong: "p" } }]);
    const absolute = service({}).addInterfaceFile(path.join(dir, "sub", "ping.varlink"), {});
    expect(await replies(absolute, { method: "org.varlink.service.GetInfo" })).toMatchObject([
      { parameters: { interfaces: ["org.varlink.service", "org.example.ping"] } },
    ]);
  });

  it("refuses a name without interfaceDir, and anything that is neither a name nor a path", () => {
    expect(() => service({}).addInterfaceFile("org.example.ping", {})).toThrow(/no interfaceDir/);
    expect(() => service().addInterfaceFile("..", {})).toThrow(TypeError);
    expect(() => service().addInterfaceFile("ping", {})).toThrow(/neither an interface name nor a path/);
  });

  it("refuses a second interface of the same name, as addInterface does", () => {
    const s = service().addInterfaceFile("org.example.ping", {});
    expect(() => s.addInterfaceFile("./sub/ping.varlink", {})).toThrow(Error);
  });
});
