/**
 * The certification executable's behaviour a user relies on besides a passing run: the client
 * stops at the first failing step with a message and a non-zero exit, refuses to certify when End
 * says `all_ok: false`, and both modes report wrong usage and unreachable addresses clearly.
 * The failing servers here are in-process services built on the generated `descriptor`.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { VarlinkService } from "@varlink-ts/runtime";
import { describe, expect, it } from "vitest";
import {
  CertificationError,
  descriptor,
  type Handlers,
  type MyType,
} from "./src/gen/org.varlink.certification.js";
import { startServer, useSandbox } from "@varlink-ts/test-kit";

/** This project's certification program (the sh launcher of dist/main.js). */
const CERTIFICATION = fileURLToPath(new URL("./certification", import.meta.url));

const sandbox = useSandbox();

const MYTYPE: MyType = {
  object: {},
  enum: "one",
  struct: { first: 1, second: "2" },
  array: [],
  dictionary: {},
  stringset: {},
  interface: { anon: { foo: true, bar: false } },
};

/** A service that answers every step with some valid reply and End with `all_ok: false`. */
const UNCERTIFYING: Handlers = {
  start: () => ({ client_id: "only" }),
  test01: () => ({ bool: true }),
  test02: () => ({ int: 1 }),
  test03: () => ({ float: 1 }),
  test04: () => ({ string: "ping" }),
  test05: () => ({ bool: false, int: 2, float: 3, string: "s" }),
  test06: () => ({ struct: { bool: false, int: 2, float: 3, string: "s" } }),
  test07: () => ({ map: {} }),
  test08: () => ({ set: {} }),
  test09: () => ({ mytype: MYTYPE }),
  test10: async function* () {
    yield { string: "only reply" };
  },
  test11: () => undefined,
  end: () => ({ all_ok: false }),
};

/** Serves `handlers` in this process on a fresh unix socket; returns its address. */
async function serve(handlers: Partial<Handlers>): Promise<string> {
  const service = new VarlinkService({ vendor: "test", product: "test", version: "1", url: "test" });
  service.addInterface(descriptor, handlers);
  sandbox.track(service);
  const listener = await service.listen(`unix:${join(await sandbox.tempDir(), "test.sock")}`);
  return listener.address;
}

describe("the client", () => {
  it("stops at the first refused step, names it and the error, and exits 1", async () => {
    const address = await serve({
      ...UNCERTIFYING,
      test02: () => {
        throw new CertificationError({ wants: { bool: true }, got: { bool: false } });
      },
    });
    const client = sandbox.spawn(CERTIFICATION, ["--client", `--varlink=${address}`]);
    expect(await client.exited).toBe(1);
    expect(client.stdout()).toBe('Start: "only"\nTest01: true\n');
    expect(client.stderr()).toBe(
      "certification: Test02 failed: org.varlink.certification.CertificationError " +
        '{"wants":{"bool":true},"got":{"bool":false}}\n',
    );
  });

  it("exits 1 when End answers all_ok false", async () => {
    const client = sandbox.spawn(CERTIFICATION, ["--client", `--varlink=${await serve(UNCERTIFYING)}`]);
    expect(await client.exited).toBe(1);
    expect(client.stdout()).toMatch(/\nTest10: "only reply"\nTest11: sent oneway, no reply\nEnd: false\n$/);
    expect(client.stderr()).toMatch(/^certification: End answered all_ok: false/);
  });

  it("exits 1 with the reason when nothing listens at the address", async () => {
    const client = sandbox.spawn(CERTIFICATION, ["--client", `--varlink=unix:${join(await sandbox.tempDir(), "absent.sock")}`]);
    expect(await client.exited).toBe(1);
    expect(client.stdout()).toBe("");
    expect(client.stderr()).toMatch(/^certification: connect failed: .*absent\.sock.*\n$/);
  });

  it("exits 2 with the usage for a command line it cannot run", async () => {
    for (const args of [["--client"], ["--client", "--varlink=unix:/x", "--bridge=cat"], ["--what"]]) {
      const client = sandbox.spawn(CERTIFICATION, args);
      expect(await client.exited).toBe(2);
      expect(client.stderr()).toMatch(/^certification: .+\nusage: certification --varlink=ADDRESS/);
    }
    const help = sandbox.spawn(CERTIFICATION, ["--help"]);
    expect(await help.exited).toBe(0);
    expect(help.stdout()).toMatch(/^usage: certification --varlink=ADDRESS/);
  });
});

describe("the server", () => {
  it("stops on SIGTERM with exit 0 and removes its socket file", async () => {
    const path = join(await sandbox.tempDir(), "certification.sock");
    const { server } = await startServer(sandbox, CERTIFICATION, [`--varlink=unix:${path}`]);
    expect(existsSync(path)).toBe(true);
    server.process.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(existsSync(path)).toBe(false);
  });

  it("exits 2 when it has nothing to serve and 1 when it cannot listen", async () => {
    const idle = sandbox.spawn(CERTIFICATION, []);
    expect(await idle.exited).toBe(2);
    expect(idle.stderr()).toMatch(/^certification: nothing to serve/);

    const nowhere = sandbox.spawn(CERTIFICATION, [`--varlink=unix:${join(await sandbox.tempDir(), "missing", "x.sock")}`]);
    expect(await nowhere.exited).toBe(1);
    expect(nowhere.stderr()).toMatch(/^certification: .*missing/);
  });
});
