/**
 * A server under attack at the wire: random bytes, mutated calls, invalid UTF-8 of every kind,
 * call objects with every combination of bad keys and flags, and nesting at and beyond the depth limit.
 * Whatever one connection sends, it is answered where the protocol says so or closed with one log
 * line, and another connection is served afterwards.
 */
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LogLines, type RawClient, Sandbox } from "@varlink-ts/test-kit";
import { createReliabilityService, leaf, R, Seen } from "./reliability-service.js";
import { MAX_MESSAGE_DEPTH } from "@varlink-ts/runtime/wire";

const sandbox = new Sandbox();
const logs = new LogLines();
let path = "";
/** A connection opened before any attack, that must still be served after each. */
let bystander: RawClient;

beforeAll(async () => {
  const address = await sandbox.listen(createReliabilityService(new Seen(), { logger: logs.logger }));
  path = address.slice("unix:".length);
  bystander = await sandbox.raw(path);
});
afterAll(() => sandbox.cleanup());
beforeEach(() => {
  logs.lines.length = 0;
});

const VIOLATION = /^varlink: closing the connection after a protocol violation: /;
const ping = (text: string): string => `{"method":"${R}.Ping","parameters":{"ping":"${text}"}}\0`;

/** The bystander still gets its answer. */
async function serverStillAnswers(): Promise<void> {
  bystander.send(ping("still here"));
  expect(await bystander.nextText()).toBe('{"parameters":{"pong":"still here"}}');
}

/** Everything a connection received until it closed (bounded by the messages it can get). */
async function repliesUntilClosed(client: RawClient, most: number): Promise<string[]> {
  const replies: string[] = [];
  for (let i = 0; i <= most; i++) {
    try {
      replies.push(await client.nextText());
    } catch {
      return replies;
    }
  }
  throw new Error(`more than ${most} replies`);
}

describe("bytes that are not varlink", () => {
  it("closes a connection that sends random bytes, logs once, and serves the others", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 300 }), async (bytes) => {
        logs.lines.length = 0;
        const attacker = await sandbox.raw(path);
        attacker.send(Buffer.concat([Buffer.from(bytes), Buffer.from([0])]));
        expect(await repliesUntilClosed(attacker, 0)).toEqual([]);
        expect(logs.lines).toHaveLength(1);
        expect(logs.lines[0]).toMatch(VIOLATION);
        await serverStillAnswers();
      }),
      { numRuns: 60 },
    );
  });

  it("answers or closes on any byte-level mutation of a valid call, and keeps serving", async () => {
    const valid = Buffer.from(ping("mutate me").slice(0, -1));
    const mutation = fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), {
      minLength: 1,
      maxLength: 4,
    });
    await fc.assert(
      fc.asyncProperty(mutation, async (changes) => {
        const bytes = Buffer.from(valid);
        for (const { at, byte } of changes) bytes[at % bytes.length] = byte;
        const attacker = await sandbox.raw(path);
        // The mutated message, then a good call: either the good call is answered (the
        // connection survived) or the connection is closed; nothing else.
        attacker.send(Buffer.concat([bytes, Buffer.from([0]), Buffer.from(ping("after"))]));
        const nuls = bytes.filter((byte) => byte === 0).length;
        const replies = await repliesUntilClosedOrPong(attacker, nuls + 2);
        for (const reply of replies) expect(() => JSON.parse(reply) as unknown).not.toThrow();
        attacker.socket.destroy();
        await serverStillAnswers();
      }),
      { numRuns: 60 },
    );
  });

  const invalidUtf8: [string, number[]][] = [
    ["an overlong '/'", [0xc0, 0xaf]],
    ["an overlong NUL", [0xc0, 0x80]],
    ["a UTF-16 surrogate half", [0xed, 0xa0, 0x80]],
    ["a code point past U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
    ["a sequence cut short before the quote", [0xe2, 0x82]],
    ["a lone continuation byte", [0x80]],
    ["the bytes 0xFE and 0xFF", [0xfe, 0xff]],
  ];

  it.each(invalidUtf8)("closes a connection whose call contains %s", async (_, bytes) => {
    const attacker = await sandbox.raw(path);
    const [head, tail] = ping("@").split("@") as [string, string];
    attacker.send(Buffer.concat([Buffer.from(head), Buffer.from(bytes), Buffer.from(tail)]));
    expect(await repliesUntilClosed(attacker, 0)).toEqual([]);
    expect(logs.lines).toEqual(["varlink: closing the connection after a protocol violation: message is not valid UTF-8"]);
    await serverStillAnswers();
  });

  it("accepts the edges of valid UTF-8: U+FFFF, U+10FFFF, an emoji, an escaped NUL", async () => {
    const client = await sandbox.raw(path);
    const text = "\uffff \u{10ffff} \u{1f600} \\u0000";
    client.send(ping(text));
    expect(JSON.parse(await client.nextText())).toEqual({ parameters: { pong: "\uffff \u{10ffff} \u{1f600} \u0000" } });
    expect(logs.lines).toEqual([]);
  });
});

