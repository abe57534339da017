/**
 * `pnpm soak`: 100,000 calls over 50 connections with random disconnects and restarts of the
 * service, then one summary line. Exits 1 when any call ended twice, wrongly, untyped, or not at
 * all. Options: --calls N, --connections N, --restarts N, --seed N.
 *
 * `pnpm soak --attack`: the memory and parsing attacks at full size, against a service in a child
 * process with V8's default heap and the runtime's default limits (the service of the CI-sized
 * tests, packages/runtime/test/soak/fixtures/attack-target.mjs), while a well-behaved
 * client pings it; then a malicious service against a client in a child process
 * (soak/attack-client.mjs). One line per attack and a final one; exits 1 when the service died, a
 * ping failed, something did not come back to its baseline, the slow sender of attack 4 was not
 * answered, or the client was not bounded.
 * The sizes (ATTACK_SIZES, CLIENT_ATTACK below):
 * 1. 243 connections each sending 15 MiB of a message without its NUL;
 * 2. 243 connections each calling a `more` method that replies every 50 ms, then sending 15 MiB
 *    of a message without its NUL ahead of it;
 * 3. 243 connections each writing 3 pipelined Echo calls of 15 MiB and reading no reply;
 * 4. 4 connections each sending a 16 MiB - 4 KiB message of nested arrays and 4 one of `[],[],…`,
 *    while a well-behaved client sends a Ping in 8 pieces over 7 s, against a service with a
 *    10 s messageTimeout (the only setting not the default);
 * 5. a service answering a `more` call with 15 MiB `continues` replies as fast as the client
 *    reads, for 15 s, to a consumer taking one every 100 ms.
 * It takes 2.5 to 4 minutes on a 2-core machine. Attack 3 is the slow one (50 to 130 s): the
 * service reads, parses, checks and serializes each 15 MiB Echo; when it runs past the default
 * writeTimeout of 60 s, attackers still connected are dropped by that too. The service's peak
 * RSS is reported, not judged: the budget bounds what connections hold, not the process.
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { AttackSizes } from "./attack/attacks.js";
import { runAttackSoak } from "./attack/run.js";
import { runSoak, summaryLine } from "./driver.js";

const MIB = 1024 * 1024;

/** The attacks on the service, at the sizes of the issue. */
const ATTACK_SIZES: AttackSizes = {
  connections: 243,
  messageBytes: 15 * MIB,
  pipelined: 3,
  parseBytes: 16 * MIB - 4096,
  parseConnections: 4,
  messageTimeout: 10_000,
};

/**
 * The attack on a client. Its bound: before the fix the client reached 4 GB; bounded, it holds
 * about one reply being read, one buffered past MORE_BUFFER_BYTES and the one its consumer has
 * (some 50 MiB), plus V8's slack for garbage. An eighth of what it reached before is the line.
 */
const CLIENT_ATTACK = { replyBytes: 15 * MIB, seconds: 15, interval: 100, peakBound: 512 * MIB };

const { values } = parseArgs({
  options: {
    attack: { type: "boolean", default: false },
    calls: { type: "string", default: "100000" },
    connections: { type: "string", default: "50" },
    restarts: { type: "string", default: "10" },
    seed: { type: "string" },
  },
});

/** A whole number from an option, or exit with a usage message. */
function count(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    process.stderr.write(`soak: --${name} must be a whole number, got ${String(text)}\n`);
    process.exit(2);
  }
  return value;
}

if (values.attack) {
  // Compiled to soak/dist/main.js; the child scripts stay next to the sources.
  const ok = await runAttackSoak({
    serviceScript: fileURLToPath(
      new URL("../../packages/runtime/test/soak/fixtures/attack-target.mjs", import.meta.url),
    ),
    sizes: ATTACK_SIZES,
    client: { ...CLIENT_ATTACK, script: fileURLToPath(new URL("../attack-client.mjs", import.meta.url)) },
    write: (line) => process.stdout.write(`${line}\n`),
  });
  // Exit rather than wait for the loop to drain: a socket the attacks left behind must not keep
  // the soak running after its report.
  process.exit(ok ? 0 : 1);
}

// Compiled to soak/dist/main.js; the server script stays next to the sources.
const serverScript = fileURLToPath(new URL("../server.mjs", import.meta.url));
const report = await runSoak({
  calls: count("calls", values.calls),
  connections: count("connections", values.connections),
  restarts: count("restarts", values.restarts),
  ...(values.seed === undefined ? {} : { seed: count("seed", values.seed) }),
  serverScript,
});
process.stdout.write(`${summaryLine(report)}\n`);
for (const sample of report.samples) process.stdout.write(`  ${sample}\n`);
process.exitCode = report.ok ? 0 : 1;
