/**
 * Simple HTTP mode over real sockets: every route, the whole status mapping, oneway, integers
 * that must keep their digits, malformed requests, and services given in-process or found
 * through a resolver.
 */
import { afterEach, describe, expect, it } from "vitest";
import { VarlinkError, VarlinkService } from "@varlink-ts/runtime";
import { createWebService, Harness, Hooks, json, post, send, WEB } from "./harness.js";

const harness = new Harness();
afterEach(() => harness.cleanup());

describe("POST call", () => {
  it("answers 200 with the reply's parameters, the service taken from the method", async () => {
    const { bridge } = await harness.webBridge();
    const answer = await post(`${bridge.url}call/${WEB}.Ping`, { ping: "hello" });
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("application/json");
    expect(json(answer)).toEqual({ pong: "hello" });
  });

  it("calls a named service with call/{service}/{method}", async () => {
    const { bridge } = await harness.webBridge();
    const answer = await post(`${bridge.url}call/${WEB}/org.varlink.service.GetInfo`, "");
    expect(answer.status).toBe(200);
    expect(json(answer)).toMatchObject({ vendor: "Example", product: "web", version: "7" });
  });

  it("calls a named service with ?service=, and takes an empty body as {}", async () => {
    const { bridge } = await harness.webBridge();
    const answer = await post(`${bridge.url}call/org.varlink.service.GetInfo?service=${WEB}`, "");
    expect(answer.status).toBe(200);
    expect(json(answer)).toMatchObject({ interfaces: ["org.varlink.service", WEB] });
  });

  it("answers {} for a reply without parameters", async () => {
    const { bridge } = await harness.webBridge();
    const answer = await post(`${bridge.url}call/${WEB}.Note`, { text: "x" });
    expect(answer.status).toBe(200);
    expect(json(answer)).toEqual({});
  });

  it("answers a oneway call with 204 and no body, and the service gets the call", async () => {
    const { bridge, hooks } = await harness.webBridge();
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
    const { bridge } = await harness.webBridge();
    const answer = await post(`${bridge.url}call/${WEB}.Fail`, { kind });
    expect(answer.status).toBe(status);
    expect(json(answer)).toEqual({ error, parameters });
  });

  it("passes the errors the service itself makes", async () => {
    const { bridge } = await harness.webBridge();
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
    const scripted = await harness.scriptedService((_text, connection) => {
      connection.socket.write(
        '{"parameters":{"max":9223372036854775807,"min":-9223372036854775808,"list":[18446744073709551615,1.5e300],"nested":{"n":12345678901234567890}}}\0',
      );
    });
    const bridge = await harness.bridge({ services: { "org.example.big": scripted.address } });
    const body = '{"id":9223372036854775807,"ids":[-9223372036854775807]}';
    const answer = await post(`${bridge.url}call/org.example.big.Get`, body);
    expect(answer.status).toBe(200);
    expect(answer.text).toBe(
      '{"max":9223372036854775807,"min":-9223372036854775808,"list":[18446744073709551615,1.5e300],"nested":{"n":12345678901234567890}}',
    );
    expect(scripted.connections[0]?.received).toEqual([`{"method":"org.example.big.Get","parameters":${body}}`]);
  });

  it("passes an error's parameters through with every digit", async () => {
    const scripted = await harness.scriptedService((_text, connection) => {
      connection.socket.write('{"error":"org.example.big.TooBig","parameters":{"limit":9007199254740993}}\0');
    });
    const bridge = await harness.bridge({ services: { "org.example.big": scripted.address } });
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
    const { bridge } = await harness.webBridge();
    const answer = await post(`${bridge.url}call/${WEB}.Ping`, body);
    expect(answer.status).toBe(400);
    expect(json(answer)).toEqual({ message: expect.any(String) });
  });

  it("answers 400 for a body that is not UTF-8", async () => {
    const { bridge } = await harness.webBridge();
    const answer = await send(`${bridge.url}call/${WEB}.Ping`, {
      method: "POST",
      body: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
    });
    expect(answer.status).toBe(400);
    expect(json(answer)).toEqual({ message: "the request body is not valid UTF-8" });
  });

  it("answers 400 for a method name that is not fully qualified", async () => {
    const { bridge } = await harness.webBridge();
    for (const method of ["Ping", "org.example.web.ping", ".Ping"]) {
      const answer = await post(`${bridge.url}call/${method}`, {});
      expect(answer.status, method).toBe(400);
    }
  });

  it("answers 400 for ?oneway= other than true or false", async () => {
    const { bridge } = await harness.webBridge();
    const answer = await post(`${bridge.url}call/${WEB}.Note?oneway=yes`, { text: "x" });
    expect(answer.status).toBe(400);
  });

  it("answers 404 with a message for an unknown service, on call and introspection routes", async () => {
    const { bridge } = await harness.webBridge();
    const call = await post(`${bridge.url}call/org.example.unknown.Do`, {});
    expect(call.status).toBe(404);
    expect(json(call)).toEqual({ message: 'no service named "org.example.unknown"' });
    const info = await send(`${bridge.url}services/org.example.unknown`);
    expect(info.status).toBe(404);
  });

  it("answers 404 for unknown routes and paths outside the base path", async () => {
    const { bridge } = await harness.webBridge({ basePath: "/waldo/" });
    for (const path of ["/waldo/nothing", "/waldo/call", "/waldo/ws/services", "/health", "/waldo/services/a/b/c"]) {
      const answer = await send(new URL(path, bridge.url).toString());
      expect(answer.status, path).toBe(404);
      expect(json(answer), path).toEqual({ message: expect.any(String) });
    }
  });

  it("answers 405 with Allow for the wrong HTTP method", async () => {
    const { bridge } = await harness.webBridge();
    const get = await send(`${bridge.url}call/${WEB}.Ping`);
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe("POST");
    const postServices = await post(`${bridge.url}services`, {});
    expect(postServices.status).toBe(405);
    expect(postServices.headers.allow).toBe("GET, HEAD");
  });

  it("answers 426 for a GET of a WebSocket route without an upgrade", async () => {
    const { bridge } = await harness.webBridge();
    const answer = await send(`${bridge.url}ws/services/${WEB}`);
    expect(answer.status).toBe(426);
  });

  it("answers 502 when the service cannot be reached", async () => {
    const bridge = await harness.bridge({ services: { "org.example.away": await harness.nowhere() } });
    const answer = await post(`${bridge.url}call/org.example.away.Do`, {});
    expect(answer.status).toBe(502);
    expect((json(answer) as { message: string }).message).toMatch(/cannot connect to the service org\.example\.away/);
  });

  it("answers 502 when the service closes the connection during the call", async () => {
    const scripted = await harness.scriptedService((_text, connection) => connection.socket.destroy());
    const bridge = await harness.bridge({ services: { "org.example.drop": scripted.address } });
    const answer = await post(`${bridge.url}call/org.example.drop.Do`, {});
    expect(answer.status).toBe(502);
    expect(json(answer)).toEqual({ message: "the service org.example.drop closed the connection before its reply" });
  });

  it("answers 502 when the reply is larger than maxMessageSize", async () => {
    const { bridge } = await harness.webBridge({ maxMessageSize: 1000 });
    const answer = await post(`${bridge.url}call/${WEB}.Ping`, { ping: "p".repeat(985) });
    expect(answer.status).toBe(502);
    expect((json(answer) as { message: string }).message).toMatch(/maximum size of 1000 bytes/);
  });

  it("answers 502 when the service answers with something that is not a reply", async () => {
    const scripted = await harness.scriptedService((_text, connection) => connection.socket.write("[1]\0"));
    const bridge = await harness.bridge({ services: { "org.example.odd": scripted.address } });
    const answer = await post(`${bridge.url}call/org.example.odd.Do`, {});
    expect(answer.status).toBe(502);
    expect((json(answer) as { message: string }).message).toMatch(/sent an invalid reply/);
  });

  it("keeps serving after clients that send garbage and go away mid-request", async () => {
    const { bridge } = await harness.webBridge();
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
    expect(harness.logs).toEqual([]);
  });
});

