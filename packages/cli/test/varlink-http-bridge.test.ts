/**
 * `varlink http-bridge` serving a real service over HTTP, HTTPS and WebSocket, spoken to with
 * fetch, node:https and a minimal WebSocket client: the command's main in this process, and the
 * built command in a process of its own where signals stop it. Needs `npx tsc -b` first.
 */
import { execFile, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect as netConnect, createServer, type Socket } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import {
  assertBuilt,
  type Child,
  RESOLVER_SERVICE,
  runVarlink,
  startMain,
  startService,
  useFixtureService,
  useSandbox,
  VARLINK_BIN,
} from "@varlink-ts/test-kit";

const run = promisify(execFile);

/** Whether this machine's curl speaks HTTP/2 (and so sends `Upgrade: h2c` to an http: URL). */
const curlHasHttp2 = /^Features:.*\bHTTP2\b/m.test(spawnSync("curl", ["--version"], { encoding: "utf8" }).stdout ?? "");

/** Bridges, services, servers (a port held busy) and sockets; closed after each test. */
const sandbox = useSandbox({ prefix: "varlink-cmd-" });

beforeAll(assertBuilt);

/** A running `varlink http-bridge`. */
interface StartedBridge {
  /** The line it printed. */
  readonly url: string;
  readonly port: number;
  stdout(): string;
  stderr(): string;
}

/**
 * Starts `varlink http-bridge ARGS` in the sandbox, in this process (its main, stopped at
 * cleanup as SIGTERM would); resolves once it printed its URL.
 */
async function startBridge(args: readonly string[], input?: string): Promise<StartedBridge> {
  const bridge = await startMain("varlink", ["http-bridge", ...args], { cwd: sandbox.dir, ...(input !== undefined && { input }) });
  sandbox.defer(async () => {
    // Stopped as SIGTERM would: it closes what it opened and exits 0.
    const result = await bridge.stop();
    expect(result.code, result.stderr).toBe(0);
  });
  await bridge.printed("\n");
  const url = bridge.stdout().slice(0, bridge.stdout().indexOf("\n"));
  return { url, port: Number(new URL(url).port), stdout: bridge.stdout, stderr: bridge.stderr };
}

/**
 * Starts the built `varlink http-bridge ARGS` in a process of its own (to be stopped with a
 * signal) in the sandbox; resolves once it printed its URL.
 */
async function startBridgeProcess(args: readonly string[]): Promise<{ child: Child; url: string; port: number }> {
  const child = sandbox.spawn(process.execPath, [VARLINK_BIN, "http-bridge", ...args], { env: { NO_COLOR: "1" }, input: "" });
  const url = (await child.waitFor(/^(\S+)\n/))[1]!;
  return { child, url, port: Number(new URL(url).port) };
}

/** Whether a TCP connection to `port` on 127.0.0.1 is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });
}

/** POSTs `body` as JSON to `url`. */
function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/** The records of an `application/json-seq` body (RFC 7464). */
function jsonSeq(text: string): unknown[] {
  expect(text.startsWith("\x1e")).toBe(true);
  return text
    .split("\x1e")
    .slice(1)
    .map((record) => {
      expect(record.endsWith("\n")).toBe(true);
      return JSON.parse(record) as unknown;
    });
}

/** The text of a file in the sandbox. */
function sandboxFile(name: string): Promise<string> {
  return readFile(join(sandbox.dir, name), "utf8");
}

/** Runs `openssl ARGS` in the sandbox. */
async function openssl(...args: string[]): Promise<void> {
  await run("openssl", args, { cwd: sandbox.dir });
}

/** A self-signed EC certificate for 127.0.0.1 and localhost: `NAME.pem`, `NAME.key`. */
async function selfSigned(name: string, subject: string): Promise<void> {
  await openssl(
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
    "-keyout", `${name}.key`, "-out", `${name}.pem`, "-days", "2", "-subj", subject,
    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
  );
}

/** An HTTPS request with the options of node:https (ca, cert, key); resolves with status and body. */
function httpsCall(
  url: string,
  options: { ca: Buffer | string; cert?: Buffer | string; key?: Buffer | string; body?: unknown },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      url,
      {
        method: options.body === undefined ? "GET" : "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        ca: options.ca,
        ...(options.cert === undefined ? {} : { cert: options.cert }),
        ...(options.key === undefined ? {} : { key: options.key }),
        agent: false,
      },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(options.body === undefined ? undefined : JSON.stringify(options.body));
  });
}

