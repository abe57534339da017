/**
 * Simple HTTP mode over real sockets: every route, the whole status mapping, oneway, integers
 * that must keep their digits, malformed requests, and services given in-process or found
 * through a resolver.
 */
import { request } from "node:http";
import { connect as netConnect, createServer, type Socket } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { VarlinkError, VarlinkService } from "@varlink-ts/runtime";
import {
  createWebService,
  json,
  nowhere,
  post,
  Sandbox,
  scriptedService,
  send,
  startBridge,
  startWebService,
  until,
  WEB,
  webBridge,
  WebHooks,
} from "@varlink-ts/test-kit";

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

describe("POST call", () => {
  it("answers 200 with the reply's parameters, the service taken from the method", async () => {
    const { bridge } = await webBridge(sandbox);
    const answer = await post(`${bridge.url}call/${WEB}.Ping`, { ping: "hello" });
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("application/json");
    expect(json(answer)).toEqual({ pong: "hello" });
  });

  it("calls a named service with call/{service}/{method}", async () => {
    const { bridge } = await webBridge(sandbox);
    const answer = await post(`${bridge.url}call/${WEB}/org.varlink.service.GetInfo`, "");
    expect(answer.status).toBe(200);
    expect(json(answer)).toMatchObject({ vendor: "Example", product: "web", version: "7" });
  });

  it("calls a named service with ?service=, and takes an empty body as {}", async () => {
    const { bridge } = await webBridge(sandbox);
    const answer = await post(`${bridge.url}call/org.varlink.service.GetInfo?service=${WEB}`, "");
    expect(answer.status).toBe(200);
    expect(json(answer)).toMatchObject({ interfaces: ["org.varlink.service", WEB] });
  });

  it("answers {} for a reply without parameters", async () => {
    const { bridge } = await webBridge(sandbox);
    const answer = await post(`${bridge.url}call/${WEB}.Note`, { text: "x" });
    expect(answer.status).toBe(200);
    expect(json(answer)).toEqual({});
  });

  it("answers a oneway call with 204 and no body, and the service gets the call", async () => {
    const { bridge, hooks } = await webBridge(sandbox);
    const answer = await post(`${bridge.url}call/${WEB}.Note?oneway=true`, { text: "one way" });
    expect(answer.status).toBe(204);
    expect(answer.body.length).toBe(0);
    expect(await hooks.noted.promise).toBe("one way");
  });

  it.each([
    ["InvalidParameter", 400, "org.varlink.service.InvalidParameter", { parameter: "kind" }],
    ["ExpectedMore", 400, "org.varlink.service.ExpectedMore", {}],
    ["ExpectedUpgrade", 400, "org.varlink.service.ExpectedUpgrade", {}],
    ["InterfaceNotFound", 404, "org.varlink.service.InterfaceNotFound", { interface: "org.example.gone" }],
    ["MethodNotFound", 404, "org.varlink.service.MethodNotFound", { method: "Gone" }],
    ["MethodNotImplemented", 501, "org.varlink.service.MethodNotImplemented", { method: "Fail" }],
    ["PermissionDenied", 403, "org.varlink.service.PermissionDenied", {}],
    ["Broken", 500, `${WEB}.Broken`, { reason: "on purpose" }],
  ])("maps the error %s to %i with its name and parameters", async (kind, status, error, parameters) => {
    const { bridge } = await webBridge(sandbox);
    const answer = await post(`${bridge.url}call/${WEB}.Fail`, { kind });
    expect(answer.status).toBe(status);
    expect(json(answer)).toEqual({ error, parameters });
  });

  it("passes the errors the service itself makes", async () => {
    const { bridge } = await webBridge(sandbox);
    const unknown = await post(`${bridge.url}call/${WEB}.Nope`, {});
    expect([unknown.status, json(unknown)]).toEqual([404, { error: "org.varlink.service.MethodNotFound", parameters: { method: "Nope" } }]);
    const missing = await post(`${bridge.url}call/${WEB}.Missing`, {});
    expect(missing.status).toBe(501);
    expect(json(missing)).toMatchObject({ error: "org.varlink.service.MethodNotImplemented" });
    const invalid = await post(`${bridge.url}call/${WEB}.Ping`, { ping: 5 });
    expect([invalid.status, json(invalid)]).toEqual([400, { error: "org.varlink.service.InvalidParameter", parameters: { parameter: "ping" } }]);
    const more = await post(`${bridge.url}call/${WEB}.Count`, { n: 2 });
    expect(more.status).toBe(400);
    expect(json(more)).toMatchObject({ error: "org.varlink.service.ExpectedMore" });
    const otherInterface = await post(`${bridge.url}call/org.example.elsewhere.Do?service=${WEB}`, {});
    expect(otherInterface.status).toBe(404);
    expect(json(otherInterface)).toMatchObject({ error: "org.varlink.service.InterfaceNotFound" });
  });

  it("passes integers beyond 2^53 through with every digit, both ways", async () => {
    const scripted = await scriptedService(sandbox, (_text, connection) => {
      connection.socket.write(
        '{"parameters":{"max":9223372036854775807,"min":-9223372036854775808,"list":[18446744073709551615,1.5e300],"nested":{"n":12345678901234567890}}}\0',
      );
    });
    const bridge = await startBridge(sandbox, { services: { "org.example.big": scripted.address } });
    const body = '{"id":9223372036854775807,"ids":[-9223372036854775807]}';
    const answer = await post(`${bridge.url}call/org.example.big.Get`, body);
    expect(answer.status).toBe(200);
    expect(answer.text).toBe(
      '{"max":9223372036854775807,"min":-9223372036854775808,"list":[18446744073709551615,1.5e300],"nested":{"n":12345678901234567890}}',
    );
    expect(scripted.connections[0]?.received).toEqual([`{"method":"org.example.big.Get","parameters":${body}}`]);
  });

  it("passes an error's parameters through with every digit", async () => {
    const scripted = await scriptedService(sandbox, (_text, connection) => {
      connection.socket.write('{"error":"org.example.big.TooBig","parameters":{"limit":9007199254740993}}\0');
    });
    const bridge = await startBridge(sandbox, { services: { "org.example.big": scripted.address } });
    const answer = await post(`${bridge.url}call/org.example.big.Get`, {});
    expect(answer.status).toBe(500);
    expect(answer.text).toBe('{"error":"org.example.big.TooBig","parameters":{"limit":9007199254740993}}');
  });
});

