/**
 * org.varlink.certification for tests: a certification server written against the generated
 * module (fixtures/generated), as a class (so `register` must keep `this`), which checks every
 * call like the reference servers do and answers End with whether the whole sequence was right;
 * and the check of what this project's certification client prints.
 */
import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { expect } from "vitest";
import { ExpectedMoreError } from "@varlink-ts/runtime";
import type { CallContext, JsonObject } from "@varlink-ts/runtime";
import { OrgVarlinkCertification as Cert } from "../../../fixtures/generated/index.js";
import type { Child } from "./child.js";

export const STRUCT = { bool: false, int: 2, float: 3.5, string: "a lot of string" };
export const MAP = { foo: "Foo", bar: "Bar" };
export const SET = { one: {}, two: {}, three: {} };
export const MYTYPE: Cert.MyType = {
  object: { method: "org.varlink.certification.Test09", parameters: { map: MAP } },
  enum: "two",
  struct: { first: 1, second: "2" },
  array: ["one", "two", "three"],
  dictionary: MAP,
  stringset: SET,
  interface: {
    foo: [null, { foo: "foo", bar: "bar" }, null, { one: "foo", two: "bar" }],
    anon: { foo: true, bar: false },
  },
};
export const REPLIES = Array.from({ length: 10 }, (_, index) => `Reply number ${index + 1}`);

/** A certification server as a class, so `register` must keep `this`. */
export class CertificationServer implements Cert.Handlers {
  private readonly clients = new Map<string, { failed: boolean; lastMoreReplies?: string[] }>();

  start(): Cert.StartResult {
    const clientId = randomUUID();
    this.clients.set(clientId, { failed: false });
    return { client_id: clientId };
  }

  test01({ client_id }: Cert.Test01Parameters): Cert.Test01Result {
    this.client(client_id);
    return { bool: true };
  }

  test02({ client_id, bool }: Cert.Test02Parameters): Cert.Test02Result {
    this.expect(client_id, { bool: true }, { bool });
    return { int: 1 };
  }

  test03({ client_id, int }: Cert.Test03Parameters): Cert.Test03Result {
    this.expect(client_id, { int: 1 }, { int });
    return { float: 1.5 };
  }

  test04({ client_id, float }: Cert.Test04Parameters): Cert.Test04Result {
    this.expect(client_id, { float: 1.5 }, { float });
    return { string: "ping" };
  }

  test05({ client_id, string }: Cert.Test05Parameters): Cert.Test05Result {
    this.expect(client_id, { string: "ping" }, { string });
    return STRUCT;
  }

  test06({ client_id, ...rest }: Cert.Test06Parameters): Cert.Test06Result {
    this.expect(client_id, STRUCT, rest);
    return { struct: STRUCT };
  }

  test07({ client_id, struct }: Cert.Test07Parameters): Cert.Test07Result {
    this.expect(client_id, STRUCT, struct);
    return { map: MAP };
  }

  test08({ client_id, map }: Cert.Test08Parameters): Cert.Test08Result {
    this.expect(client_id, MAP, map);
    return { set: SET };
  }

  test09({ client_id, set }: Cert.Test09Parameters): Cert.Test09Result {
    this.expect(client_id, SET, set);
    return { mytype: MYTYPE };
  }

  async *test10(
    { client_id, mytype }: Cert.Test10Parameters,
    context: CallContext,
  ): AsyncIterable<Cert.Test10Result> {
    this.expect(client_id, MYTYPE, mytype);
    if (!context.more) throw new ExpectedMoreError();
    for (const string of REPLIES) yield { string };
  }

  test11({ client_id, last_more_replies }: Cert.Test11Parameters, context: CallContext): void {
    this.expect(client_id, { last_more_replies: REPLIES }, { last_more_replies });
    if (!context.oneway) this.client(client_id).failed = true;
    this.client(client_id).lastMoreReplies = last_more_replies;
  }

  end({ client_id }: Cert.EndParameters): Cert.EndResult {
    const state = this.client(client_id);
    this.clients.delete(client_id);
    return { all_ok: !state.failed && state.lastMoreReplies !== undefined };
  }

  private client(clientId: string): { failed: boolean; lastMoreReplies?: string[] } {
    const state = this.clients.get(clientId);
    if (state === undefined) throw new Cert.ClientIdError();
    return state;
  }

  /** Fails the client unless `got` is `wants`; both are objects, as the error's fields must be. */
  private expect(clientId: string, wants: object, got: object): void {
    const state = this.client(clientId);
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(wants)), JSON.parse(JSON.stringify(got)))) {
      state.failed = true;
      throw new Cert.CertificationError({ wants: wants as JsonObject, got: got as JsonObject });
    }
  }
}

const STEPS_BEFORE_TEST10 = ["Start", ...Array.from({ length: 9 }, (_, i) => `Test0${i + 1}`)];

/**
 * Checks what this project's certification client (examples/certification, `--client`) printed:
 * every step in order, each with its reply, Test10's ten replies, and `End: true` last.
 */
export function expectCertifiedClientOutput(stdout: string): void {
  const lines = stdout.split("\n");
  expect(lines.pop()).toBe("");
  const steps = lines.map((line) => line.slice(0, line.indexOf(":")));
  expect(steps).toEqual([...STEPS_BEFORE_TEST10, ...Array<string>(10).fill("Test10"), "Test11", "End"]);
  const value = (index: number): unknown => JSON.parse(lines[index]!.slice(lines[index]!.indexOf(":") + 1));
  expect(value(0)).toEqual(expect.any(String));
  expect(lines.slice(1, 5)).toEqual(["Test01: true", "Test02: 1", "Test03: 1", 'Test04: "ping"']);
  expect(value(7)).toEqual({ foo: "Foo", bar: "Bar" });
  expect(value(8)).toEqual({ one: {}, two: {}, three: {} });
  expect(lines.slice(10, 20)).toEqual(Array.from({ length: 10 }, (_, i) => `Test10: "Reply number ${i + 1}"`));
  expect(lines.at(-1)).toBe("End: true");
}

/** Waits for this project's certification client to exit 0 and checks what it printed. */
export async function expectClientCertified(client: Child): Promise<void> {
  expect(await client.exited).toBe(0);
  expectCertifiedClientOutput(client.stdout());
}
