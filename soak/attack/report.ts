/**
 * The attack soak's report: one summary line per attack, the service's log lines and anything
 * that went wrong indented beneath it, and a final line.
 */
import type { ClientAttackResult } from "./client-attack.js";
import { mib } from "./processes.js";
import type { ServiceAttackResult } from "./service-attack.js";

/** The summary line of an attack on the service, and its detail lines. */
export function serviceAttackLines(result: ServiceAttackResult): string[] {
  const { baseline, held, after, later, pings } = result;
  const peak = `service peak RSS ${mib(result.peakRss)}${result.peakIsOwn ? "" : " (lifetime)"}`;
  const recovery =
    after === undefined
      ? "no stats after"
      : `after: ${plural(after.connections, "connection")}, ` +
        `${after.fds} fds (${baseline.fds} before), heap ${mib(after.heapUsed)} (${mib(baseline.heapUsed)} before), ` +
        `budget ${after.budgetUsed} B, RSS ${mib(after.rss)} (${mib(baseline.rss)} before` +
        `${later === undefined ? "" : `, ${mib(later.rss)} ${later.seconds.toFixed(0)} s later`})`;
  const summary =
    `attack ${result.name} ${result.ok ? "ok" : "FAILED"}: ${result.title}, ${result.seconds.toFixed(1)} s: ` +
    `${peak}, ${result.evictions} evictions, ${result.logs.length} log lines, ` +
    `${result.closedByService} of ${result.attackers} attackers closed by the service; ` +
    `${pings.answered} pings answered, slowest ${pings.slowest.toFixed(0)} ms ` +
    `(soak's own loop held up ${result.soakLoopDelay.toFixed(0)} ms at most), ${pings.failures.length} failed; ` +
    `${result.survived ? "survived" : "DIED"}; ${recovery}`;
  const holding =
    held === undefined
      ? []
      : [
          `  held once spent, after a full collection: budget ${mib(held.budgetUsed)} over ` +
            `${plural(held.connections - 1, "attacker")} still connected, heap ${mib(held.heapUsed)}, ` +
            `external ${mib(held.external)}, RSS ${mib(held.rss)}`,
        ];
  return [
    summary,
    ...holding,
    ...result.notes.map((note) => `  ${note}`),
    ...logLines(result.logs),
    ...problemLines(result.problems),
  ];
}

/** The summary line of the client-side attack, and its detail lines. */
export function clientAttackLines(result: ClientAttackResult): string[] {
  const summary =
    `attack 5 ${result.ok ? "ok" : "FAILED"}: ${result.title}, ${result.seconds.toFixed(1)} s: ` +
    `client peak RSS ${mib(result.peakRss)} (bound ${mib(result.peakBound)}), heap at the end ${mib(result.heapUsed)}, ` +
    `${result.taken} replies taken, ${result.sent} handed to the socket by the service`;
  return [summary, ...problemLines(result.problems)];
}

/** The final line. */
export function finalLine(failed: number, total: number, seconds: number, budget: string): string {
  return (
    `attack soak ${failed === 0 ? "ok" : "FAILED"}: ${total - failed} of ${total} attacks held in ` +
    `${seconds.toFixed(0)} s; ${budget}`
  );
}

/** The service's log lines, the same line once with its count. */
function logLines(logs: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const line of logs) counts.set(line, (counts.get(line) ?? 0) + 1);
  return [...counts].map(([line, count]) => `  log${count > 1 ? ` ×${count}` : ""}: ${line}`);
}

/** "1 thing", "2 things". */
function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function problemLines(problems: readonly string[]): string[] {
  return problems.map((problem) => `  problem: ${problem}`);
}
