/**
 * Messages whose shape makes parsing them cost far more than their size: 16 MiB of nested arrays
 * (seconds of parsing and some 460 MiB of heap under `JSON.parse`), 16 MiB of empty arrays, and
 * more unique keys than the limit. The target (its own process, a 256 MiB heap) refuses each from
 * its text before parsing, while a well-behaved client is answered throughout. And a client
 * sending a message slowly is not dropped by `messageTimeout` because the process spent that
 * time on another connection.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_MESSAGE_DEPTH, MAX_MESSAGE_ELEMENTS } from "@varlink-ts/runtime/wire";
import { connect } from "@varlink-ts/runtime";
import { A, expectRecovered, Pinger, Target, type TargetStats } from "./attack-target.js";
import { RawClient, Sandbox } from "@varlink-ts/test-kit";
import { openStream } from "@varlink-ts/runtime/transport";

const SIXTEEN_MIB = 16 * 1024 * 1024 - 4096;

/** A call whose parameters hold `value`, padded to about `size` bytes by repeating `unit`. */
function call(open: string, unit: string, close: string, size: number): string {
  const count = Math.floor((size - 100) / (open.length + unit.length + close.length));
  return `{"method":"${A}.Echo","parameters":{"data":${open.repeat(count)}${unit}${close.repeat(count)}}}\0`;
}

const SHAPES: [string, () => string, RegExp][] = [
  [
    "16 MiB of nested arrays",
    () => call("[", "", "]", SIXTEEN_MIB),
    new RegExp(`message nests deeper than ${MAX_MESSAGE_DEPTH} levels`),
  ],
  [
    "16 MiB of empty arrays",
    () => `{"method":"${A}.Echo","parameters":{"data":[${"[],".repeat(Math.floor(SIXTEEN_MIB / 3) - 40)}[]]}}\0`,
    new RegExp(`message has more than ${MAX_MESSAGE_ELEMENTS} values and keys`),
  ],
  [
    "an object with 300,000 unique keys",
    () => {
      const keys = Array.from({ length: 300_000 }, (_, index) => `"k${index}":0`).join(",");
      return `{"method":"${A}.Echo","parameters":{"data":{${keys}}}}\0`;
    },
    new RegExp(`message has more than ${MAX_MESSAGE_ELEMENTS} values and keys`),
  ],
];

let sandbox: Sandbox;

beforeEach(() => {
  sandbox = new Sandbox();
});

afterEach(async () => {
  await sandbox.cleanup();
});

describe("messages of pathological shape", () => {
  it.each(SHAPES)("%s, from four connections at once: refused before parsing", async (_name, make, refusal) => {
    const target = await Target.start(sandbox);
    const baseline: TargetStats = await target.stats();
    const pinger = await Pinger.start(sandbox, target);
    const attackers = target.attack(4, make());
    expect(await target.attackSpent(attackers)).toBe(true);
    const after = await expectRecovered(target, baseline, pinger);
    expect(after.evictions).toBe(0);
    const lines = await target.logsOnceThere(4);
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      expect(line).toMatch(/^varlink: closing the connection after a protocol violation: /);
      expect(line).toMatch(refusal);
    }
  }, 120_000);

  it("accepts a message at the bounds", async () => {
    const target = await Target.start(sandbox);
    const client = sandbox.track(await connect(`unix:${target.path}`));
    // The message object is the first level; the extension field's arrays are the rest.
    const deep = `${"[".repeat(MAX_MESSAGE_DEPTH - 1)}${"]".repeat(MAX_MESSAGE_DEPTH - 1)}`;
    const raw = new RawClient(sandbox.track(await openStream(`unix:${target.path}`)));
    raw.send(`{"method":"${A}.Ping","parameters":{"ping":"deep"},"org.example.extension":${deep}}\0`);
    expect(await raw.next()).toEqual({ parameters: { pong: "deep" } });
    // As many values and keys as allowed: the call's own nine brackets, colons and commas, and
    // the rest in an array.
    const wide = `{"method":"${A}.Ping","parameters":{"ping":"wide"},"org.example.extension":[${"0,".repeat(MAX_MESSAGE_ELEMENTS - 9)}0]}\0`;
    raw.send(wide);
    expect(await raw.next()).toEqual({ parameters: { pong: "wide" } });
    expect(await client.call(`${A}.Ping`, { ping: "after" })).toEqual({ pong: "after" });
    expect(target.logs()).toEqual([]);
  }, 60_000);
});

describe("messageTimeout counts only time spent waiting for the client", () => {
  it("a slow sender is served although another connection blocked the process past its limit", async () => {
    const target = await Target.start(sandbox, 1000);
    const slow = new RawClient(sandbox.track(await openStream(`unix:${target.path}`)));
    const blocker = sandbox.track(await connect(`unix:${target.path}`));
    const message = `{"method":"${A}.Ping","parameters":{"ping":"slow"}}\0`;
    slow.send(message.slice(0, 20));
    // The first half is there before the process spends 1.5 s on another connection's call.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await blocker.call(`${A}.Block`, { ms: 1500 });
    slow.send(message.slice(20));
    expect(await slow.next()).toEqual({ parameters: { pong: "slow" } });
    expect(target.logs()).toEqual([]);
  }, 30_000);

  it("a client that never ends its message is still dropped", async () => {
    const target = await Target.start(sandbox, 300);
    const slow = new RawClient(sandbox.track(await openStream(`unix:${target.path}`)));
    slow.send(`{"method":"${A}.Ping",`);
    await slow.closed;
    expect(await target.logsOnceThere(1)).toEqual(["varlink: closing a connection whose message did not end within 300 ms"]);
  }, 30_000);
});
