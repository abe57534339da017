import { afterEach, describe, expect, it } from "vitest";
import { createTestService, Hooks, type RawClient, Sandbox } from "@varlink-ts/test-kit";

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

async function client(hooks = new Hooks()): Promise<RawClient> {
  return sandbox.raw(await sandbox.serve(createTestService(hooks, { logger: sandbox.log.logger })));
}

const T = "org.example.test";

describe("dispatch errors", () => {
  it("answers an unknown interface with InterfaceNotFound", async () => {
    const c = await client();
    c.send({ method: "org.example.nope.Ping", parameters: {} });
    expect(await c.nextText()).toBe(
      '{"error":"org.varlink.service.InterfaceNotFound","parameters":{"interface":"org.example.nope"}}',
    );
  });

  it("answers an unknown method with MethodNotFound and the short name", async () => {
    const c = await client();
    c.send({ method: `${T}.Nope` });
    expect(await c.nextText()).toBe('{"error":"org.varlink.service.MethodNotFound","parameters":{"method":"Nope"}}');
    // Method names are looked up as they are: no prototype property passes for a method.
    c.send({ method: `${T}.constructor` });
    expect(await c.nextText()).toBe(
      '{"error":"org.varlink.service.MethodNotFound","parameters":{"method":"constructor"}}',
    );
  });

  it("answers a declared method without handler with MethodNotImplemented and the short name", async () => {
    const c = await client();
    c.send({ method: `${T}.Missing` });
    expect(await c.nextText()).toBe(
      '{"error":"org.varlink.service.MethodNotImplemented","parameters":{"method":"Missing"}}',
    );
  });

  it("treats absent, null and {} parameters alike", async () => {
    const c = await client();
    for (const call of [{ method: `${T}.Notes` }, { method: `${T}.Notes`, parameters: null }, { method: `${T}.Notes`, parameters: {} }]) {
      c.send(call);
      expect(await c.nextText()).toBe('{"parameters":{"notes":[]}}');
    }
  });

  it("accepts reverse-domain extension keys in a call", async () => {
    const c = await client();
    c.send({ method: `${T}.Ping`, parameters: { ping: "x" }, "org.example.trace": "abc" });
    expect(await c.nextText()).toBe('{"parameters":{"pong":"x"}}');
  });
});

