/**
 * Who may use the bridge: bearer tokens (header, or `access_token` on WebSocket upgrades),
 * browser origins and CORS, body limits, HTTPS and mutual TLS with certificates made by the
 * `openssl` command for each test, and the warning for a bridge exposed without authentication.
 */
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { Harness, json, openFrames, post, refusedUpgrade, send, WEB, wsUrl, type HttpAnswer } from "./harness.js";

const run = promisify(execFile);
const harness = new Harness();
afterEach(() => harness.cleanup());

const PING = `call/${WEB}.Ping`;

describe("bearer tokens", () => {
  it("answers 401 with WWW-Authenticate without a token or with a wrong one", async () => {
    const { bridge } = await harness.webBridge({ tokens: ["s3cret", "other"] });
    const without = await post(`${bridge.url}${PING}`, { ping: "x" });
    expect(without.status).toBe(401);
    expect(without.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(json(without)).toEqual({ message: "a bearer token is required" });
    const wrong = await post(`${bridge.url}${PING}`, { ping: "x" }, { Authorization: "Bearer s3cre" });
    expect(wrong.status).toBe(401);
    expect(wrong.headers["www-authenticate"]).toMatch(/invalid_token/);
    // The query parameter is for WebSocket upgrades only.
    expect((await post(`${bridge.url}${PING}?access_token=s3cret`, { ping: "x" })).status).toBe(401);
    expect((await send(`${bridge.url}health`)).status).toBe(401);
  });

  it("answers 200 with an accepted token in the Authorization header", async () => {
    const { bridge } = await harness.webBridge({ tokens: ["s3cret", "other"] });
    for (const token of ["s3cret", "other"]) {
      const answer = await post(`${bridge.url}${PING}`, { ping: token }, { Authorization: `Bearer ${token}` });
      expect(answer.status).toBe(200);
      expect(json(answer)).toEqual({ pong: token });
    }
    expect((await send(`${bridge.url}services`, { headers: { Authorization: "bearer s3cret" } })).status).toBe(200);
  });

  it("opens a WebSocket with access_token or the header, and refuses one without", async () => {
    const { bridge } = await harness.webBridge({ tokens: ["s3cret"] });
    const url = wsUrl(bridge, `ws/services/${WEB}`);
    const refused = await refusedUpgrade(harness, url);
    expect(refused.status).toBe(401);
    expect(refused.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect((await refusedUpgrade(harness, `${url}?access_token=wrong`)).status).toBe(401);
    for (const client of [
      await openFrames(harness, `${url}?access_token=s3cret`),
      await openFrames(harness, url, { headers: { Authorization: "Bearer s3cret" } }),
    ]) {
      client.send(`{"method":"${WEB}.Ping","parameters":{"ping":"ok"}}\0`);
      expect((await client.frameCount(1))[0]?.toString("utf8")).toBe('{"parameters":{"pong":"ok"}}\0');
    }
  });
});

describe("origins", () => {
  const ALLOWED = "http://localhost:5173";

  it("refuses requests from other origins with 403, and lets those without Origin pass", async () => {
    const { bridge } = await harness.webBridge({ allowOrigins: [ALLOWED] });
    const refused = await post(`${bridge.url}${PING}`, { ping: "x" }, { Origin: "http://evil.example" });
    expect(refused.status).toBe(403);
    expect(json(refused)).toEqual({ message: 'requests from origin "http://evil.example" are not allowed' });
    expect((await send(`${bridge.url}services/${WEB}`, { headers: { Origin: "null" } })).status).toBe(403);
    expect((await post(`${bridge.url}${PING}`, { ping: "no origin" })).status).toBe(200);
  });

  it("refuses every browser origin when none is allowed", async () => {
    const { bridge } = await harness.webBridge();
    expect((await post(`${bridge.url}${PING}`, { ping: "x" }, { Origin: ALLOWED })).status).toBe(403);
  });

  it("answers an allowed origin with CORS headers, and its preflight", async () => {
    const { bridge } = await harness.webBridge({ allowOrigins: [`${ALLOWED}/`], tokens: ["t"] });
    const preflight = await send(`${bridge.url}${PING}`, {
      method: "OPTIONS",
      headers: { Origin: ALLOWED, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers["access-control-allow-origin"]).toBe(ALLOWED);
    expect(preflight.headers["access-control-allow-methods"]).toContain("POST");
    expect(preflight.headers["access-control-allow-headers"]?.toLowerCase()).toContain("authorization");
    const answer = await post(`${bridge.url}${PING}`, { ping: "cors" }, { Origin: ALLOWED, Authorization: "Bearer t" });
    expect(answer.status).toBe(200);
    expect(answer.headers["access-control-allow-origin"]).toBe(ALLOWED);
    expect(answer.headers.vary).toBe("Origin");
    const otherPreflight = await send(`${bridge.url}${PING}`, {
      method: "OPTIONS",
      headers: { Origin: "http://evil.example", "Access-Control-Request-Method": "POST" },
    });
    expect(otherPreflight.status).toBe(403);
    expect(otherPreflight.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("refuses WebSocket upgrades from other origins with 403 and accepts allowed ones", async () => {
    const { bridge } = await harness.webBridge({ allowOrigins: [ALLOWED] });
    const url = wsUrl(bridge, `ws/services/${WEB}`);
    expect((await refusedUpgrade(harness, url, { origin: "http://evil.example" })).status).toBe(403);
    const client = await openFrames(harness, url, { origin: ALLOWED });
    client.send(`{"method":"${WEB}.Ping","parameters":{"ping":"browser"}}\0`);
    expect((await client.frameCount(1))[0]?.toString("utf8")).toBe('{"parameters":{"pong":"browser"}}\0');
  });
});

describe("body size", () => {
  it("answers 413 for a body larger than maxMessageSize, declared by Content-Length", async () => {
    const { bridge } = await harness.webBridge({ maxMessageSize: 1024 });
    const answer = await post(`${bridge.url}${PING}`, { ping: "x".repeat(2000) });
    expect(answer.status).toBe(413);
    expect(json(answer)).toEqual({ message: "the request body is larger than 1024 bytes" });
    expect(json(await post(`${bridge.url}${PING}`, { ping: "x".repeat(900) }))).toEqual({ pong: "x".repeat(900) });
  });

  it("answers 413 for a chunked body that grows past maxMessageSize", async () => {
    const { bridge } = await harness.webBridge({ maxMessageSize: 1024 });
    const answer = await new Promise<HttpAnswer>((resolve, reject) => {
      const outgoing = request(`${bridge.url}${PING}`, { method: "POST", agent: false }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const body = Buffer.concat(chunks);
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body, text: body.toString("utf8") });
        });
      });
      outgoing.on("error", reject);
      outgoing.write(`{"ping":"${"x".repeat(700)}`);
      outgoing.end(`${"y".repeat(700)}"}`);
    });
    expect(answer.status).toBe(413);
  });
});

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made by openssl in `dir`. */
async function certificates(dir: string): Promise<Record<"ca" | "serverCert" | "serverKey" | "clientCert" | "clientKey", string>> {
  const file = (name: string): string => join(dir, name);
  const key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await run("openssl", [
    "req", "-x509", ...key, "-keyout", file("ca.key"), "-out", file("ca.pem"), "-days", "2", "-subj", "/CN=Bridge Test CA",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  for (const [name, extensions] of [
    ["server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"],
    ["client", "extendedKeyUsage=clientAuth\n"],
  ] as const) {
    await writeFile(file(`${name}.ext`), extensions);
    await run("openssl", ["req", ...key, "-keyout", file(`${name}.key`), "-out", file(`${name}.csr`), "-subj", `/CN=${name}`]);
    await run("openssl", [
      "x509", "-req", "-in", file(`${name}.csr`), "-CA", file("ca.pem"), "-CAkey", file("ca.key"), "-CAcreateserial",
      "-out", file(`${name}.pem`), "-days", "2", "-extfile", file(`${name}.ext`),
    ]);
  }
  const read = (name: string): Promise<string> => readFile(file(name), "utf8");
  return {
    ca: await read("ca.pem"),
    serverCert: await read("server.pem"),
    serverKey: await read("server.key"),
    clientCert: await read("client.pem"),
    clientKey: await read("client.key"),
  };
}

describe("TLS", () => {
  it("serves HTTPS and WSS", async () => {
    const pem = await certificates(await harness.tempDir());
    const { bridge } = await harness.webBridge({ tls: { cert: pem.serverCert, key: pem.serverKey } });
    expect(bridge.url).toBe(`https://127.0.0.1:${bridge.port}/`);
    const answer = await send(`${bridge.url}${PING}`, { method: "POST", body: '{"ping":"tls"}', tls: { ca: pem.ca } });
    expect(json(answer)).toEqual({ pong: "tls" });
    const client = await openFrames(harness, wsUrl(bridge, `ws/services/${WEB}`), { ca: pem.ca });
    expect(client.socket.url.startsWith("wss://")).toBe(true);
    client.send(`{"method":"${WEB}.Ping","parameters":{"ping":"wss"}}\0`);
    expect((await client.frameCount(1))[0]?.toString("utf8")).toBe('{"parameters":{"pong":"wss"}}\0');
  });

  it("with a CA, refuses clients without a certificate signed by it and accepts those with one", async () => {
    const dir = await harness.tempDir();
    const pem = await certificates(dir);
    const { bridge } = await harness.webBridge({ tls: { cert: pem.serverCert, key: pem.serverKey, ca: Buffer.from(pem.ca) } });
    const body = '{"ping":"mutual"}';
    // TLS 1.3 refuses after the client's handshake: the first read gets the server's alert.
    await expect(send(`${bridge.url}${PING}`, { method: "POST", body, tls: { ca: pem.ca } })).rejects.toThrow(
      /certificate required|ECONNRESET|socket hang up/,
    );
    // A certificate from another CA is refused as well.
    const stranger = await certificates(await harness.tempDir());
    await expect(
      send(`${bridge.url}${PING}`, { method: "POST", body, tls: { ca: pem.ca, cert: stranger.clientCert, key: stranger.clientKey } }),
    ).rejects.toThrow(/unknown ca|certificate|ECONNRESET|socket hang up/);
    const answer = await send(`${bridge.url}${PING}`, { method: "POST", body, tls: { ca: pem.ca, cert: pem.clientCert, key: pem.clientKey } });
    expect(answer.status).toBe(200);
    expect(json(answer)).toEqual({ pong: "mutual" });
    const client = await openFrames(harness, wsUrl(bridge, `ws/services/${WEB}`), { ca: pem.ca, cert: pem.clientCert, key: pem.clientKey });
    client.send(`{"method":"${WEB}.Ping","parameters":{"ping":"mutual wss"}}\0`);
    expect((await client.frameCount(1))[0]?.toString("utf8")).toBe('{"parameters":{"pong":"mutual wss"}}\0');
  });
});

describe("exposure", () => {
  it("binds loopback by default, without a warning", async () => {
    const { bridge } = await harness.webBridge();
    expect(bridge.url).toBe(`http://127.0.0.1:${bridge.port}/`);
    expect(harness.logs).toEqual([]);
  });

  it("warns once when listening beyond loopback without authentication", async () => {
    await harness.webBridge({ host: "0.0.0.0" });
    expect(harness.logs).toHaveLength(1);
    expect(harness.logs[0]).toMatch(/not loopback, without tokens or client certificates/);
  });

  it("does not warn beyond loopback with tokens over TLS", async () => {
    const pem = await certificates(await harness.tempDir());
    await harness.webBridge({ host: "0.0.0.0", tokens: ["t"], tls: { cert: pem.serverCert, key: pem.serverKey } });
    expect(harness.logs).toEqual([]);
  });
});

describe("options", () => {
  it.each([
    [{ port: 70000 }, /port/],
    [{ maxMessageSize: 0 }, /maxMessageSize/],
    [{ tokens: [""] }, /token/],
    [{ tokens: [] }, /tokens/],
    [{ services: { "a/b": "unix:/x" } }, /service names/],
    [{ services: { a: "nonsense" } }, /address of service a/],
    [{ basePath: "/a b/" }, /basePath/],
  ])("refuses %o with a TypeError", async (options, message) => {
    await expect(harness.bridge(options)).rejects.toThrow(message);
    await expect(harness.bridge(options)).rejects.toBeInstanceOf(TypeError);
  });
});
