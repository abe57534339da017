/**
 * The attack soak: the four attacks on a service, one after another, then the attack on a
 * client, each reported as it ends. Every child process is killed and the sockets' directory
 * removed at the end, also when the soak fails, throws or is interrupted.
 */
import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serviceAttacks, type AttackSizes } from "./attacks.js";
import { runClientAttack, type ClientAttackOptions } from "./client-attack.js";
import { killAll, mib } from "./processes.js";
import { clientAttackLines, finalLine, serviceAttackLines } from "./report.js";
import { runServiceAttack } from "./service-attack.js";
import { Target } from "./target.js";

/** What to run. */
export interface AttackSoakOptions {
  /** the attack target of the reliability tests (fixtures/attack-target.mjs) */
  readonly serviceScript: string;
  readonly sizes: AttackSizes;
  /** The client-side attack; its socket directory is the soak's. */
  readonly client: Omit<ClientAttackOptions, "dir">;
  /** Where report lines go, as they are ready. */
  readonly write: (line: string) => void;
}

/** Runs every attack and reports; resolves true when all held. */
export async function runAttackSoak(options: AttackSoakOptions): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), "varlink-attack-soak-"));
  // Whatever ends the process before the finally below runs (an interrupt, an exit from
  // elsewhere), no child outlives it and the sockets' directory goes.
  const onExit = (): void => {
    killAll();
    rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = (): never => process.exit(130);
  process.once("exit", onExit);
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  const started = Date.now();
  let total = 0;
  let failed = 0;
  let budget = "service memory budget unknown";
  let target: Target | undefined;
  /** Counts an attack and writes its lines. */
  const report = (ok: boolean, lines: readonly string[]): void => {
    total++;
    if (!ok) failed++;
    for (const line of lines) options.write(line);
  };
  try {
    for (const attack of serviceAttacks(options.sizes)) {
      try {
        // The same service goes on from attack to attack (recovering is part of the test), unless
        // it died or the attack wants another messageTimeout.
        if (target === undefined || !target.alive || target.messageTimeout !== attack.messageTimeout) {
          await target?.stop();
          target = undefined;
          target = await Target.start(options.serviceScript, dir, `service-${attack.name}`, attack.messageTimeout);
          const { budgetLimit } = await target.stats();
          budget = `service memory budget ${mib(budgetLimit)} (the default, a quarter of V8's default heap limit)`;
        }
        const result = await runServiceAttack(target, attack);
        report(result.ok, serviceAttackLines(result));
      } catch (error) {
        report(false, [`attack ${attack.name} FAILED: ${attack.title}: ${String(error)}`]);
      }
    }
    await target?.stop();
    target = undefined;
    try {
      const result = await runClientAttack({ ...options.client, dir });
      report(result.ok, clientAttackLines(result));
    } catch (error) {
      report(false, [`attack 5 FAILED: ${String(error)}`]);
    }
  } finally {
    await target?.stop();
    killAll();
    await rm(dir, { recursive: true, force: true });
    process.off("exit", onExit);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  options.write(finalLine(failed, total, (Date.now() - started) / 1000, budget));
  return failed === 0;
}