describe("GET routes", () => {
  it("answers health with 200", async () => {
    const { bridge } = await harness.webBridge();
    const answer = await send(`${bridge.url}health`);
    expect(answer.status).toBe(200);
    expect(json(answer)).toEqual({ status: "ok" });
    const head = await send(`${bridge.url}health`, { method: "HEAD" });
    expect([head.status, head.body.length]).toEqual([200, 0]);
  });

  it("lists the services", async () => {
    const { address } = await harness.webService();
    const bridge = await harness.bridge({ services: { [WEB]: address, "org.example.other": address } });
    const answer = await send(`${bridge.url}services`);
    expect(answer.status).toBe(200);
    expect(json(answer)).toEqual({ services: ["org.example.other", WEB] });
  });

  it("answers a service's GetInfo", async () => {
    const { bridge } = await harness.webBridge();
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
    const { bridge } = await harness.webBridge();
    const answer = await send(`${bridge.url}services/${WEB}/${WEB}`);
    expect(answer.status).toBe(200);
    expect(json(answer)).toEqual({ methods: ["Ping", "Fail", "Count", "Forever", "Note", "Upgrade", "Missing"] });
    const service = await send(`${bridge.url}services/${WEB}/org.varlink.service`);
    expect(json(service)).toEqual({
      methods: ["GetInfo", "GetInterfaceDescription"],
    });
  });

  it("answers 404 InterfaceNotFound for an interface the service lacks", async () => {
    const { bridge } = await harness.webBridge();
    const answer = await send(`${bridge.url}services/${WEB}/org.example.gone`);
    expect(answer.status).toBe(404);
    expect(json(answer)).toEqual({ error: "org.varlink.service.InterfaceNotFound", parameters: { interface: "org.example.gone" } });
  });

  it("serves every route under the base path", async () => {
    const { bridge } = await harness.webBridge({ basePath: "waldo" });
    expect(bridge.url).toBe(`http://127.0.0.1:${bridge.port}/waldo/`);
    expect((await send(`${bridge.url}health`)).status).toBe(200);
    expect(json(await post(`${bridge.url}call/${WEB}.Ping`, { ping: "w" }))).toEqual({ pong: "w" });
  });
});

