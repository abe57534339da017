/**
 * The servers' side of the orchestrator's protocol (the Go peer speaks it too): print "ready"
 * once listening; on SIGUSR1 restart the peak memory and print "reset"; on SIGTERM print a
 * ServerMemory report as JSON and exit.
 */
import { resetPeak, procStatusKiB } from "./memory.js";
import type { ServerMemory } from "./report.js";

export function announceReady(): void {
  let baselineKiB = resetPeak();
  process.on("SIGUSR1", () => {
    baselineKiB = resetPeak();
    process.stdout.write("reset\n");
  });
  const stop = (): void => {
    const report: ServerMemory = { baselineKiB, peakKiB: procStatusKiB("VmHWM") };
    process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  process.stdout.write("ready\n");
}