/** GETs `url` with this `Host` header; resolves with status and body. */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { headers: { Host: host }, agent: false }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end();
  });
}

/**
 * A WebSocket client just large enough for the tests: the handshake, masked binary frames out,
 * and the payloads of the frames in, joined into one byte stream (varlink messages end at NUL).
 */
interface RawWebSocket {
  /** The HTTP status of the upgrade: 101 when it was accepted. */
  readonly status: number;
  send(text: string): void;
  /** The next varlink message the service sent. */
  message(): Promise<Record<string, unknown>>;
  close(): void;
}

function openWebSocket(url: string): Promise<RawWebSocket> {
  const target = new URL(url);
  const socket: Socket = netConnect(Number(target.port), target.hostname);
  sandbox.track(socket);
  let head = Buffer.alloc(0);
  let frames = Buffer.alloc(0);
  let data = Buffer.alloc(0);
  let wake: () => void = () => undefined;
  const onFrames = (): void => {
    for (;;) {
      if (frames.length < 2) return;
      const opcode = (frames[0] ?? 0) & 0x0f;
      let length = (frames[1] ?? 0) & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (frames.length < 4) return;
        length = frames.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (frames.length < 10) return;
        length = Number(frames.readBigUInt64BE(2));
        offset = 10;
      }
      if (frames.length < offset + length) return;
      const payload = frames.subarray(offset, offset + length);
      frames = frames.subarray(offset + length);
      if (opcode <= 2) data = Buffer.concat([data, payload]);
      wake();
    }
  };
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.on("connect", () => {
      socket.write(
        `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\n` +
          "Sec-WebSocket-Version: 13\r\n\r\n",
      );
    });
    let upgraded = false;
    socket.on("data", (chunk: Buffer) => {
      if (upgraded) {
        frames = Buffer.concat([frames, chunk]);
        onFrames();
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end === -1) return;
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head.toString("latin1"))?.[1] ?? 0);
      upgraded = true;
      frames = head.subarray(end + 4);
      onFrames();
      resolve({
        status,
        send: (text) => {
          const payload = Buffer.from(text);
          const mask = randomBytes(4);
          const length =
            payload.length < 126
              ? Buffer.from([0x80 | payload.length])
              : Buffer.from([0x80 | 126, payload.length >> 8, payload.length & 0xff]);
          const masked = Buffer.from(payload.map((byte, index) => byte ^ (mask[index % 4] ?? 0)));
          socket.write(Buffer.concat([Buffer.from([0x82]), length, mask, masked]));
        },
        message: async () => {
          while (!data.includes(0)) await new Promise<void>((woken) => (wake = woken));
          const nul = data.indexOf(0);
          const text = data.subarray(0, nul).toString("utf8");
          data = data.subarray(nul + 1);
          return JSON.parse(text) as Record<string, unknown>;
        },
        close: () => socket.destroy(),
      });
    });
  });
}

