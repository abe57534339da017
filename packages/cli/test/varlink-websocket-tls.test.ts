/**
 * `varlink` against a bridge that wants a client certificate and a token: `--tls-ca`,
 * `--tls-cert`, `--tls-key` and `--bearer-token-file`, against `serveHttp` with mutual TLS and tokens
 * (certificates made by `openssl` for the test). And a token in the URL never shown on stderr.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VarlinkService } from "@varlink-ts/runtime";
import { serveHttp, type HttpBridge } from "@varlink-ts/runtime/http";
import { makeCertificates, runBin, type Certificates, type RunResult } from "@varlink-ts/test-kit";

const IDL = "interface org.example.tls\nmethod Echo(text: string) -> (text: string)\n";
const TOKEN = "s3cret-token";

let pem: Certificates;
let service: VarlinkService;
/** With mutual TLS and a token. */
let secured: HttpBridge;
/** Plain HTTP, with a token. */
let plain: HttpBridge;
let bearerTokenFile: string;

beforeAll(async () => {
  pem = await makeCertificates();
  bearerTokenFile = join(pem.dir, "token");
  await writeFile(bearerTokenFile, `${TOKEN}\n`);
  service = new VarlinkService({ vendor: "Test", product: "tls", version: "1", url: "https://example.org" });
  service.addInterface(IDL, { Echo: ({ text }: { text: string }) => ({ text }) });
  secured = await serveHttp({
    services: { "org.example.tls": service },
    tls: { cert: pem.serverCert, key: pem.serverKey, ca: pem.ca },
    tokens: [TOKEN],
  });
  plain = await serveHttp({ services: { "org.example.tls": service }, tokens: [TOKEN] });
});

afterAll(async () => {
  await secured?.close();
  await plain?.close();
  await service?.close({ grace: 0 });
  await pem?.remove();
});

function varlink(args: readonly string[]): Promise<RunResult> {
  return runBin("varlink", args, { cwd: pem.dir });
}

const url = (bridge: HttpBridge): string => `${bridge.url}ws/services/org.example.tls`;

describe("varlink with --tls-ca, --tls-cert, --tls-key and --bearer-token-file", () => {
  it("calls through a bridge with mutual TLS and a token", async () => {
    const tls = ["--tls-ca", pem.files.ca, "--tls-cert", pem.files.clientCert, "--tls-key", pem.files.clientKey];
    const result = await varlink([...tls, "--bearer-token-file", bearerTokenFile, "call", "-j", url(secured), "org.example.tls.Echo", '{"text":"mutual"}']);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ text: "mutual" });
    // The options also work after the command, and for info.
    const info = await varlink(["info", url(secured).replace(/^https:/, "wss:"), ...tls, "--bearer-token-file", bearerTokenFile]);
    expect(info.stderr).toBe("");
    expect(info.stdout).toContain("org.example.tls");
  });

  it("is refused by the bridge without the client certificate (exit 3)", async () => {
    const result = await varlink(["--tls-ca", pem.files.ca, "--bearer-token-file", bearerTokenFile, "call", url(secured), "org.example.tls.Echo", '{"text":"x"}']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`cannot connect to ${url(secured).replace(/^https:/, "wss:")}`);
    expect(result.stderr).toMatch(/certificate required|ECONNRESET|socket hang up/);
  });

  it("gets 401 without the token (exit 3)", async () => {
    const result = await varlink(["--tls-ca", pem.files.ca, "--tls-cert", pem.files.clientCert, "--tls-key", pem.files.clientKey, "info", url(secured)]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("HTTP 401: a bearer token is required");
  });

  it("refuses them where they cannot apply, and unreadable files, before connecting (exit 2)", async () => {
    for (const [args, said] of [
      [["--tls-ca", pem.files.ca, "info", "unix:/run/nothing-here"], "--tls-ca: only for a ws://, wss://, http:// or https:// ADDRESS"],
      [["--bearer-token-file", bearerTokenFile, "--bridge", "true", "info"], "--bearer-token-file: only for a ws://, wss://, http:// or https:// ADDRESS"],
      [["--tls-ca", pem.files.ca, "info", url(plain)], "--tls-ca: only for a wss:// or https:// ADDRESS"],
      [["--tls-cert", pem.files.clientCert, "info", url(secured)], "--tls-cert and --tls-key go together"],
      [["--tls-ca", join(pem.dir, "missing.pem"), "info", url(secured)], `cannot read --tls-ca ${join(pem.dir, "missing.pem")}: no such file`],
    ] as const) {
      const result = await varlink(args);
      expect(result.stderr).toContain(said);
      expect(result.code).toBe(2);
    }
  });

  it("refuses a token file that holds more than one token, without showing it", async () => {
    const bad = join(pem.dir, "bad-token");
    await writeFile(bad, "first s3cret-second\n");
    const result = await varlink(["--bearer-token-file", bad, "info", url(plain)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--bearer-token-file ${bad}: expected one token`);
    expect(result.stderr).not.toContain("s3cret");
  });

  it("sends the token of --bearer-token-file over plain ws:// too", async () => {
    const result = await varlink(["--bearer-token-file", bearerTokenFile, "call", url(plain).replace(/^http:/, "ws:"), "org.example.tls.Echo", '{"text":"plain"}']);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({ text: "plain" });
  });
});

describe("a token in a ws:// ADDRESS", () => {
  it("is not printed when the bridge refuses it", async () => {
    const address = `${url(plain).replace(/^http:/, "ws:")}?access_token=wrong-s3cret`;
    const result = await varlink(["call", address, "org.example.tls.Echo", '{"text":"x"}']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("?access_token=REDACTED: HTTP 401: the bearer token is not accepted");
    expect(result.stderr).not.toContain("wrong-s3cret");
  });

  it("is not printed in the command's own messages", async () => {
    const address = `${url(plain)}?access_token=${TOKEN}`;
    const missing = await varlink(["call", address, "org.example.missing.Echo", "{}"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`${url(plain)}?access_token=REDACTED does not implement org.example.missing`);
    const combined = await varlink(["--bridge", "true", "info", address]);
    expect(combined.code).toBe(2);
    expect(combined.stderr).toContain("?access_token=REDACTED cannot be combined with --bridge");
    const fragment = await varlink(["info", `${address}#x`]);
    expect(fragment.code).toBe(2);
    for (const result of [missing, combined, fragment]) expect(result.stderr).not.toContain(TOKEN);
  });
});