describe("InvalidParameter", () => {
  const good = () => ({
    inner: { flag: true },
    list: [{ flag: false, note: "a" }, { flag: true }],
    map: { one: { flag: true, note: null } },
    mode: "fast",
  });

  async function invalid(c: RawClient, outer: unknown): Promise<string> {
    c.send({ method: `${T}.Echo`, parameters: { outer } });
    const reply = (await c.next()) as { error?: string; parameters: { parameter?: string } };
    expect(reply.error).toBe("org.varlink.service.InvalidParameter");
    return reply.parameters.parameter ?? "";
  }

  it("passes well-typed parameters through to the handler", async () => {
    const c = await client();
    const reply = await c.call({ method: `${T}.Echo`, parameters: { outer: good() } });
    expect(reply).toEqual({ parameters: { outer: good() } });
  });

  it("names a missing or mistyped top-level parameter", async () => {
    const c = await client();
    c.send({ method: `${T}.Ping`, parameters: {} });
    expect(await c.nextText()).toBe('{"error":"org.varlink.service.InvalidParameter","parameters":{"parameter":"ping"}}');
    c.send({ method: `${T}.Ping`, parameters: { ping: 1 } });
    expect(await c.nextText()).toBe('{"error":"org.varlink.service.InvalidParameter","parameters":{"parameter":"ping"}}');
    c.send({ method: `${T}.Ping`, parameters: { ping: "x", pong: "y" } });
    expect(await c.nextText()).toBe('{"error":"org.varlink.service.InvalidParameter","parameters":{"parameter":"pong"}}');
  });

  it("names the offending field at depth", async () => {
    const c = await client();
    expect(await invalid(c, { ...good(), inner: { flag: "yes" } })).toBe("outer.inner.flag");
    expect(await invalid(c, { ...good(), list: [{ flag: true }, {}] })).toBe("outer.list[1].flag");
    expect(await invalid(c, { ...good(), map: { one: { flag: true, extra: 1 } } })).toBe("outer.map[one].extra");
    expect(await invalid(c, { ...good(), mode: "warp" })).toBe("outer.mode");
    expect(await invalid(c, { ...good(), list: {} })).toBe("outer.list");
    expect(await invalid(c, { ...good(), maybe: { flag: 1 } })).toBe("outer.maybe.flag");
    const { mode: _, ...noMode } = good();
    expect(await invalid(c, noMode)).toBe("outer.mode");
  });

  it("accepts nullable fields absent or null", async () => {
    const c = await client();
    expect(await c.call({ method: `${T}.Echo`, parameters: { outer: { ...good(), maybe: null } } })).toEqual({
      parameters: { outer: { ...good(), maybe: null } },
    });
    expect(await c.call({ method: `${T}.Echo`, parameters: { outer: { ...good(), maybe: { flag: true } } } })).toEqual({
      parameters: { outer: { ...good(), maybe: { flag: true } } },
    });
  });

  it("treats __proto__ and constructor as ordinary keys and pollutes nothing", async () => {
    const c = await client();
    c.send(`{"method":"${T}.Keys","parameters":{"value":{"__proto__":"a","constructor":"b","prototype":"c"}}}\0`);
    expect(await c.nextText()).toBe('{"parameters":{"keys":["__proto__","constructor","prototype"]}}');
    c.send(`{"method":"${T}.Keys","parameters":{"value":{"__proto__":{"polluted":true}}}}\0`);
    expect(await c.nextText()).toBe(
      '{"error":"org.varlink.service.InvalidParameter","parameters":{"parameter":"value[__proto__]"}}',
    );
    c.send(`{"method":"${T}.Ping","parameters":{"ping":"x","__proto__":{"polluted":true}}}\0`);
    expect(await c.nextText()).toBe(
      '{"error":"org.varlink.service.InvalidParameter","parameters":{"parameter":"__proto__"}}',
    );
    c.send(`{"method":"${T}.Ping","parameters":{"constructor":"x"}}\0`);
    expect(await c.nextText()).toBe('{"error":"org.varlink.service.InvalidParameter","parameters":{"parameter":"constructor"}}');
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });
});

describe("handler outcomes", () => {
  it("sends a thrown VarlinkError as the error reply", async () => {
    const c = await client();
    c.send({ method: `${T}.Fail`, parameters: { kind: "varlink" } });
    expect(await c.nextText()).toBe('{"error":"org.example.test.Boom","parameters":{"reason":"asked"}}');
    c.send({ method: `${T}.Fail`, parameters: { kind: "standard" } });
    expect(await c.nextText()).toBe('{"error":"org.varlink.service.PermissionDenied","parameters":{}}');
    expect(sandbox.log.lines).toEqual([]);
  });

  it("logs any other exception, answers InternalError and keeps serving", async () => {
    const c = await client();
    c.send({ method: `${T}.Fail`, parameters: { kind: "type" } });
    expect(await c.nextText()).toBe('{"error":"org.varlink.service.InternalError","parameters":{}}');
    expect(sandbox.log.lines).toEqual([`varlink: ${T}.Fail failed`]);
    c.send({ method: `${T}.Ping`, parameters: { ping: "still here" } });
    expect(await c.nextText()).toBe('{"parameters":{"pong":"still here"}}');
  });

  it("sends no reply to oneway calls, errors included", async () => {
    const hooks = new Hooks();
    const c = await client(hooks);
    c.send({ method: `${T}.Note`, parameters: { text: "a" }, oneway: true });
    c.send({ method: `${T}.Note`, parameters: { text: "fail" }, oneway: true });
    c.send({ method: `${T}.Note`, parameters: { text: "error" }, oneway: true });
    c.send({ method: `${T}.Note`, parameters: {}, oneway: true });
    c.send({ method: `${T}.Nope`, oneway: true });
    c.send({ method: "org.example.nope.Nope", oneway: true });
    c.send({ method: `${T}.Notes` });
    // The first reply on the wire is the one to Notes: the oneway calls ran, in order, silently.
    expect(await c.nextText()).toBe('{"parameters":{"notes":["a","fail","error"]}}');
    expect(sandbox.log.lines).toEqual([`varlink: ${T}.Note failed`]);
  });

  it("answers pipelined calls in order, whatever each handler does", async () => {
    const c = await client();
    const calls: object[] = [];
    const expected: string[] = [];
    for (let i = 0; i < 40; i++) {
      switch (i % 4) {
        case 0:
          calls.push({ method: `${T}.Ping`, parameters: { ping: `p${i}` } });
          expected.push(`{"parameters":{"pong":"p${i}"}}`);
          break;
        case 1:
          calls.push({ method: `${T}.Count`, parameters: { n: 2 }, more: true });
          expected.push('{"parameters":{"i":0},"continues":true}', '{"parameters":{"i":1}}');
          break;
        case 2:
          calls.push({ method: `${T}.Fail`, parameters: { kind: "varlink" } });
          expected.push('{"error":"org.example.test.Boom","parameters":{"reason":"asked"}}');
          break;
        default:
          calls.push({ method: `${T}.Echo`, parameters: { outer: { inner: { flag: true }, list: [], map: {}, mode: "slow" } } });
          expected.push(`{"parameters":{"outer":{"inner":{"flag":true},"list":[],"map":{},"mode":"slow"}}}`);
      }
    }
    c.send(calls.map((call) => `${JSON.stringify(call)}\0`).join(""));
    const received: string[] = [];
    for (let i = 0; i < expected.length; i++) received.push(await c.nextText());
    expect(received).toEqual(expected);
  });

  it("serves connections concurrently", async () => {
    const hooks = new Hooks();
    const path = await sandbox.serve(createTestService(hooks, { logger: sandbox.log.logger }));
    const first = await sandbox.raw(path);
    const second = await sandbox.raw(path);
    first.send({ method: `${T}.Wait` });
    await hooks.waiting.promise;
    expect(await second.call({ method: `${T}.Ping`, parameters: { ping: "meanwhile" } })).toEqual({
      parameters: { pong: "meanwhile" },
    });
    hooks.gate.resolve();
    expect(await first.nextText()).toBe('{"parameters":{"how":"opened"}}');
  });
});

