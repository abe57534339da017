/**
 * Compile-time proof that generated types reject misuse: every `@ts-expect-error` line must
 * fail to compile, and everything else must compile. typecheck.test.ts runs tsc on this file
 * under strict settings; an unused `@ts-expect-error` is itself an error, so a generator that
 * produced looser types would fail it.
 */
import type { VarlinkService } from "@varlink-ts/runtime";
import {
  OrgExampleComplex as Complex,
  OrgExampleMore as More,
  OrgVarlinkCertification as Cert,
} from "../../../../fixtures/generated/index.js";

declare const more: More.Client;
declare const complex: Complex.Client;
declare const certification: Cert.Client;
declare const service: VarlinkService;
declare const foo: Complex.TypeFoo;

/** Uses that must compile. */
export async function correctUse(): Promise<void> {
  const { pong } = await more.ping({ ping: "x" });
  pong satisfies string;
  for await (const { state } of more.testMore({ n: 3 }, { more: true, timeout: 1000 })) {
    state.progress satisfies number | null | undefined;
  }
  (await more.ping({ ping: "x" }, { oneway: true })) satisfies void;
  const upgraded = await more.ping({ ping: "x" }, { upgrade: true });
  upgraded.parameters.pong satisfies string;
  await more.stopServing();
  await more.stopServing({ reason: null });
  await complex.foo({ enum: { b: true, c: 1 }, foo, interface: "b" });
  const { mytype } = await certification.test09({ client_id: "id", set: { one: {} } });
  mytype.enum satisfies "one" | "two" | "three";
  More.register(service, {
    ping: ({ ping }) => ({ pong: ping }),
    stopServing: () => undefined,
    async *testMore() {
      yield { state: { end: true } };
    },
  });
  throw new More.TestMoreError({ reason: "because" });
}

/** Misuse that must not compile. */
export async function misuse(): Promise<void> {
  // @ts-expect-error a field of the wrong type
  await more.ping({ ping: 1 });
  // @ts-expect-error a required field missing
  await more.ping({});
  // @ts-expect-error parameters left out although a field is required
  await more.ping();
  // @ts-expect-error a field the method does not have
  await more.ping({ ping: "x", pong: "y" });
  // @ts-expect-error a value that is not one of the enum's
  await complex.foo({ enum: { b: true, c: 1 }, foo, interface: "d" });
  // @ts-expect-error a value outside an anonymous enum
  const bar: Complex.ErrorFooParametersBar = "while";
  void bar;
  const result = await more.ping({ ping: "x" });
  // @ts-expect-error a field the result does not have
  void result.pang;
  // @ts-expect-error a nullable field still has a type
  await more.stopServing({ reason: 5 });
  // @ts-expect-error a oneway call resolves to nothing, not a reply
  const nothing: More.PingResult = await more.ping({ ping: "x" }, { oneway: true });
  void nothing;
  // @ts-expect-error a more call gives an async iterable, not a reply
  void (await more.testMore({ n: 1 }, { more: true })).state;
  // @ts-expect-error a map's values have the declared type
  await certification.test08({ client_id: "id", map: { a: 1 } });
  // @ts-expect-error a string set's values are empty objects
  await certification.test09({ client_id: "id", set: { one: true } });
  More.register(service, {
    // @ts-expect-error a handler must return the method's result
    ping: () => ({ pang: "x" }),
  });
  // @ts-expect-error an error class takes its declared parameters
  throw new More.TestMoreError({ reason: 1 });
}