describe("requests the bridge refuses", () => {
  it.each([
    ["invalid JSON", "{nope"],
    ["an array", "[1, 2]"],
    ["a string", '"text"'],
    ["null", "null"],
  ])("answers 400 for a body that is %s", async (_what, body) => {
    const { bridge } = await webBridge(sandbox);
    const answer = await post(`${bridge.url}call/${WEB}.Ping`, body);
    expect(answer.status).toBe(400);
    expect(json(answer)).toEqual({ message: expect.any(String) });
  });

  it("answers 400 for a body that is not UTF-8", async () => {
    const { bridge } = await webBridge(sandbox);
    const answer = await send(`${bridge.url}call/${WEB}.Ping`, {
      method: "POST",
      body: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
    });
    expect(answer.status).toBe(400);
    expect(json(answer)).toEqual({ message: "the request body is not valid UTF-8" });
  });

  it("answers 400 for a method name that is not fully qualified", async () => {
    const { bridge } = await webBridge(sandbox);
    for (const method of ["Ping", "org.example.web.ping", ".Ping"]) {
      const answer = await post(`${bridge.url}call/${method}`, {});
      expect(answer.status, method).toBe(400);
    }
  });

  it("answers 400 for ?oneway= other than true or false", async () => {
    const { bridge } = await webBridge(sandbox);
    const answer = await post(`${bridge.url}call/${WEB}.Note?oneway=yes`, { text: "x" });
    expect(answer.status).toBe(400);
  });

  it("answers 404 with a message for an unknown service, on call and introspection routes", async () => {
    const { bridge } = await webBridge(sandbox);
    const call = await post(`${bridge.url}call/org.example.unknown.Do`, {});
    expect(call.status).toBe(404);
    expect(json(call)).toEqual({ message: 'no service named "org.example.unknown"' });
    const info = await send(`${bridge.url}services/org.example.unknown`);
    expect(info.status).toBe(404);
  });

  it("answers 404 for unknown routes and paths outside the base path", async () => {
    const { bridge } = await webBridge(sandbox, { basePath: "/waldo/" });
    for (const path of ["/waldo/nothing", "/waldo/call", "/waldo/ws/services", "/health", "/waldo/services/a/b/c"]) {
      const answer = await send(new URL(path, bridge.url).toString());
      expect(answer.status, path).toBe(404);
      expect(json(answer), path).toEqual({ message: expect.any(String) });
    }
  });

  it("answers 405 with Allow for the wrong HTTP method", async () => {
    const { bridge } = await webBridge(sandbox);
    const get = await send(`${bridge.url}call/${WEB}.Ping`);
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe("POST");
    const postServices = await post(`${bridge.url}services`, {});
    expect(postServices.status).toBe(405);
    expect(postServices.headers.allow).toBe("GET, HEAD");
  });

  it("answers 426 for a GET of a WebSocket route without an upgrade", async () => {
    const { bridge } = await webBridge(sandbox);
    const answer = await send(`${bridge.url}ws/services/${WEB}`);
    expect(answer.status).toBe(426);
  });

  it("answers 502 naming only the service when it cannot be reached, and logs why", async () => {
    const logged: Array<{ message: string; cause: unknown }> = [];
    const path = await nowhere(sandbox);
    const bridge = await startBridge(sandbox, {
      services: {
        "org.example.away": path,
        // Another bridge's WebSocket whose URL holds a token: neither goes to the client.
        "org.example.remote": "ws://127.0.0.1:1/ws/services/org.example.remote?access_token=S3CRET-token",
      },
      log: (message, cause) => logged.push({ message, cause }),
    });
    for (const name of ["org.example.away", "org.example.remote"]) {
      for (const answer of [await post(`${bridge.url}call/${name}.Do`, {}), await send(`${bridge.url}services/${name}`)]) {
        expect(answer.status).toBe(502);
        expect(answer.text).toBe(`{"message":"cannot reach the service ${name}"}`);
      }
    }
    // The operator learns where and why, in the log.
    expect(logged.map(({ message }) => message)).toEqual([
      ...Array<string>(2).fill("varlink http bridge: cannot reach the service org.example.away"),
      ...Array<string>(2).fill("varlink http bridge: cannot reach the service org.example.remote"),
    ]);
    expect(String((logged[0]?.cause as Error).message)).toContain(path.slice("unix:".length));
    expect(String((logged[2]?.cause as Error).message)).toContain("127.0.0.1:1");
  });

  it("answers 502 when the service closes the connection during the call", async () => {
    const scripted = await scriptedService(sandbox, (_text, connection) => connection.socket.destroy());
    const bridge = await startBridge(sandbox, { services: { "org.example.drop": scripted.address } });
    const answer = await post(`${bridge.url}call/org.example.drop.Do`, {});
    expect(answer.status).toBe(502);
    expect(json(answer)).toEqual({ message: "the service org.example.drop closed the connection before its reply" });
  });

  it("answers 502 when the reply is larger than maxMessageSize", async () => {
    const { bridge } = await webBridge(sandbox, { maxMessageSize: 1000 });
    const answer = await post(`${bridge.url}call/${WEB}.Ping`, { ping: "p".repeat(985) });
    expect(answer.status).toBe(502);
    expect((json(answer) as { message: string }).message).toMatch(/maximum size of 1000 bytes/);
  });

  it("answers 502 when the service answers with something that is not a reply", async () => {
    const scripted = await scriptedService(sandbox, (_text, connection) => connection.socket.write("[1]\0"));
    const bridge = await startBridge(sandbox, { services: { "org.example.odd": scripted.address } });
    const answer = await post(`${bridge.url}call/org.example.odd.Do`, {});
    expect(answer.status).toBe(502);
    expect((json(answer) as { message: string }).message).toMatch(/sent an invalid reply/);
  });

  it("keeps serving after clients that send garbage and go away mid-request", async () => {
    const { bridge } = await webBridge(sandbox);
    const { port } = bridge;
    const { connect } = await import("node:net");
    for (const bytes of ["GARBAGE\r\n\r\n", `POST /call/${WEB}.Ping HTTP/1.1\r\nContent-Length: 100\r\n\r\n{"pi`, "\u0000\u0001\u0002"]) {
      await new Promise<void>((resolve) => {
        const socket = connect(port, "127.0.0.1", () => {
          socket.write(bytes, () => {
            socket.destroy();
            resolve();
          });
        });
        socket.on("error", () => resolve());
      });
    }
    const answer = await post(`${bridge.url}call/${WEB}.Ping`, { ping: "still" });
    expect(json(answer)).toEqual({ pong: "still" });
    expect(sandbox.log.lines).toEqual([]);
  });
});

