/**
 * The attacks that grew a service's memory without bound, at CI scale: hundreds of connections
 * each holding just under the message limit, as partial messages, as bytes sent ahead of a slow
 * `more` call, and as replies they never read. The target runs in its own process with a 256 MiB
 * heap and the default memory budget (a quarter of that old space); without the budget each of
 * these attacks took it past a gigabyte or crashed it. Each test checks that the process
 * survived within its bound, that a well-behaved client was answered throughout, that the budget
 * closed attackers with a log line, and that afterwards everything is back to its baseline.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { A, endlessMessage, echoCall, expectRecovered, Pinger, Target, type TargetStats } from "./attack-target.js";
import { Sandbox } from "@varlink-ts/test-kit";

/** Just under the default message limit of 16 MiB. */
const NEARLY_FULL = 16 * 1024 * 1024 - 4096;

let sandbox: Sandbox;
let target: Target;
let baseline: TargetStats;

beforeEach(async () => {
  sandbox = new Sandbox();
  target = await Target.start(sandbox);
  baseline = await target.stats();
});

afterEach(async () => {
  await sandbox.cleanup();
});

/** The attack cost its senders their connections, said in one line per 10 s at most. */
async function expectBudgetHeld(pinger: Pinger): Promise<void> {
  const after = await expectRecovered(target, baseline, pinger);
  expect(after.evictions).toBeGreaterThan(0);
  const lines = await target.logsOnceThere(1);
  expect(lines.length).toBeGreaterThanOrEqual(1);
  expect(lines.length).toBeLessThanOrEqual(3);
  for (const line of lines) expect(line).toMatch(/^varlink: closing the connection that holds the most memory: the memory budget of \d+ bytes for peers is spent/);
}

describe("a flood of connections holding just under the message limit", () => {
  it("200 connections each sending 16 MiB without its NUL: the largest are closed, the rest served", async () => {
    const pinger = await Pinger.start(sandbox, target);
    const attackers = target.attack(200, endlessMessage(NEARLY_FULL));
    expect(await target.attackSpent(attackers)).toBe(true);
    const during = await target.stats();
    expect(during.budgetUsed).toBeLessThanOrEqual(during.budgetLimit);
    await expectBudgetHeld(pinger);
  }, 120_000);

  it("200 connections each sending 16 MiB ahead of a slow more call", async () => {
    const pinger = await Pinger.start(sandbox, target);
    const attackers = target.attack(
      200,
      `{"method":"${A}.Slow","more":true}\0`,
      endlessMessage(NEARLY_FULL),
    );
    expect(await target.attackSpent(attackers)).toBe(true);
    await expectBudgetHeld(pinger);
  }, 120_000);

  it("200 connections calling Echo with 4 MiB and never reading the replies", async () => {
    const pinger = await Pinger.start(sandbox, target);
    const call = echoCall(4 * 1024 * 1024);
    const attackers = target.attack(200, call, call.repeat(3));
    expect(await target.attackSpent(attackers, "first")).toBe(true);
    await expectBudgetHeld(pinger);
  }, 120_000);
});
