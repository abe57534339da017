import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { VarlinkService } from "@varlink-ts/runtime";
import { parseInterface } from "@varlink-ts/runtime/idl";
import { SERVICE_INTERFACE_SOURCE } from "@varlink-ts/runtime/wire";
import { createTestService, Hooks, INFO, Sandbox, TEST_INTERFACE } from "@varlink-ts/test-kit";

const serviceFixture = readFileSync(
  new URL("../../../../fixtures/interop/org.varlink.service.varlink", import.meta.url),
  "utf8",
);

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

describe("org.varlink.service", () => {
  it("embeds the standard interface text unchanged", () => {
    expect(SERVICE_INTERFACE_SOURCE).toBe(serviceFixture);
  });

  it("answers GetInfo with the service's info and its interfaces in registration order", async () => {
    const service = createTestService(new Hooks());
    service.addInterface("interface org.example.second\nmethod Nothing() -> ()\n", {});
    const client = await sandbox.raw(await sandbox.serve(service));
    client.send({ method: "org.varlink.service.GetInfo" });
    expect(await client.nextText()).toBe(
      '{"parameters":{"vendor":"Example","product":"test","version":"1","url":"https://example.org",' +
        '"interfaces":["org.varlink.service","org.example.test","org.example.second"]}}',
    );
  });

  it("answers GetInterfaceDescription with the exact source text", async () => {
    const client = await sandbox.raw(await sandbox.serve(createTestService(new Hooks())));
    const mine = await client.call({
      method: "org.varlink.service.GetInterfaceDescription",
      parameters: { interface: "org.example.test" },
    });
    expect(mine).toEqual({ parameters: { description: TEST_INTERFACE } });
    const standard = await client.call({
      method: "org.varlink.service.GetInterfaceDescription",
      parameters: { interface: "org.varlink.service" },
    });
    expect(standard).toEqual({ parameters: { description: serviceFixture } });
  });

  it("answers an unknown interface with InvalidParameter(interface), like Go and Rust", async () => {
    const client = await sandbox.raw(await sandbox.serve(createTestService(new Hooks())));
    client.send({
      method: "org.varlink.service.GetInterfaceDescription",
      parameters: { interface: "org.example.nope" },
    });
    expect(await client.nextText()).toBe(
      '{"error":"org.varlink.service.InvalidParameter","parameters":{"parameter":"interface"}}',
    );
    client.send({ method: "org.varlink.service.GetInterfaceDescription", parameters: {} });
    expect(await client.nextText()).toBe(
      '{"error":"org.varlink.service.InvalidParameter","parameters":{"parameter":"interface"}}',
    );
  });
});

describe("addInterface", () => {
  it("rejects a second interface of the same name, org.varlink.service included", () => {
    const service = sandbox.track(createTestService(new Hooks()));
    expect(() => service.addInterface(TEST_INTERFACE, {})).toThrow("interface org.example.test is already registered");
    expect(() => service.addInterface(SERVICE_INTERFACE_SOURCE, {})).toThrow(/org\.varlink\.service/);
  });

  it("rejects handler keys that are not methods, and handlers that are not functions", () => {
    const service = sandbox.track(new VarlinkService(INFO));
    const idl = "interface org.example.ping\nmethod Ping(ping: string) -> (pong: string)\n";
    expect(() => service.addInterface(idl, { ping: () => ({ pong: "" }) })).toThrow(TypeError);
    expect(() => service.addInterface(idl, { ping: () => ({ pong: "" }) })).toThrow("ping is not a method of org.example.ping");
    expect(() => service.addInterface(idl, { Ping: "nope" as never })).toThrow(TypeError);
    // Nothing was registered by the failed attempts.
    expect(() => service.addInterface(idl, { Ping: () => ({ pong: "" }) })).not.toThrow();
  });

  it("takes a parsed definition as well as text, and returns the service for chaining", async () => {
    const service = new VarlinkService(INFO);
    const definition = parseInterface("interface org.example.ping\nmethod Ping(ping: string) -> (pong: string)\n");
    expect(service.addInterface(definition, { Ping: ({ ping }: { ping: string }) => ({ pong: ping }) })).toBe(service);
    const client = await sandbox.raw(await sandbox.serve(service));
    client.send({ method: "org.example.ping.Ping", parameters: { ping: "hi" } });
    expect(await client.nextText()).toBe('{"parameters":{"pong":"hi"}}');
  });

  it("reports IDL syntax errors from text", () => {
    const service = sandbox.track(new VarlinkService(INFO));
    expect(() => service.addInterface("interface org.example.bad\nmethod Ping(", {})).toThrow(/<input>:2:/);
  });
});