describe("GET routes", () => {
  it("answers health with 200", async () => {
    const { bridge } = await webBridge(sandbox);
    const answer = await send(`${bridge.url}health`);
    expect(answer.status).toBe(200);
    expect(json(answer)).toEqual({ status: "ok" });
    const head = await send(`${bridge.url}health`, { method: "HEAD" });
    expect([head.status, head.body.length]).toEqual([200, 0]);
  });

  it("lists the services", async () => {
    const { address } = await startWebService(sandbox);
    const bridge = await startBridge(sandbox, { services: { [WEB]: address, "org.example.other": address } });
    const answer = await send(`${bridge.url}services`);
    expect(answer.status).toBe(200);
    expect(json(answer)).toEqual({ services: ["org.example.other", WEB] });
  });

  it("answers a service's GetInfo", async () => {
    const { bridge } = await webBridge(sandbox);
    const answer = await send(`${bridge.url}services/${WEB}`);
    expect(answer.status).toBe(200);
    expect(json(answer)).toEqual({
      vendor: "Example",
      product: "web",
      version: "7",
      url: "https://example.org/web",
      interfaces: ["org.varlink.service", WEB],
    });
  });

  it("lists an interface's methods, unqualified, in the order of its definition", async () => {
    const { bridge } = await webBridge(sandbox);
    const answer = await send(`${bridge.url}services/${WEB}/${WEB}`);
    expect(answer.status).toBe(200);
    expect(json(answer)).toEqual({ methods: ["Ping", "Fail", "Count", "Forever", "Note", "Upgrade", "Missing"] });
    const service = await send(`${bridge.url}services/${WEB}/org.varlink.service`);
    expect(json(service)).toEqual({
      methods: ["GetInfo", "GetInterfaceDescription"],
    });
  });

  it("answers 400 itself for a malformed interface name, and 404 for a well-formed one the service calls an invalid parameter", async () => {
    // As the Go implementation does: InvalidParameter(interface) for an interface it lacks.
    const scripted = await scriptedService(sandbox, (_text, connection) => {
      connection.socket.write('{"error":"org.varlink.service.InvalidParameter","parameters":{"parameter":"interface"}}\0');
    });
    const bridge = await startBridge(sandbox, { services: { "org.example.go": scripted.address } });
    const missing = await send(`${bridge.url}services/org.example.go/org.example.gone`);
    expect(missing.status).toBe(404);
    expect(json(missing)).toEqual({ error: "org.varlink.service.InterfaceNotFound", parameters: { interface: "org.example.gone" } });
    for (const name of ["nodots", "org..example", "org.example.", "-org.example"]) {
      const malformed = await send(`${bridge.url}services/org.example.go/${encodeURIComponent(name)}`);
      expect(malformed.status, name).toBe(400);
      expect(json(malformed), name).toEqual({ message: `${JSON.stringify(name)} is not an interface name such as org.example.more` });
    }
    // Only the well-formed name reached the service.
    expect(scripted.connections.flatMap((connection) => connection.received)).toEqual([
      '{"method":"org.varlink.service.GetInterfaceDescription","parameters":{"interface":"org.example.gone"}}',
    ]);
  });

  it("answers 404 InterfaceNotFound for an interface the service lacks", async () => {
    const { bridge } = await webBridge(sandbox);
    const answer = await send(`${bridge.url}services/${WEB}/org.example.gone`);
    expect(answer.status).toBe(404);
    expect(json(answer)).toEqual({ error: "org.varlink.service.InterfaceNotFound", parameters: { interface: "org.example.gone" } });
  });

  it("serves every route under the base path", async () => {
    const { bridge } = await webBridge(sandbox, { basePath: "waldo" });
    expect(bridge.url).toBe(`http://127.0.0.1:${bridge.port}/waldo/`);
    expect((await send(`${bridge.url}health`)).status).toBe(200);
    expect(json(await post(`${bridge.url}call/${WEB}.Ping`, { ping: "w" }))).toEqual({ pong: "w" });
  });
});

