/**
 * Peak memory, read the same way in every peer (bench/peers/go/memory.go is the Go twin): VmHWM
 * from /proc/self/status, restarted from the current RSS through /proc/self/clear_refs so that it
 * covers only what is measured.
 */
import { readFileSync, writeFileSync } from "node:fs";

/** A `Vm…` field of /proc/self/status in KiB, or -1 where there is no /proc. */
export function procStatusKiB(field: "VmRSS" | "VmHWM"): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(
      readFileSync("/proc/self/status", "utf8"),
    );
    return match?.[1] === undefined ? -1 : Number(match[1]);
  } catch {
    return -1;
  }
}

/**
 * Collects garbage (when node runs with --expose-gc) and restarts the peak from the current RSS.
 * @returns that RSS in KiB.
 */
export function resetPeak(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  try {
    writeFileSync("/proc/self/clear_refs", "5");
  } catch {
    // Without clear_refs (old kernels, some sandboxes) the peak covers the process's lifetime.
  }
  return procStatusKiB("VmRSS");
}
