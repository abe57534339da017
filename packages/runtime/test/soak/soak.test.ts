/**
 * The soak, short: 5,000 calls over 20 connections while the service (a child process) is killed
 * or stopped and restarted three times and clients drop connections at random. Every call ends
 * exactly once, in its own reply or a ConnectionError; `pnpm soak` runs the long version.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runSoak, summaryLine } from "../../../../soak/driver.js";

const serverScript = fileURLToPath(new URL("../../../../soak/server.mjs", import.meta.url));

describe("soak", () => {
  it("ends every one of 5,000 calls exactly once through restarts and disconnects", async () => {
    const report = await runSoak({ calls: 5000, connections: 20, restarts: 3, serverScript });
    const summary = summaryLine(report);
    expect(report.ok, `${summary}\n${report.samples.join("\n")}`).toBe(true);
    expect(report.issued).toBe(5000);
    expect(report.lost).toBe(0);
    expect(report.duplicated).toBe(0);
    expect(report.wrong).toBe(0);
    expect(report.untyped).toBe(0);
    const failed = Object.values(report.typedErrors).reduce((sum, count) => sum + count, 0);
    expect(report.replies + failed, summary).toBe(5000);
    // The faults really happened: the service went down with calls in flight, clients hung up.
    expect(report.restarts).toBe(3);
    expect(report.typedErrors["ConnectionError closed"] ?? 0, summary).toBeGreaterThan(0);
    expect(report.disconnects, summary).toBeGreaterThan(0);
    expect(report.replies, summary).toBeGreaterThan(2500);
  }, 60_000);
});