describe("services", () => {
  it("serves a VarlinkService of this process given in services", async () => {
    const hooks = new Hooks();
    const service = harness.track(createWebService(hooks));
    const bridge = await harness.bridge({ services: { [WEB]: service } });
    expect(json(await post(`${bridge.url}call/${WEB}.Ping`, { ping: "in process" }))).toEqual({ pong: "in process" });
    expect((await post(`${bridge.url}call/${WEB}.Fail`, { kind: "PermissionDenied" })).status).toBe(403);
    expect(json(await send(`${bridge.url}services/${WEB}/${WEB}`))).toMatchObject({ methods: expect.arrayContaining(["Ping"]) });
    expect((await post(`${bridge.url}call/${WEB}.Note?oneway=true`, { text: "kept" })).status).toBe(204);
    expect(await hooks.noted.promise).toBe("kept");
  });

  it("finds services through the resolver, and lists what it knows", async () => {
    const { address } = await harness.webService();
    const resolverAddress = await startResolver({ [WEB]: address });
    const { address: configured } = await harness.webService();
    const bridge = await harness.bridge({ services: { "org.example.local": configured }, resolver: resolverAddress });
    expect(json(await send(`${bridge.url}services`))).toEqual({ services: ["org.example.local", WEB, "org.varlink.resolver"] });
    expect(json(await post(`${bridge.url}call/${WEB}.Ping`, { ping: "resolved" }))).toEqual({ pong: "resolved" });
    expect(json(await send(`${bridge.url}services/${WEB}`))).toMatchObject({ product: "web" });
  });

  it("answers 404 for a name the resolver does not know", async () => {
    const bridge = await harness.bridge({ resolver: await startResolver({}) });
    const answer = await post(`${bridge.url}call/org.example.anything.Do`, {});
    expect(answer.status).toBe(404);
    expect(json(answer)).toEqual({ message: 'no service named "org.example.anything"' });
  });

  it("answers 502 when the resolver cannot be reached", async () => {
    const bridge = await harness.bridge({ resolver: await harness.nowhere() });
    const answer = await post(`${bridge.url}call/org.example.anything.Do`, {});
    expect(answer.status).toBe(502);
    expect((json(answer) as { message: string }).message).toMatch(/cannot resolve the service org\.example\.anything/);
    expect((await send(`${bridge.url}services`)).status).toBe(502);
  });
});

/** A resolver (org.varlink.resolver) on a unix socket that knows `addresses`; returns its address. */
async function startResolver(addresses: Record<string, string>): Promise<string> {
  const resolver = harness.track(
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
  const address = `unix:${await harness.tempDir()}/resolver.sock`;
  await resolver.listen(address);
  return address;
}

const RESOLVER_INTERFACE = `interface org.varlink.resolver
method GetInfo() -> (vendor: string, product: string, version: string, url: string, interfaces: []string)
method Resolve(interface: string) -> (address: string)
error InterfaceNotFound (interface: string)
`;
