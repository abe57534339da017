/**
 * Certification of this project's client against this project's server (the `certification`
 * executable, built from generated code) over a unix socket path, an abstract unix socket and TCP,
 * and through `exec:` socket activation and a bridge command. Against the Go implementation:
 * interop/go-certification.test.ts. Needs the built dist/ (`npx tsc -b`).
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { abstractName, expectClientCertified, startServer, useSandbox } from "@varlink-ts/test-kit";

/** This project's certification program (the sh launcher of dist/main.js). */
const CERTIFICATION = fileURLToPath(new URL("./certification", import.meta.url));

const sandbox = useSandbox();

/** Where our server listens (it may pick the port). */
const TRANSPORTS: readonly { name: string; ours(): Promise<string> }[] = [
  { name: "a unix socket path", ours: async () => `unix:${join(await sandbox.tempDir(), "certification.sock")}` },
  { name: "an abstract unix socket", ours: () => Promise.resolve(`unix:@${abstractName("varlink-ts-certification")}`) },
  { name: "TCP on 127.0.0.1", ours: () => Promise.resolve("tcp:127.0.0.1:0") },
];

describe.each(TRANSPORTS)("certification over $name", (transport) => {
  it("this project's client passes against this project's server", async () => {
    const { address } = await startServer(sandbox, CERTIFICATION, [`--varlink=${await transport.ours()}`]);
    const client = sandbox.spawn(CERTIFICATION, ["--client", `--varlink=${address}`]);
    await expectClientCertified(client);
    expect(client.stderr()).toBe("");
  });
});

describe("certification through a started server", () => {
  it("passes over exec: socket activation (the client starts the server)", async () => {
    const client = sandbox.spawn(CERTIFICATION, ["--client", `--varlink=exec:${CERTIFICATION}`]);
    await expectClientCertified(client);
    // The activated server's stdout goes to the client's stderr: it served the inherited socket.
    expect(client.stderr()).toMatch(/^Listening on unix:\S+\/varlink\.sock\n$/);
  });

  it("passes over a bridge command whose stdin and stdout carry the connection", async () => {
    const client = sandbox.spawn(CERTIFICATION, ["--client", `--bridge=${CERTIFICATION} --stdio`]);
    await expectClientCertified(client);
    expect(client.stderr()).toBe("");
  });
});
