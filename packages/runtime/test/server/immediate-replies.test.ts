/**
 * `context.reply()`: replies of a `more` call that go out the moment they exist, for streams
 * such as monitors whose next value may never come.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ExpectedMoreError, VarlinkService, type CallContext } from "@varlink-ts/runtime";
import { deferred, INFO, Sandbox } from "@varlink-ts/test-kit";

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

const MONITOR = `interface org.example.monitor

method Watch(last: int) -> (event: int)
`;

/** A monitor that sends event 1, then waits for the test before sending anything else. */
async function serveMonitor(gate: Promise<void>, seen: { error?: unknown }) {
  const service = new VarlinkService(INFO, { logger: sandbox.log.logger });
  service.addInterface(MONITOR, {
    Watch: async ({ last }: { last: number }, context: CallContext<{ event: number }>) => {
      try {
        await context.reply({ event: 1 });
        await gate;
        for (let event = 2; event < last; event++) await context.reply({ event });
        return { event: last };
      } catch (error) {
        seen.error = error;
        throw error;
      }
    },
  });
  return sandbox.raw(await sandbox.serve(service));
}

describe("context.reply()", () => {
  it("sends a reply with continues at once, before the handler produces the next", async () => {
    const gate = deferred();
    const client = await serveMonitor(gate.promise, {});
    client.send({ method: "org.example.monitor.Watch", parameters: { last: 4 }, more: true });
    // The handler is blocked on the gate: this reply can only arrive if it was sent immediately.
    expect(await client.nextText()).toBe('{"parameters":{"event":1},"continues":true}');
    gate.resolve();
    expect(await client.nextText()).toBe('{"parameters":{"event":2},"continues":true}');
    expect(await client.nextText()).toBe('{"parameters":{"event":3},"continues":true}');
    expect(await client.nextText()).toBe('{"parameters":{"event":4}}');
  });

  it("is refused for a call made without more, which gets ExpectedMore", async () => {
    const gate = deferred();
    const seen: { error?: unknown } = {};
    const client = await serveMonitor(gate.promise, seen);
    client.send({ method: "org.example.monitor.Watch", parameters: { last: 2 } });
    expect(await client.nextText()).toBe('{"error":"org.varlink.service.ExpectedMore","parameters":{}}');
    expect(seen.error).toBeInstanceOf(ExpectedMoreError);
  });

  it("checks each reply against the method's output and ends the call on a bad one", async () => {
    const service = new VarlinkService(INFO, { logger: sandbox.log.logger, validateReplies: true });
    service.addInterface(MONITOR, {
      Watch: async (_parameters: object, context: CallContext) => {
        await context.reply({ event: "one" });
        return { event: 2 };
      },
    });
    const client = await sandbox.raw(await sandbox.serve(service));
    client.send({ method: "org.example.monitor.Watch", parameters: { last: 2 }, more: true });
    expect(await client.nextText()).toBe('{"error":"org.varlink.service.InternalError","parameters":{}}');
    // Nothing else belongs to that call: the next call's reply is the next message.
    client.send({ method: "org.varlink.service.GetInfo" });
    expect(JSON.parse(await client.nextText())).toMatchObject({ parameters: { product: INFO.product } });
  });
});
