/**
 * Node's client through a bridge that wants more than a URL: mutual TLS with a private CA, and a
 * bearer token in the `Authorization` header (`connect(url, { tls, headers })`), against
 * `serveHttp` with certificates made by `openssl` for the test. Also where these options are
 * refused rather than ignored: other addresses, `ws://`, and the browser's `connect`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { connect, ConnectionError, VarlinkService, type Connection } from "@varlink-ts/runtime";
import { serveHttp, type HttpBridge } from "@varlink-ts/runtime/http";
import { openStream } from "@varlink-ts/runtime/transport";
import { makeCertificates, type Certificates } from "@varlink-ts/test-kit";
import { connect as browserConnect } from "../../src/browser/connect.js";

const IDL = "interface org.example.tls\nmethod Echo(text: string) -> (text: string)\n";
const TOKEN = "s3cret-token";

let pem: Certificates;
let service: VarlinkService;
let bridge: HttpBridge;
let url: string;

beforeAll(async () => {
  pem = await makeCertificates();
  service = new VarlinkService({ vendor: "Test", product: "tls", version: "1", url: "https://example.org" });
  service.addInterface(IDL, { Echo: ({ text }: { text: string }) => ({ text }) });
  bridge = await serveHttp({
    services: { "org.example.tls": service },
    tls: { cert: pem.serverCert, key: pem.serverKey, ca: pem.ca },
    tokens: [TOKEN],
  });
  url = `${bridge.url}ws/services/org.example.tls`.replace(/^https:/, "wss:");
});

afterAll(async () => {
  await bridge?.close();
  await service?.close({ grace: 0 });
  await pem?.remove();
});

async function echo(client: Connection, text: string): Promise<unknown> {
  try {
    return await client.call("org.example.tls.Echo", { text });
  } finally {
    client.close();
  }
}

describe("connect with tls and headers", () => {
  it("presents the client certificate, trusts the private CA and sends the token", async () => {
    const client = await connect(url, {
      tls: { ca: pem.ca, cert: pem.clientCert, key: pem.clientKey },
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(await echo(client, "mutual")).toEqual({ text: "mutual" });
  });

  it("takes the PEM as bytes too, and an https:// address", async () => {
    const bytes = (text: string): Uint8Array => new Uint8Array(new TextEncoder().encode(text));
    const client = await connect(url.replace(/^wss:/, "https:"), {
      tls: { ca: bytes(pem.ca), cert: Buffer.from(pem.clientCert), key: bytes(pem.clientKey) },
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(await echo(client, "bytes")).toEqual({ text: "bytes" });
  });

  it("is refused by the bridge without the client certificate", async () => {
    const error = await connect(url, { tls: { ca: pem.ca }, headers: { Authorization: `Bearer ${TOKEN}` } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).code).toBe("io");
    expect((error as Error).message).toContain(`cannot connect to ${url}`);
    // TLS 1.3 refuses after the client's handshake: the upgrade request meets the bridge's alert.
    expect((error as Error).message).toMatch(/certificate required|ECONNRESET|socket hang up/);
  });

  it("does not trust the bridge without the CA", async () => {
    const error = await connect(url, {
      tls: { cert: pem.clientCert, key: pem.clientKey },
      headers: { Authorization: `Bearer ${TOKEN}` },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/certificate/i);
  });

  it("gets the bridge's 401 without the token, and opens with it in the URL instead", async () => {
    const tls = { ca: pem.ca, cert: pem.clientCert, key: pem.clientKey };
    await expect(connect(url, { tls })).rejects.toMatchObject({
      code: "io",
      message: expect.stringContaining("HTTP 401: a bearer token is required"),
    });
    const client = await connect(`${url}?access_token=${TOKEN}`, { tls });
    expect(await echo(client, "query")).toEqual({ text: "query" });
  });
});

describe("tls and headers where they cannot apply", () => {
  it("are refused for addresses other than WebSocket ones, tls for ws://, a cert without its key", async () => {
    await expect(openStream("unix:/run/nothing-here", { headers: { Authorization: "Bearer x" } })).rejects.toThrow(
      /apply to ws:\/\/, wss:\/\/, http:\/\/ and https:\/\/ addresses only, not to unix:\/run\/nothing-here/,
    );
    await expect(connect("tcp:127.0.0.1:1", { tls: { ca: pem.ca } })).rejects.toBeInstanceOf(TypeError);
    await expect(connect("ws://127.0.0.1:1/ws/services/a.b?access_token=s3cret", { tls: { ca: pem.ca } })).rejects.toThrow(
      "tls applies to wss:// and https:// addresses only, not to ws://127.0.0.1:1/ws/services/a.b?access_token=REDACTED",
    );
    await expect(connect(url, { tls: { ca: pem.ca, cert: pem.clientCert } })).rejects.toThrow(
      "tls.cert and tls.key go together",
    );
  });

  it("make the browser's connect throw a TypeError: its WebSocket takes neither", async () => {
    const global = globalThis as { WebSocket?: unknown };
    const before = global.WebSocket;
    global.WebSocket = WebSocket;
    try {
      await expect(browserConnect(url, { headers: { Authorization: `Bearer ${TOKEN}` } })).rejects.toThrow(TypeError);
      await expect(browserConnect(url, { tls: { ca: pem.ca } })).rejects.toThrow(/options\.tls/);
    } finally {
      global.WebSocket = before;
    }
  });
});