/** Reads replies until the pong of the follow-up call, or until the connection closes. */
async function repliesUntilClosedOrPong(client: RawClient, most: number): Promise<string[]> {
  const replies: string[] = [];
  for (let i = 0; i <= most; i++) {
    let reply: string;
    try {
      reply = await client.nextText();
    } catch {
      return replies;
    }
    replies.push(reply);
    if (reply === '{"parameters":{"pong":"after"}}') return replies;
  }
  throw new Error(`more than ${most} replies to ${most - 1} messages`);
}

/** How the server must answer a message, by the protocol. */
type Outcome =
  | { kind: "close" }
  | { kind: "silence" }
  | { kind: "reply"; reply: object; thenClose: boolean };

const KNOWN = new Set(["method", "parameters", "oneway", "more", "upgrade"]);

/** What the server must do with a message whose keys, in order, are `entries` (last one wins). */
function expectedOutcome(entries: readonly (readonly [string, unknown])[]): Outcome {
  const message = new Map(entries);
  for (const key of message.keys()) if (!KNOWN.has(key) && !key.includes(".")) return { kind: "close" };
  const method = message.get("method");
  if (typeof method !== "string" || !method.includes(".")) return { kind: "close" };
  const parameters = message.get("parameters");
  const isObject = typeof parameters === "object" && !Array.isArray(parameters);
  if (parameters !== undefined && !isObject) return { kind: "close" };
  const flags = ["oneway", "more", "upgrade"].map((name) => message.get(name));
  if (flags.some((flag) => flag !== undefined && typeof flag !== "boolean")) return { kind: "close" };
  if (flags.filter((flag) => flag === true).length > 1) return { kind: "close" };
  const [oneway, , upgrade] = flags;
  if (oneway === true) return { kind: "silence" };
  const reply = replyTo(method, (parameters ?? {}) as Record<string, unknown>);
  // A confirmed upgrade ends varlink on the connection; nobody took the stream, so it closes.
  return { kind: "reply", reply, thenClose: upgrade === true && !("error" in reply) };
}

function replyTo(method: string, parameters: Record<string, unknown>): object {
  const dot = method.lastIndexOf(".");
  const [iface, name] = [method.slice(0, dot), method.slice(dot + 1)];
  if (iface !== R) return { error: "org.varlink.service.InterfaceNotFound", parameters: { interface: iface } };
  if (name !== "Ping") return { error: "org.varlink.service.MethodNotFound", parameters: { method: name } };
  const unknown = Object.keys(parameters).find((key) => key !== "ping");
  const bad = unknown ?? (typeof parameters["ping"] === "string" ? undefined : "ping");
  if (bad !== undefined) return { error: "org.varlink.service.InvalidParameter", parameters: { parameter: bad } };
  return { parameters: { pong: parameters["ping"] } };
}

/** Keys with values, written as JSON text by hand so that `__proto__` and duplicates survive. */
function messageText(entries: readonly (readonly [string, unknown])[]): string {
  return `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(",")}}\0`;
}

const anyJson = fc.constantFrom<unknown>(null, true, false, 0, 1, "true", "", [], {}, [true], { a: 1 });
const entry: fc.Arbitrary<readonly [string, unknown]> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.tuple(
      fc.constant("method"),
      fc.constantFrom<unknown>(`${R}.Ping`, `${R}.Nope`, "org.example.missing.Ping", "Ping", "", ".", 42, null),
    ),
  },
  {
    weight: 3,
    arbitrary: fc.tuple(
      fc.constant("parameters"),
      fc.constantFrom<unknown>(null, {}, { ping: "x" }, { ping: 1 }, { ping: "x", extra: 1 }, [], "x", 1),
    ),
  },
  {
    weight: 4,
    arbitrary: fc.tuple(fc.constantFrom("oneway", "more", "upgrade"), fc.oneof(fc.boolean(), anyJson)),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.constantFrom("id", "Method", "__proto__", "constructor", "org.example.extension", "x.y"),
      anyJson,
    ),
  },
);

