/**
 * Certification against a real peer this project did not write: the Go implementation's
 * `varlink-go-certification` (Debian's varlink-go) against this project's client and server (the
 * `certification` executable), each direction over a unix socket path, an abstract unix socket and
 * TCP. Needs the built dist/ (`npx tsc -b`) and varlink-go-certification on PATH.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  abstractName,
  EXACT_ABSTRACT_NAMES,
  expectClientCertified,
  freePort,
  GO_CERTIFICATION,
  startGoCertification,
  startServer,
  useSandbox,
} from "@varlink-ts/test-kit";

/** This project's certification program (the sh launcher of dist/main.js). */
const CERTIFICATION = fileURLToPath(new URL("../certification", import.meta.url));

const sandbox = useSandbox();

/** A transport: where our server listens (it may pick the port) and where the Go server does. */
interface Transport {
  readonly name: string;
  ours(): Promise<string>;
  go(): Promise<string>;
  /** False where this Node cannot reach other implementations' sockets (see the tests). */
  readonly reachesOthers: boolean;
}

const TRANSPORTS: readonly Transport[] = [
  {
    name: "a unix socket path",
    ours: async () => `unix:${join(await sandbox.tempDir(), "certification.sock")}`,
    go: async () => `unix:${join(await sandbox.tempDir(), "certification.sock")}`,
    reachesOthers: true,
  },
  {
    name: "an abstract unix socket",
    ours: () => Promise.resolve(`unix:@${abstractName("varlink-ts-certification")}`),
    go: () => Promise.resolve(`unix:@${abstractName("varlink-ts-certification")}`),
    reachesOthers: EXACT_ABSTRACT_NAMES,
  },
  {
    name: "TCP on 127.0.0.1",
    ours: () => Promise.resolve("tcp:127.0.0.1:0"),
    go: async () => `tcp:127.0.0.1:${await freePort()}`,
    reachesOthers: true,
  },
];

describe.each(TRANSPORTS)("certification over $name", (transport) => {
  if (transport.reachesOthers) {
    it("this project's client passes against the Go server", async () => {
      const address = await transport.go();
      await startGoCertification(sandbox, address);
      const client = sandbox.spawn(CERTIFICATION, ["--client", `--varlink=${address}`]);
      await expectClientCertified(client);
      expect(client.stderr()).toBe("");
    });

    it("the Go client passes against this project's server", async () => {
      const { address } = await startServer(sandbox, CERTIFICATION, [`--varlink=${await transport.ours()}`]);
      const client = sandbox.spawn(GO_CERTIFICATION, ["--client", `--varlink=${address}`]);
      // The Go client exits 0 even when it fails; its output tells.
      expect(await client.exited).toBe(0);
      expect(client.stdout()).toMatch(/^Start: '[^']+'\nTest01: 'true'\n/);
      expect(client.stdout()).toContain("  Receive: 'Reply number 10'\n");
      expect(client.stdout().endsWith("End: 'true'\n")).toBe(true);
    });
  } else {
    // Node 20 ships libuv 1.46, which binds and connects `\0NAME` with the whole 108-byte
    // sun_path, the name padded with NUL bytes (fixed in libuv 1.48, Node 22), while other
    // implementations use the exact name: the two never meet. These tests pin that down, so that
    // a change is noticed; on a newer Node the two tests above run instead.
    it("this project's client cannot reach the Go server (Node pads abstract names)", async () => {
      const address = await transport.go();
      await startGoCertification(sandbox, address);
      const client = sandbox.spawn(CERTIFICATION, ["--client", `--varlink=${address}`]);
      expect(await client.exited).toBe(1);
      expect(client.stdout()).toBe("");
      expect(client.stderr()).toMatch(/^certification: connect failed: .*connection refused/);
    });

    it("the Go client cannot reach this project's server (Node pads abstract names)", async () => {
      const { address } = await startServer(sandbox, CERTIFICATION, [`--varlink=${await transport.ours()}`]);
      const client = sandbox.spawn(GO_CERTIFICATION, ["--client", `--varlink=${address}`]);
      await client.exited;
      expect(client.stdout()).toBe("Failed to connect\n");
    });
  }
});