/** Sends `text` on a connection of its own and resolves with all that comes back until the bridge closes it. */
function rawExchange(port: number, ...pieces: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, "127.0.0.1");
    let received = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (received += chunk));
    socket.on("end", () => {
      socket.end();
      resolve(received);
    });
    socket.on("error", reject);
    socket.on("connect", () => {
      // In separate writes: the body need not come with the head.
      for (const piece of pieces) socket.write(piece);
    });
  });
}

/** The parts of a raw HTTP/1.1 answer with a Content-Length body. */
function parseAnswer(text: string): { status: number; headers: Record<string, string>; body: string } {
  const end = text.indexOf("\r\n\r\n");
  const [statusLine = "", ...lines] = text.slice(0, end).split("\r\n");
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
  return { status: Number(statusLine.split(" ")[1]), headers, body: Buffer.from(text.slice(end + 4), "latin1").toString("utf8") };
}

describe("requests that ask to upgrade to something other than WebSocket", () => {
  const H2C = "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n";

  it("answers a POST call with Upgrade: h2c (curl --http2) as HTTP/1.1, then closes", async () => {
    const { bridge } = await webBridge(sandbox);
    const body = '{"ping":"h2c ü"}';
    const text = await rawExchange(
      bridge.port,
      `POST /call/${WEB}.Ping HTTP/1.1\r\nHost: 127.0.0.1:${bridge.port}\r\n${H2C}Content-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n{"ping":`,
      body.slice('{"ping":'.length),
    );
    const answer = parseAnswer(text);
    expect(text.startsWith("HTTP/1.1 200 OK\r\n")).toBe(true);
    expect(answer.headers["connection"]).toBe("close");
    expect(answer.headers["upgrade"]).toBeUndefined();
    expect(JSON.parse(answer.body)).toEqual({ pong: "h2c ü" });
  });

  it("answers a GET with Upgrade: h2c (HTTP/2-first clients) as HTTP/1.1", async () => {
    const { bridge } = await webBridge(sandbox);
    const answer = parseAnswer(await rawExchange(bridge.port, `GET /services HTTP/1.1\r\nHost: localhost:${bridge.port}\r\n${H2C}\r\n`));
    expect(answer.status).toBe(200);
    expect(answer.headers["connection"]).toBe("close");
    expect(JSON.parse(answer.body)).toEqual({ services: [WEB] });
  });

  it("reads a chunked body, streams json-seq, and keeps the checks", async () => {
    const { bridge } = await webBridge(sandbox, { tokens: ["t"] });
    const head = `POST /call/${WEB}.Count HTTP/1.1\r\nHost: 127.0.0.1\r\n${H2C}Authorization: Bearer t\r\nAccept: application/json-seq\r\n`;
    const text = await rawExchange(bridge.port, `${head}Transfer-Encoding: chunked\r\n\r\n3\r\n{"n`, "\r\n4\r\n\":2}\r\n0\r\n\r\n");
    expect(text.startsWith("HTTP/1.1 200 OK\r\n")).toBe(true);
    expect(text).toMatch(/\r\ncontent-type: application\/json-seq\r\n/i);
    expect(text).toContain('\u001e{"i":0}\n');
    expect(text).toContain('\u001e{"i":1}\n');
    const unauthorized = parseAnswer(await rawExchange(bridge.port, `GET /services HTTP/1.1\r\nHost: 127.0.0.1\r\n${H2C}\r\n`));
    expect(unauthorized.status).toBe(401);
    const rebound = parseAnswer(await rawExchange(bridge.port, `GET /services HTTP/1.1\r\nHost: evil.example\r\n${H2C}Authorization: Bearer t\r\n\r\n`));
    expect(rebound.status).toBe(403);
  });
});