describe("call objects of every shape", () => {
  it("answers, stays silent or closes exactly as the protocol says, and keeps serving", async () => {
    const examples: (readonly (readonly [string, unknown])[])[] = [
      [["method", `${R}.Ping`], ["parameters", { ping: "x" }], ["oneway", true], ["more", true], ["upgrade", true]],
      [["method", `${R}.Ping`], ["parameters", { ping: "x" }], ["more", 1]],
      [["method", `${R}.Ping`], ["parameters", { ping: "x" }], ["oneway", "true"]],
      [["method", `${R}.Ping`], ["parameters", { ping: "x" }], ["upgrade", null]],
      [["parameters", { ping: "x" }]],
      [["method", 42]],
      [["method", `${R}.Ping`], ["parameters", { ping: "x" }], ["id", 1]],
      [["method", `${R}.Ping`], ["parameters", { ping: "x" }], ["__proto__", { polluted: true }]],
      [["method", `${R}.Ping`], ["method", 42], ["parameters", { ping: "x" }]],
      [["method", `${R}.Ping`], ["parameters", { ping: "x" }], ["org.example.extension", [1]]],
    ];
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 0, maxLength: 6 }), async (entries) => {
        logs.lines.length = 0;
        const expected = expectedOutcome(entries);
        const client = await sandbox.raw(path);
        client.send(messageText(entries) + ping("after"));
        const pong = '{"parameters":{"pong":"after"}}';
        switch (expected.kind) {
          case "close":
            expect(await repliesUntilClosed(client, 0)).toEqual([]);
            expect(logs.lines).toHaveLength(1);
            expect(logs.lines[0]).toMatch(VIOLATION);
            break;
          case "silence":
            expect(await client.nextText()).toBe(pong);
            break;
          case "reply":
            expect(JSON.parse(await client.nextText())).toEqual(expected.reply);
            if (expected.thenClose) expect(await repliesUntilClosed(client, 0)).toEqual([]);
            else expect(await client.nextText()).toBe(pong);
        }
        client.socket.destroy();
        await serverStillAnswers();
        expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
      }),
      { numRuns: 150, examples: examples.map((example) => [example]) },
    );
  });
});

describe("deep nesting", () => {
  // The message object and `parameters`, `branch` and `leaf` take four levels of the 1,024.
  const allowed = MAX_MESSAGE_DEPTH - 4;
  const deepArray = (depth: number): string => `${"[".repeat(depth)}${"]".repeat(depth)}`;
  const deepObject = (depth: number): string => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
  const check = (leafText: string): string =>
    `{"method":"${R}.Check","parameters":{"branch":{"leaf":${leafText},"leaves":[],"byName":{},"nested":{"inner":${JSON.stringify(leaf())},"depth":0}}}}\0`;
  const leafWith = (field: string, text: string): string => {
    const base = JSON.stringify(leaf());
    return base.replace(`"${field}":${JSON.stringify(leaf()[field])}`, `"${field}":${text}`);
  };

  it("accepts the deepest allowed nesting where the type is object, and names the field where it is not", async () => {
    const client = await sandbox.raw(path);
    client.send(check(leafWith("any", deepObject(allowed))));
    expect(await client.nextText()).toBe('{"parameters":{"ok":true}}');
    client.send(check(leafWith("ids", deepArray(allowed))));
    expect(JSON.parse(await client.nextText())).toEqual({
      error: "org.varlink.service.InvalidParameter",
      parameters: { parameter: "branch.leaf.ids[0]" },
    });
    client.send(`{"method":"${R}.Ping","parameters":${deepObject(allowed)}}\0`);
    expect(JSON.parse(await client.nextText())).toEqual({
      error: "org.varlink.service.InvalidParameter",
      parameters: { parameter: "a" },
    });
    expect(logs.lines).toEqual([]);
  });

  it.each([
    ["one level too deep in an object field", () => check(leafWith("any", deepObject(allowed + 1)))],
    ["200,000 levels in an object field", () => check(leafWith("any", deepObject(200_000)))],
    ["200,000 levels in an extension field", () => `{"method":"${R}.Ping","parameters":{"ping":"x"},"org.example.extension":${deepObject(200_000)}}`],
    ["a whole message nested 200,000 levels", () => deepArray(200_000)],
  ])("closes the connection for %s, before parsing it", async (_name, message) => {
    const attacker = await sandbox.raw(path);
    attacker.send(`${message()}\0`);
    expect(await repliesUntilClosed(attacker, 0)).toEqual([]);
    expect(logs.lines).toEqual([
      `varlink: closing the connection after a protocol violation: message nests deeper than ${MAX_MESSAGE_DEPTH} levels`,
    ]);
    await serverStillAnswers();
  });
});
