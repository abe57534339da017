/**
 * Who may use the bridge: bearer tokens (header, or `access_token` on WebSocket upgrades),
 * browser origins and CORS, body limits, HTTPS and mutual TLS with certificates made by the
 * `openssl` command for each test, and the warning for a bridge exposed without authentication.
 */
import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import {
  type HttpAnswer,
  json,
  makeCertificates,
  openFrames,
  post,
  refusedUpgrade,
  Sandbox,
  send,
  startBridge,
  WEB,
  webBridge,
  wsUrl,
} from "@varlink-ts/test-kit";

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

const PING = `call/${WEB}.Ping`;

describe("bearer tokens", () => {
  it("answers 401 with WWW-Authenticate without a token or with a wrong one", async () => {
    const { bridge } = await webBridge(sandbox, { tokens: ["s3cret", "other"] });
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
    const { bridge } = await webBridge(sandbox, { tokens: ["s3cret", "other"] });
    for (const token of ["s3cret", "other"]) {
      const answer = await post(`${bridge.url}${PING}`, { ping: token }, { Authorization: `Bearer ${token}` });
      expect(answer.status).toBe(200);
      expect(json(answer)).toEqual({ pong: token });
    }
    expect((await send(`${bridge.url}services`, { headers: { Authorization: "bearer s3cret" } })).status).toBe(200);
  });

  it("opens a WebSocket with access_token or the header, and refuses one without", async () => {
    const { bridge } = await webBridge(sandbox, { tokens: ["s3cret"] });
    const url = wsUrl(bridge, `ws/services/${WEB}`);
    const refused = await refusedUpgrade(sandbox, url);
    expect(refused.status).toBe(401);
    expect(refused.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect((await refusedUpgrade(sandbox, `${url}?access_token=wrong`)).status).toBe(401);
    for (const client of [
      await openFrames(sandbox, `${url}?access_token=s3cret`),
      await openFrames(sandbox, url, { headers: { Authorization: "Bearer s3cret" } }),
    ]) {
      client.send(`{"method":"${WEB}.Ping","parameters":{"ping":"ok"}}\0`);
      expect((await client.frameCount(1))[0]?.toString("utf8")).toBe('{"parameters":{"pong":"ok"}}\0');
    }
  });
});

describe("origins", () => {
  const ALLOWED = "http://localhost:5173";

  it("refuses requests from other origins with 403, and lets those without Origin pass", async () => {
    const { bridge } = await webBridge(sandbox, { allowOrigins: [ALLOWED] });
    const refused = await post(`${bridge.url}${PING}`, { ping: "x" }, { Origin: "http://evil.example" });
    expect(refused.status).toBe(403);
    expect(json(refused)).toEqual({ message: 'requests from origin "http://evil.example" are not allowed' });
    expect((await send(`${bridge.url}services/${WEB}`, { headers: { Origin: "null" } })).status).toBe(403);
    expect((await post(`${bridge.url}${PING}`, { ping: "no origin" })).status).toBe(200);
  });

  it("compares allowOrigins as browsers write origins: lower case, without the default port or a slash", async () => {
    const { bridge } = await webBridge(sandbox, { allowOrigins: ["HTTP://LocalHost:80/", "https://App.Example:443", "http://[::1]:5173"] });
    for (const origin of ["http://localhost", "https://app.example", "http://[::1]:5173"]) {
      const answer = await post(`${bridge.url}${PING}`, { ping: origin }, { Origin: origin });
      expect(answer.status, origin).toBe(200);
      expect(answer.headers["access-control-allow-origin"], origin).toBe(origin);
    }
    expect((await post(`${bridge.url}${PING}`, { ping: "x" }, { Origin: "http://localhost:80" })).status).toBe(403);
  });

  it("refuses every browser origin when none is allowed", async () => {
    const { bridge } = await webBridge(sandbox);
    expect((await post(`${bridge.url}${PING}`, { ping: "x" }, { Origin: ALLOWED })).status).toBe(403);
  });

  it("answers an allowed origin with CORS headers, and its preflight", async () => {
    const { bridge } = await webBridge(sandbox, { allowOrigins: [`${ALLOWED}/`], tokens: ["t"] });
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
    const { bridge } = await webBridge(sandbox, { allowOrigins: [ALLOWED] });
    const url = wsUrl(bridge, `ws/services/${WEB}`);
    expect((await refusedUpgrade(sandbox, url, { origin: "http://evil.example" })).status).toBe(403);
    const client = await openFrames(sandbox, url, { origin: ALLOWED });
    client.send(`{"method":"${WEB}.Ping","parameters":{"ping":"browser"}}\0`);
    expect((await client.frameCount(1))[0]?.toString("utf8")).toBe('{"parameters":{"pong":"browser"}}\0');
  });
});

describe("hosts", () => {
  /** GET services with this `Host` header. */
  const withHost = (bridge: { url: string }, host: string): Promise<HttpAnswer> => send(`${bridge.url}services`, { headers: { Host: host } });

  it("on loopback, refuses requests for another host with 403, saying which option allows it", async () => {
    const { bridge } = await webBridge(sandbox);
    for (const host of ["evil.example", `evil.example:${bridge.port}`, "192.168.1.10", "[fe80::1]:80", "0.0.0.0", "localhost.evil.example", "a b"]) {
      const answer = await withHost(bridge, host);
      expect(answer.status, host).toBe(403);
      expect((json(answer) as { message: string }).message, host).toMatch(/allowHosts \(varlink http-bridge --allow-host HOST\)/);
    }
    // Calls and preflights too: the check comes first.
    expect((await post(`${bridge.url}${PING}`, { ping: "x" }, { Host: "evil.example" })).status).toBe(403);
    expect((await send(`${bridge.url}${PING}`, { method: "OPTIONS", headers: { Host: "evil.example" } })).status).toBe(403);
  });

  it("on loopback, answers loopback names and addresses, with any port", async () => {
    const { bridge } = await webBridge(sandbox);
    for (const host of [
      `127.0.0.1:${bridge.port}`, "127.0.0.1", "127.1.2.3:80", "localhost", `LOCALHOST:${bridge.port}`, "localhost.",
      "app.localhost:5173", "[::1]", `[::1]:${bridge.port}`,
    ]) {
      const answer = await withHost(bridge, host);
      expect(answer.status, host).toBe(200);
      expect(json(answer), host).toEqual({ services: [WEB] });
    }
  });

  it("on loopback, answers the hosts of allowHosts, whatever their case and port", async () => {
    const { bridge } = await webBridge(sandbox, { allowHosts: ["Bridge.Example", "192.168.1.10", "fe80::1"] });
    for (const host of ["bridge.example", "BRIDGE.example:8443", "bridge.example.", "192.168.1.10:1031", "[fe80::1]:80"]) {
      expect((await withHost(bridge, host)).status, host).toBe(200);
    }
    expect((await withHost(bridge, "other.example")).status).toBe(403);
    expect((await withHost(bridge, "sub.bridge.example")).status).toBe(403);
  });

  it("on loopback, refuses WebSocket upgrades for another host with 403", async () => {
    const { bridge } = await webBridge(sandbox, { allowHosts: ["bridge.example"] });
    const url = wsUrl(bridge, `ws/services/${WEB}`);
    const refused = await refusedUpgrade(sandbox, url, { headers: { Host: "evil.example" } });
    expect(refused.status).toBe(403);
    expect((refused.body as { message: string }).message).toMatch(/allowHosts/);
    for (const host of ["bridge.example:80", `localhost:${bridge.port}`]) {
      const client = await openFrames(sandbox, url, { headers: { Host: host } });
      client.send(`{"method":"${WEB}.Ping","parameters":{"ping":"${host}"}}\0`);
      expect((await client.frameCount(1))[0]?.toString("utf8")).toBe(`{"parameters":{"pong":"${host}"}}\0`);
    }
  });

  it("does not check the host when it listens beyond loopback: the deployment decides", async () => {
    const { bridge } = await webBridge(sandbox, { host: "0.0.0.0" });
    const local = `http://127.0.0.1:${bridge.port}/`;
    expect((await send(`${local}services`, { headers: { Host: "bridge.example" } })).status).toBe(200);
    const client = await openFrames(sandbox, `ws://127.0.0.1:${bridge.port}/ws/services/${WEB}`, { headers: { Host: "bridge.example" } });
    client.send(`{"method":"${WEB}.Ping","parameters":{"ping":"anywhere"}}\0`);
    expect((await client.frameCount(1))[0]?.toString("utf8")).toBe('{"parameters":{"pong":"anywhere"}}\0');
  });
});

describe("body size", () => {
  it("answers 413 for a body larger than maxMessageSize, declared by Content-Length", async () => {
    const { bridge } = await webBridge(sandbox, { maxMessageSize: 1024 });
    const answer = await post(`${bridge.url}${PING}`, { ping: "x".repeat(2000) });
    expect(answer.status).toBe(413);
    expect(json(answer)).toEqual({ message: "the request body is larger than 1024 bytes" });
    expect(json(await post(`${bridge.url}${PING}`, { ping: "x".repeat(900) }))).toEqual({ pong: "x".repeat(900) });
  });

  it("answers 413 for a chunked body that grows past maxMessageSize", async () => {
    const { bridge } = await webBridge(sandbox, { maxMessageSize: 1024 });
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

describe("TLS", () => {
  it("serves HTTPS and WSS", async () => {
    const pem = await makeCertificates(await sandbox.tempDir());
    const { bridge } = await webBridge(sandbox, { tls: { cert: pem.serverCert, key: pem.serverKey } });
    expect(bridge.url).toBe(`https://127.0.0.1:${bridge.port}/`);
    const answer = await send(`${bridge.url}${PING}`, { method: "POST", body: '{"ping":"tls"}', tls: { ca: pem.ca } });
    expect(json(answer)).toEqual({ pong: "tls" });
    const client = await openFrames(sandbox, wsUrl(bridge, `ws/services/${WEB}`), { ca: pem.ca });
    expect(client.socket.url.startsWith("wss://")).toBe(true);
    client.send(`{"method":"${WEB}.Ping","parameters":{"ping":"wss"}}\0`);
    expect((await client.frameCount(1))[0]?.toString("utf8")).toBe('{"parameters":{"pong":"wss"}}\0');
  });

  it("with a CA, refuses clients without a certificate signed by it and accepts those with one", async () => {
    const dir = await sandbox.tempDir();
    const pem = await makeCertificates(dir);
    const { bridge } = await webBridge(sandbox, { tls: { cert: pem.serverCert, key: pem.serverKey, ca: Buffer.from(pem.ca) } });
    const body = '{"ping":"mutual"}';
    // TLS 1.3 refuses after the client's handshake: the first read gets the server's alert.
    await expect(send(`${bridge.url}${PING}`, { method: "POST", body, tls: { ca: pem.ca } })).rejects.toThrow(
      /certificate required|ECONNRESET|socket hang up/,
    );
    // A certificate from another CA is refused as well.
    const stranger = await makeCertificates(await sandbox.tempDir());
    await expect(
      send(`${bridge.url}${PING}`, { method: "POST", body, tls: { ca: pem.ca, cert: stranger.clientCert, key: stranger.clientKey } }),
    ).rejects.toThrow(/unknown ca|certificate|ECONNRESET|socket hang up/);
    const answer = await send(`${bridge.url}${PING}`, { method: "POST", body, tls: { ca: pem.ca, cert: pem.clientCert, key: pem.clientKey } });
    expect(answer.status).toBe(200);
    expect(json(answer)).toEqual({ pong: "mutual" });
    const client = await openFrames(sandbox, wsUrl(bridge, `ws/services/${WEB}`), { ca: pem.ca, cert: pem.clientCert, key: pem.clientKey });
    client.send(`{"method":"${WEB}.Ping","parameters":{"ping":"mutual wss"}}\0`);
    expect((await client.frameCount(1))[0]?.toString("utf8")).toBe('{"parameters":{"pong":"mutual wss"}}\0');
  });
});

describe("exposure", () => {
  it("binds loopback by default, without a warning", async () => {
    const { bridge } = await webBridge(sandbox);
    expect(bridge.url).toBe(`http://127.0.0.1:${bridge.port}/`);
    expect(sandbox.log.lines).toEqual([]);
  });

  it("warns once when listening beyond loopback without authentication", async () => {
    await webBridge(sandbox, { host: "0.0.0.0" });
    expect(sandbox.log.lines).toHaveLength(1);
    expect(sandbox.log.lines[0]).toMatch(/not loopback, without tokens or client certificates/);
  });

  it("does not warn beyond loopback with tokens over TLS", async () => {
    const pem = await makeCertificates(await sandbox.tempDir());
    await webBridge(sandbox, { host: "0.0.0.0", tokens: ["t"], tls: { cert: pem.serverCert, key: pem.serverKey } });
    expect(sandbox.log.lines).toEqual([]);
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
    [{ allowOrigins: ["https://app.example/path"] }, /allowOrigins: "https:\/\/app\.example\/path" is not an origin/],
    [{ allowOrigins: ["https://app.example?x=1"] }, /allowOrigins/],
    [{ allowOrigins: ["https://app.example/#top"] }, /allowOrigins/],
    [{ allowOrigins: ["https://app.example?"] }, /allowOrigins/],
    [{ allowOrigins: ["ftp://app.example"] }, /allowOrigins/],
    [{ allowOrigins: ["https://user@app.example"] }, /allowOrigins/],
    [{ allowOrigins: ["app.example"] }, /allowOrigins/],
    [{ allowOrigins: ["null"] }, /allowOrigins/],
    [{ allowOrigins: [""] }, /allowOrigins/],
    [{ allowHosts: ["bridge.example:8080"] }, /allowHosts: "bridge\.example:8080" is not a host name/],
    [{ allowHosts: ["https://bridge.example"] }, /allowHosts/],
    [{ allowHosts: ["[::1]:80"] }, /allowHosts/],
    [{ allowHosts: ["a..b"] }, /allowHosts/],
    [{ allowHosts: [""] }, /allowHosts/],
  ])("refuses %o with a TypeError", async (options, message) => {
    await expect(startBridge(sandbox, options)).rejects.toThrow(message);
    await expect(startBridge(sandbox, options)).rejects.toBeInstanceOf(TypeError);
  });
});
