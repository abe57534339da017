/**
 * `context.message`: the call exactly as sent, for services that check calls strictly.
 */
import { afterEach, expect, it } from "vitest";
import { VarlinkService, type CallContext } from "@varlink-ts/runtime";
import { INFO, Sandbox } from "@varlink-ts/test-kit";

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

it("hands the handler the call object as sent, false flags and extension keys included", async () => {
  const seen: object[] = [];
  const service = new VarlinkService(INFO, { logger: sandbox.log.logger });
  service.addInterface("interface org.example.strict\n\nmethod Check(n: int) -> ()\n", {
    Check: (_parameters: object, context: CallContext) => {
      seen.push(context.message);
    },
  });
  const client = await sandbox.raw(await sandbox.serve(service));
  client.send({ method: "org.example.strict.Check", parameters: { n: 1 }, more: false, "org.example.trace": "t1" });
  expect(await client.nextText()).toBe('{"parameters":{}}');
  client.send({ method: "org.example.strict.Check", parameters: { n: 2 } });
  expect(await client.nextText()).toBe('{"parameters":{}}');
  expect(seen).toEqual([
    { method: "org.example.strict.Check", parameters: { n: 1 }, more: false, "org.example.trace": "t1" },
    { method: "org.example.strict.Check", parameters: { n: 2 } },
  ]);
});