describe("reply validation", () => {
  async function replyClient(validateReplies: boolean): Promise<RawClient> {
    return sandbox.raw(
      await sandbox.serve(createTestService(new Hooks(), { logger: sandbox.log.logger, validateReplies })),
    );
  }

  it("answers a reply that does not fit the output with InternalError, and logs it", async () => {
    const c = await replyClient(true);
    c.send({ method: `${T}.Reply`, parameters: { value: { text: 1 } } });
    expect(await c.nextText()).toBe('{"error":"org.varlink.service.InternalError","parameters":{}}');
    c.send({ method: `${T}.Reply`, parameters: { value: { text: "ok", extra: true } } });
    expect(await c.nextText()).toBe('{"error":"org.varlink.service.InternalError","parameters":{}}');
    c.send({ method: `${T}.Reply`, parameters: { value: { text: "ok" } } });
    expect(await c.nextText()).toBe('{"parameters":{"text":"ok"}}');
    expect(sandbox.log.lines).toEqual([
      `varlink: ${T}.Reply returned an invalid reply: text: expected a string, got an integer`,
      `varlink: ${T}.Reply returned an invalid reply: extra: unknown field`,
    ]);
  });

  it("sends replies unchecked when validation is off, but never a non-object", async () => {
    const c = await replyClient(false);
    c.send({ method: `${T}.Reply`, parameters: { value: { text: 1 } } });
    expect(await c.nextText()).toBe('{"parameters":{"text":1}}');
    c.send({ method: `${T}.Reply`, parameters: { value: "text" } });
    expect(await c.nextText()).toBe('{"error":"org.varlink.service.InternalError","parameters":{}}');
    c.send({ method: `${T}.Reply`, parameters: { value: [1] } });
    expect(await c.nextText()).toBe('{"error":"org.varlink.service.InternalError","parameters":{}}');
    expect(sandbox.log.lines).toEqual([
      `varlink: ${T}.Reply returned a reply that is not an object`,
      `varlink: ${T}.Reply returned a reply that is not an object`,
    ]);
  });

  it("checks every reply of a more call", async () => {
    const c = await replyClient(true);
    c.send({ method: `${T}.Tick`, parameters: { n: 2, size: 1 }, more: true });
    expect(await c.nextText()).toBe('{"parameters":{"tick":0,"padding":"x"},"continues":true}');
    expect(await c.nextText()).toBe('{"parameters":{"tick":1,"padding":"x"}}');
  });
});