describe("varlink http-bridge", () => {
  const service = useFixtureService();
  let serviceArg: string;

  beforeAll(() => {
    serviceArg = `org.example.more=${service.address}`;
  });

  it("prints its base URL as its one line and forwards a call", async () => {
    const bridge = await startBridge(["--listen", "127.0.0.1:0", "--service", serviceArg]);
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*\/$/);
    const response = await post(`${bridge.url}call/org.example.more.Ping`, { ping: "over http" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ pong: "over http" });
    expect(
      await service.waitForMessage((message) => JSON.stringify(message["parameters"]) === '{"ping":"over http"}'),
    ).toEqual({ method: "org.example.more.Ping", parameters: { ping: "over http" } });
    expect(bridge.stdout()).toBe(`${bridge.url}\n`);
  });

  it("answers an error reply with its name and parameters", async () => {
    const bridge = await startBridge(["--listen", "127.0.0.1:0", "--service", serviceArg]);
    const response = await post(`${bridge.url}call/org.example.more.TestMore`, { n: -1 });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      error: "org.example.more.TestMoreError",
      parameters: { reason: "call with more" },
    });
    const unknown = await post(`${bridge.url}call/org.example.more.NoSuchMethod`, {});
    expect(unknown.status).toBe(404);
  });

  it("streams the replies of a more call as application/json-seq", async () => {
    const bridge = await startBridge(["--listen", "127.0.0.1:0", "--service", serviceArg]);
    const response = await post(`${bridge.url}call/org.example.more.TestMore`, { n: 2 }, { Accept: "application/json-seq" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json-seq/);
    expect(jsonSeq(await response.text())).toEqual([
      { state: { start: true } },
      { state: { progress: 50 } },
      { state: { progress: 100 } },
      { state: { end: true } },
    ]);
    expect(
      await service.waitForMessage((message) => message["method"] === "org.example.more.TestMore"),
    ).toEqual({ method: "org.example.more.TestMore", parameters: { n: 2 }, more: true });
  });

  it("lists and describes its services, and answers health", async () => {
    const bridge = await startBridge(["--listen", "127.0.0.1:0", "--service", serviceArg]);
    const services = await fetch(`${bridge.url}services`);
    expect(services.status).toBe(200);
    expect(await services.json()).toEqual({ services: ["org.example.more"] });
    const info = await fetch(`${bridge.url}services/org.example.more`);
    expect(await info.json()).toMatchObject({ product: "more-service", interfaces: expect.arrayContaining(["org.example.more"]) });
    const methods = await fetch(`${bridge.url}services/org.example.more/org.example.more`);
    expect(await methods.json()).toEqual({ methods: expect.arrayContaining(["Ping", "TestMore", "StopServing"]) });
    expect((await fetch(`${bridge.url}health`)).status).toBe(200);
  });

  it("serves the routes under --base-path", async () => {
    const bridge = await startBridge(["--listen", "127.0.0.1:0", "--service", serviceArg, "--base-path", "/varlink/"]);
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/varlink\/$/);
    const response = await post(`${bridge.url}call/org.example.more.Ping`, { ping: "based" });
    expect(await response.json()).toEqual({ pong: "based" });
    expect((await post(`http://127.0.0.1:${bridge.port}/call/org.example.more.Ping`, { ping: "x" })).status).toBe(404);
  });

  it("serves the raw protocol over WebSocket, pipelined calls and more included", async () => {
    const bridge = await startBridge(["--listen", "127.0.0.1:0", "--service", serviceArg]);
    const socket = await openWebSocket(`${bridge.url}ws/services/org.example.more`);
    expect(socket.status).toBe(101);
    socket.send(
      '{"method":"org.example.more.TestMore","parameters":{"n":1},"more":true}\0' +
        '{"method":"org.example.more.Ping","parameters":{"ping":"ws"}}\0',
    );
    expect([await socket.message(), await socket.message(), await socket.message(), await socket.message()]).toEqual([
      { parameters: { state: { start: true } }, continues: true },
      { parameters: { state: { progress: 100 } }, continues: true },
      { parameters: { state: { end: true } } },
      { parameters: { pong: "ws" } },
    ]);
    socket.close();
  });

  it("resolves names through --resolver ADDRESS", async () => {
    const resolver = await startService(sandbox, RESOLVER_SERVICE, [
      `--varlink=${sandbox.socket("resolver.sock")}`,
      `org.example.more=${service.address}`,
    ]);
    const bridge = await startBridge(["--listen", "127.0.0.1:0", "--resolver", resolver.address]);
    const response = await post(`${bridge.url}call/org.example.more.Ping`, { ping: "resolved" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ pong: "resolved" });
  });

  it("asks for a bearer token from --token-file", async () => {
    await writeFile(join(sandbox.dir, "tokens"), "# who may call\n\nfirst-token\n  second-token  \n");
    const bridge = await startBridge(["--listen", "127.0.0.1:0", "--service", serviceArg, "--token-file", "tokens"]);
    const url = `${bridge.url}call/org.example.more.Ping`;
    expect((await post(url, { ping: "anonymous" })).status).toBe(401);
    expect((await post(url, { ping: "wrong" }, { Authorization: "Bearer third-token" })).status).toBe(401);
    expect((await post(url, { ping: "comment" }, { Authorization: "Bearer # who may call" })).status).toBe(401);
    const allowed = await post(url, { ping: "second" }, { Authorization: "Bearer second-token" });
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toEqual({ pong: "second" });
    expect(service.received().map((message) => message["parameters"])).not.toContainEqual({ ping: "anonymous" });

    // health as well: the token is asked of every request.
    expect((await fetch(`${bridge.url}health`)).status).toBe(401);
    expect((await fetch(`${bridge.url}health`, { headers: { Authorization: "Bearer first-token" } })).status).toBe(200);

    const refusedSocket = await openWebSocket(`${bridge.url}ws/services/org.example.more`);
    expect(refusedSocket.status).toBe(401);
    refusedSocket.close();
    const socket = await openWebSocket(`${bridge.url}ws/services/org.example.more?access_token=first-token`);
    expect(socket.status).toBe(101);
    socket.send('{"method":"org.example.more.Ping","parameters":{"ping":"token"}}\0');
    expect(await socket.message()).toEqual({ parameters: { pong: "token" } });
    socket.close();
  });

  it("reads --token-file - from standard input", async () => {
    const bridge = await startBridge(["--listen", "127.0.0.1:0", "--service", serviceArg, "--token-file", "-"], "piped\n");
    const url = `${bridge.url}call/org.example.more.Ping`;
    expect((await post(url, { ping: "no" })).status).toBe(401);
    expect((await post(url, { ping: "yes" }, { Authorization: "Bearer piped" })).status).toBe(200);
  });

  it("refuses browsers from origins not given with --allow-origin", async () => {
    const bridge = await startBridge([
      "--listen", "127.0.0.1:0", "--service", serviceArg, "--allow-origin", "https://app.example:8443",
    ]);
    const url = `${bridge.url}call/org.example.more.Ping`;
    expect((await post(url, { ping: "evil" }, { Origin: "https://evil.example" })).status).toBe(403);
    expect((await post(url, { ping: "port" }, { Origin: "https://app.example" })).status).toBe(403);
    const allowed = await post(url, { ping: "app" }, { Origin: "https://app.example:8443" });
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toEqual({ pong: "app" });
    // Not a browser: no Origin, nothing to check.
    expect((await post(url, { ping: "curl" })).status).toBe(200);
    expect(service.received().map((message) => message["parameters"])).not.toContainEqual({ ping: "evil" });
  });

  it("on loopback, answers only loopback hosts and those given with --allow-host", async () => {
    const bridge = await startBridge([
      "--listen", "127.0.0.1:0", "--service", serviceArg, "--allow-host", "Bridge.Example", "--allow-host", "[fe80::1]",
    ]);
    const url = `${bridge.url}services`;
    const rebound = await getWithHost(url, "evil.example");
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toEqual({ message: expect.stringMatching(/--allow-host HOST/) });
    for (const host of ["bridge.example:1031", "BRIDGE.EXAMPLE", "[fe80::1]:80", `localhost:${bridge.port}`, "[::1]", "127.0.0.1"]) {
      expect(await getWithHost(url, host), host).toEqual({ status: 200, body: '{"services":["org.example.more"]}' });
    }
  });

  it.skipIf(!curlHasHttp2)("answers a call sent with curl --http2, which asks to upgrade to h2c, in HTTP/1.1", async () => {
    const bridge = await startBridge(["--listen", "127.0.0.1:0", "--service", serviceArg]);
    const result = await run("curl", [
      "-sS", "--http2", "-X", "POST", "-H", "Content-Type: application/json", "-d", '{"ping":"h2c"}',
      `${bridge.url}call/org.example.more.Ping`,
    ]);
    expect(result.stdout).toBe('{"pong":"h2c"}');
    const services = await run("curl", ["-sS", "--http2", `${bridge.url}services`]);
    expect(services.stdout).toBe('{"services":["org.example.more"]}');
  });

  it("serves HTTPS with --cert and --key", async () => {
    await selfSigned("server", "/CN=localhost");
    const bridge = await startBridge(["--listen", "127.0.0.1:0", "--service", serviceArg, "--cert", "server.pem", "--key", "server.key"]);
    expect(bridge.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    const ca = await sandboxFile("server.pem");
    expect(await httpsCall(`${bridge.url}call/org.example.more.Ping`, { ca, body: { ping: "tls" } })).toEqual({
      status: 200,
      body: '{"pong":"tls"}',
    });
  });

  it("asks for a client certificate signed by --client-ca", async () => {
    await selfSigned("server", "/CN=localhost");
    await selfSigned("ca", "/CN=test client CA");
    await openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=client");
    await openssl("x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "2", "-days", "2", "-out", "client.pem");
    await selfSigned("stranger", "/CN=stranger");
    const bridge = await startBridge([
      "--listen", "127.0.0.1:0", "--service", serviceArg,
      "--cert", "server.pem", "--key", "server.key", "--client-ca", "ca.pem",
    ]);
    const file = sandboxFile;
    const url = `${bridge.url}call/org.example.more.Ping`;
    const ca = await file("server.pem");
    await expect(httpsCall(url, { ca, body: { ping: "no cert" } })).rejects.toThrow();
    await expect(
      httpsCall(url, { ca, cert: await file("stranger.pem"), key: await file("stranger.key"), body: { ping: "stranger" } }),
    ).rejects.toThrow();
    expect(
      await httpsCall(url, { ca, cert: await file("client.pem"), key: await file("client.key"), body: { ping: "mutual" } }),
    ).toEqual({ status: 200, body: '{"pong":"mutual"}' });
    const received = service.received().map((message) => message["parameters"]);
    expect(received).toContainEqual({ ping: "mutual" });
    expect(received).not.toContainEqual({ ping: "no cert" });
    expect(received).not.toContainEqual({ ping: "stranger" });
  });

  it.each(["SIGTERM", "SIGINT"] as const)("closes and exits 0 on %s", async (signal) => {
    const bridge = await startBridgeProcess(["--listen", "127.0.0.1:0", "--service", serviceArg]);
    // fetch keeps its connection open, and so does a WebSocket: the bridge must close them, not wait.
    expect((await post(`${bridge.url}call/org.example.more.Ping`, { ping: "before" })).status).toBe(200);
    const socket = await openWebSocket(`${bridge.url}ws/services/org.example.more`);
    socket.send('{"method":"org.example.more.Ping","parameters":{"ping":"open"}}\0');
    expect(await socket.message()).toEqual({ parameters: { pong: "open" } });
    bridge.child.process.kill(signal);
    // The exit code 0, not the signal's name: it closed and exited rather than being killed.
    expect(await bridge.child.exited).toBe(0);
    expect(bridge.child.stdout()).toBe(`${bridge.url}\n`);
    expect(bridge.child.stderr()).toBe("");
    expect(await refused(bridge.port)).toBe(true);
  });
});

