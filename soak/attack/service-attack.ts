/**
 * One attack on the service, measured: its baseline after a full collection, a well-behaved
 * client pinging it throughout, its peak resident set, what it holds once the attack has done all
 * it can, and afterwards whether it survived and whether connections, descriptors, budget and
 * heap came back to the baseline.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Attackers } from "./hostile.js";
import { Pinger, type PingReport } from "./pinger.js";
import type { Target, TargetStats } from "./target.js";

/** What an attack's own part reports. */
export interface Launched {
  /** The attack did all it could within its time. */
  readonly spent: boolean;
  /** Facts worth a line of their own. */
  readonly notes?: readonly string[];
  /** What went wrong beyond the common checks. */
  readonly problems?: readonly string[];
}

/** One attack on the service. */
export interface ServiceAttack {
  /** Its number in the report. */
  readonly name: string;
  /** What it sends, for the report. */
  readonly title: string;
  /** The service's messageTimeout for it, when not the default. */
  readonly messageTimeout?: number;
  /** Opens the hostile connections and resolves once they have done all they can. */
  launch(attackers: Attackers, target: Target): Promise<Launched>;
}

/** How one attack went. */
export interface ServiceAttackResult {
  readonly name: string;
  readonly title: string;
  readonly seconds: number;
  readonly survived: boolean;
  /** The service's peak resident set during the attack (VmHWM), in bytes. */
  readonly peakRss: number;
  /** Whether that peak is the attack's own (false: the process's lifetime peak). */
  readonly peakIsOwn: boolean;
  readonly baseline: TargetStats;
  /** The stats once the attack had done all it could, attackers still connected. */
  readonly held: TargetStats | undefined;
  /** The stats once the attackers were gone, if the service was alive to give them. */
  readonly after: TargetStats | undefined;
  /** The resident set once the service's log lines had settled, and how long after `after`. */
  readonly later: { readonly rss: number; readonly seconds: number } | undefined;
  readonly evictions: number;
  /** The service's log lines from the attack's start until they settled. */
  readonly logs: readonly string[];
  /** Attackers the service closed before the soak did. */
  readonly closedByService: number;
  readonly attackers: number;
  readonly pings: PingReport;
  /**
   * The longest the soak's own event loop was held up during the attack, in ms: a ping's
   * latency is the service's only if this stayed small.
   */
  readonly soakLoopDelay: number;
  readonly notes: readonly string[];
  readonly problems: readonly string[];
  readonly ok: boolean;
}

/** Heap growth after a full collection still counted as "back to baseline" (warm code, caches). */
const HEAP_SLACK = 16 * 1024 * 1024;

/** Runs `attack` against `target` and measures it. Throws only when the service was dead from the start. */
export async function runServiceAttack(target: Target, attack: ServiceAttack): Promise<ServiceAttackResult> {
  const baseline = await target.stats();
  const mark = target.mark();
  const peakIsOwn = target.resetPeak();
  // Sampled as well as read at the end: /proc forgets the peak of a process that died.
  let peakRss = target.memory()?.peak ?? 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, target.memory()?.peak ?? 0)), 100);
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const started = Date.now();
  const problems: string[] = [];
  const pinger = await Pinger.start(target.address);
  const attackers = new Attackers(target.path);
  let launched: Launched = { spent: false };
  let pings: PingReport;
  try {
    launched = await attack.launch(attackers, target);
  } catch (error) {
    problems.push(`the attack failed: ${String(error)}`);
  } finally {
    pings = await pinger.stop();
    loopDelay.disable();
  }
  const seconds = (Date.now() - started) / 1000;
  const closedByService = attackers.closed;
  const total = attackers.count;

  let held: TargetStats | undefined;
  let after: TargetStats | undefined;
  let later: ServiceAttackResult["later"];
  try {
    // What the attackers that are left still cost, before they go.
    if (target.alive) held = await target.stats();
    attackers.destroy();
    if (target.alive) {
      after = await target.settled(15_000);
      const settledAt = Date.now();
      await target.logsSettled(10_500, 25_000);
      const rss = target.memory()?.rss;
      if (rss !== undefined) later = { rss, seconds: (Date.now() - settledAt) / 1000 };
    }
  } catch (error) {
    problems.push(`no stats from the service: ${String(error)}`);
  } finally {
    attackers.destroy();
    clearInterval(sampler);
  }
  peakRss = Math.max(peakRss, target.memory()?.peak ?? 0);

  const survived = target.alive;
  if (!launched.spent) problems.push("the attack did not finish within its time");
  problems.push(...(launched.problems ?? []));
  if (!survived) problems.push(`the service died (${target.child.ending})`);
  if (pings.answered === 0) problems.push("no ping was answered");
  for (const failure of pings.failures) problems.push(`a ping failed: ${failure}`);
  if (after !== undefined) {
    if (after.connections !== 1) problems.push(`${after.connections - 1} connections left besides the control one`);
    if (after.fds !== baseline.fds) problems.push(`${after.fds} fds open, ${baseline.fds} before`);
    if (after.budgetUsed > baseline.budgetUsed) problems.push(`${after.budgetUsed} bytes still counted in the budget`);
    if (after.heapUsed >= baseline.heapUsed + HEAP_SLACK) {
      problems.push(`heap ${after.heapUsed} bytes after a full collection, ${baseline.heapUsed} before`);
    }
  } else if (survived) {
    problems.push("the service did not report its stats after the attack");
  }
  return {
    name: attack.name,
    title: attack.title,
    seconds,
    survived,
    peakRss,
    peakIsOwn,
    baseline,
    held,
    after,
    later,
    evictions: after === undefined ? 0 : after.evictions - baseline.evictions,
    logs: target.logsSince(mark),
    closedByService,
    attackers: total,
    pings,
    soakLoopDelay: loopDelay.max / 1e6,
    notes: launched.notes ?? [],
    problems,
    ok: problems.length === 0,
  };
}