describe("oneway calls", () => {
  it("closes the service's connection when the client goes away while the service does not read the call", async () => {
    // A service that accepts and then reads nothing: the call (larger than the socket's buffers) cannot be written.
    const accepted: Socket[] = [];
    const deaf = createServer((socket) => {
      socket.pause();
      socket.on("error", () => undefined);
      accepted.push(socket);
    });
    const path = join(await sandbox.tempDir(), "deaf.sock");
    await new Promise<void>((resolve) => deaf.listen(path, resolve));
    try {
      const bridge = await startBridge(sandbox, { services: { "org.example.deaf": `unix:${path}` } });
      const body = JSON.stringify({ text: "x".repeat(8 * 1024 * 1024) });
      const outgoing = request(`${bridge.url}call/org.example.deaf.Note?oneway=true`, {
        method: "POST",
        headers: { "Content-Length": String(body.length) },
        agent: false,
      });
      outgoing.on("error", () => undefined);
      outgoing.end(body);
      await until(() => accepted.length === 1);
      // The client gives up waiting for its 204.
      outgoing.destroy();
      const service = accepted[0]!;
      // The service notices its connection is gone when it writes to it (it reads nothing).
      await until(() => {
        if (!service.destroyed) service.write(" ");
        return service.destroyed;
      });
      // Closed by the bridge for its client, not failed: nothing to log.
      expect(sandbox.log.lines).toEqual([]);
    } finally {
      for (const socket of accepted) socket.destroy();
      await new Promise<void>((resolve) => deaf.close(() => resolve()));
    }
  });
});