describe("varlink http-bridge refuses to start", () => {
  const service = "org.example.more=unix:/run/org.example.more";

  it.each([
    [[], "nothing to serve: give --service NAME=ADDRESS, or --resolver ADDRESS to serve what a resolver knows"],
    [["--service", service, "--cert", "c.pem"], "--cert needs --key"],
    [["--service", service, "--key", "k.pem"], "--key needs --cert"],
    [
      ["--service", service, "--client-ca", "ca.pem"],
      "--client-ca needs --cert and --key: client certificates are asked for over TLS only",
    ],
    [
      ["--service", service, "--cert", "-", "--key", "-"],
      "only one of --token-file, --cert, --key and --client-ca can read standard input ('-')",
    ],
    [
      ["--bridge", "true", "--service", service],
      "http-bridge serves services by name (--service, --resolver); --bridge and --activate do not apply",
    ],
    [
      ["--service", "org.example.more"],
      "option '--service <name=address>' argument 'org.example.more' is invalid. " +
        "expected NAME=ADDRESS, such as org.example.more=unix:/run/org.example.more (see 'varlink http-bridge --help')",
    ],
    [
      ["--service", "more=unix:/run/more"],
      "option '--service <name=address>' argument 'more=unix:/run/more' is invalid. " +
        `"more" is not a service name such as org.example.more (see 'varlink http-bridge --help')`,
    ],
    [
      ["--service", service, "--service", "org.example.more=tcp:127.0.0.1:1"],
      "option '--service <name=address>' argument 'org.example.more=tcp:127.0.0.1:1' is invalid. " +
        "org.example.more is given twice (see 'varlink http-bridge --help')",
    ],
    [
      ["--service", service, "--listen", "8080"],
      "option '--listen <host:port>' argument '8080' is invalid. expected HOST:PORT, such as 127.0.0.1:1031 " +
        "(see 'varlink http-bridge --help')",
    ],
    [
      ["--service", service, "--listen", "::1:8080"],
      "option '--listen <host:port>' argument '::1:8080' is invalid. write an IPv6 address in brackets, as [::1]:1031 " +
        "(see 'varlink http-bridge --help')",
    ],
    [
      ["--service", service, "--listen", "127.0.0.1:65536"],
      "option '--listen <host:port>' argument '127.0.0.1:65536' is invalid. " +
        `"65536" is not a port number (0 to 65535; 0 picks a free one) (see 'varlink http-bridge --help')`,
    ],
    [
      ["--service", service, "--allow-origin", "https://app.example/path"],
      "option '--allow-origin <origin>' argument 'https://app.example/path' is invalid. " +
        "an origin is SCHEME://HOST[:PORT] with no path, such as https://example.org (see 'varlink http-bridge --help')",
    ],
    [
      ["--service", service, "--allow-host", "bridge.example:1031"],
      "option '--allow-host <host>' argument 'bridge.example:1031' is invalid. " +
        "a host is a name or an IP address without a port, such as bridge.example (see 'varlink http-bridge --help')",
    ],
    [
      ["--service", service, "--allow-host", "https://bridge.example"],
      "option '--allow-host <host>' argument 'https://bridge.example' is invalid. " +
        "a host is a name or an IP address without a port, such as bridge.example (see 'varlink http-bridge --help')",
    ],
    [
      ["--service", service, "--base-path", "varlink"],
      "option '--base-path <path>' argument 'varlink' is invalid. " +
        "a base path starts with / and has no spaces, ? or #, such as /varlink/ (see 'varlink http-bridge --help')",
    ],
  ])("usage error for %j", async (args, message) => {
    const result = await runVarlink(sandbox, ["http-bridge", ...args]);
    expect(result).toEqual({ code: 2, stdout: "", stderr: `varlink: ${message}\n` });
  });

  it("is a usage error for an invalid --service address", async () => {
    const result = await runVarlink(sandbox, ["http-bridge", "--service", "org.example.more=bogus:/x"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /^varlink: option '--service <name=address>' argument 'org\.example\.more=bogus:\/x' is invalid\. .+\n$/,
    );
    expect(result.stderr.split("\n")).toHaveLength(2);
  });

  it("exits 1 when the port is in use", async () => {
    const busy = createServer();
    sandbox.track(busy);
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const port = (busy.address() as { port: number }).port;
    const result = await runVarlink(sandbox, ["http-bridge", "--service", service, "--listen", `127.0.0.1:${port}`]);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: `varlink: cannot listen on 127.0.0.1:${port}: the address is already in use\n`,
    });
  });

  it("exits 1 when a certificate cannot be read or used", async () => {
    const missing = await runVarlink(sandbox, ["http-bridge", "--service", service, "--cert", "missing.pem", "--key", "missing.key"]);
    expect(missing).toEqual({ code: 1, stdout: "", stderr: "varlink: cannot read missing.pem: no such file or directory\n" });
    await writeFile(join(sandbox.dir, "garbage.pem"), "not a certificate\n");
    const garbage = await runVarlink(sandbox, ["http-bridge", "--service", service, "--cert", "garbage.pem", "--key", "garbage.pem"]);
    expect(garbage.code).toBe(1);
    expect(garbage.stderr).toMatch(/^varlink: cannot use the certificate garbage\.pem with the key garbage\.pem: .+\n$/);
    expect(garbage.stderr.split("\n")).toHaveLength(2);
  });

  it("exits 1 for a token file without a token", async () => {
    await writeFile(join(sandbox.dir, "tokens"), "# nobody yet\n\n");
    const empty = await runVarlink(sandbox, ["http-bridge", "--service", service, "--token-file", "tokens"]);
    expect(empty).toEqual({ code: 1, stdout: "", stderr: "varlink: tokens holds no token (one a line; # starts a comment)\n" });
    await writeFile(join(sandbox.dir, "spaced"), "one token\n");
    const spaced = await runVarlink(sandbox, ["http-bridge", "--service", service, "--token-file", "spaced"]);
    expect(spaced).toEqual({
      code: 1,
      stdout: "",
      stderr: "varlink: spaced:1: a token is one word of printable ASCII characters, without spaces\n",
    });
    const missing = await runVarlink(sandbox, ["http-bridge", "--service", service, "--token-file", "none"]);
    expect(missing).toEqual({ code: 1, stdout: "", stderr: "varlink: cannot read none: no such file or directory\n" });
  });

  it("is listed by varlink --help", async () => {
    const result = await runVarlink(sandbox, ["--help"]);
    expect(result.stdout).toMatch(/^ {2}http-bridge \[options\] +serve varlink services over HTTP/m);
  });
});