describe("services", () => {
  it("serves a VarlinkService of this process given in services", async () => {
    const hooks = new WebHooks();
    const service = sandbox.track(createWebService(hooks));
    const bridge = await startBridge(sandbox, { services: { [WEB]: service } });
    expect(json(await post(`${bridge.url}call/${WEB}.Ping`, { ping: "in process" }))).toEqual({ pong: "in process" });
    expect((await post(`${bridge.url}call/${WEB}.Fail`, { kind: "PermissionDenied" })).status).toBe(403);
    expect(json(await send(`${bridge.url}services/${WEB}/${WEB}`))).toMatchObject({ methods: expect.arrayContaining(["Ping"]) });
    expect((await post(`${bridge.url}call/${WEB}.Note?oneway=true`, { text: "kept" })).status).toBe(204);
    expect(await hooks.noted.promise).toBe("kept");
  });

  it("finds services through the resolver, and lists what it knows", async () => {
    const { address } = await startWebService(sandbox);
    const resolverAddress = await startResolver({ [WEB]: address });
    const { address: configured } = await startWebService(sandbox);
    const bridge = await startBridge(sandbox, { services: { "org.example.local": configured }, resolver: resolverAddress });
    expect(json(await send(`${bridge.url}services`))).toEqual({ services: ["org.example.local", WEB, "org.varlink.resolver"] });
    expect(json(await post(`${bridge.url}call/${WEB}.Ping`, { ping: "resolved" }))).toEqual({ pong: "resolved" });
    expect(json(await send(`${bridge.url}services/${WEB}`))).toMatchObject({ product: "web" });
  });

  it("answers 404 for a name the resolver does not know", async () => {
    const bridge = await startBridge(sandbox, { resolver: await startResolver({}) });
    const answer = await post(`${bridge.url}call/org.example.anything.Do`, {});
    expect(answer.status).toBe(404);
    expect(json(answer)).toEqual({ message: 'no service named "org.example.anything"' });
  });

  it("answers 502 when the resolver cannot be reached, without its address", async () => {
    const resolver = await nowhere(sandbox);
    const bridge = await startBridge(sandbox, { resolver });
    const answer = await post(`${bridge.url}call/org.example.anything.Do`, {});
    expect(answer.status).toBe(502);
    expect(json(answer)).toEqual({ message: "cannot resolve the service org.example.anything" });
    const services = await send(`${bridge.url}services`);
    expect(services.status).toBe(502);
    expect(json(services)).toEqual({ message: "cannot list the services of the resolver" });
    expect(sandbox.log.lines).toEqual([
      `varlink http bridge: cannot resolve the service org.example.anything with the resolver at ${resolver}`,
      `varlink http bridge: cannot list the services of the resolver at ${resolver}`,
    ]);
  });
});

/** A resolver (org.varlink.resolver) on a unix socket that knows `addresses`; returns its address. */
async function startResolver(addresses: Record<string, string>): Promise<string> {
  const resolver = sandbox.track(
    new VarlinkService({ vendor: "Example", product: "resolver", version: "1", url: "https://example.org" }),
  );
  resolver.addInterface(RESOLVER_INTERFACE, {
    GetInfo: () => ({
      vendor: "Example",
      product: "resolver",
      version: "1",
      url: "https://example.org",
      interfaces: [...Object.keys(addresses), "org.varlink.resolver"],
    }),
    Resolve: ({ interface: name }: { interface: string }) => {
      const address = addresses[name];
      if (address === undefined) throw new VarlinkError("org.varlink.resolver.InterfaceNotFound", { interface: name });
      return { address };
    },
  });
  const address = `unix:${await sandbox.tempDir()}/resolver.sock`;
  await resolver.listen(address);
  return address;
}

const RESOLVER_INTERFACE = `interface org.varlink.resolver
method GetInfo() -> (vendor: string, product: string, version: string, url: string, interfaces: []string)
method Resolve(interface: string) -> (address: string)
error InterfaceNotFound (interface: string)
`;
