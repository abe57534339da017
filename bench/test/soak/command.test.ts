/**
 * `pnpm bench` itself, in a short run of this project's pair and the raw baseline: it starts the
 * servers, runs the client drivers in turns, and reports JSON that the report layer can read. The
 * figures are not judged (speed is never a test); that they were measured is.
 */
import { execFile, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BenchResults } from "../../src/results.js";
import type { Summary } from "../../src/report/summary.js";
import type { TargetCheck } from "../../src/report/targets.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const PUBLISHED = ["docs/benchmarks.md", "docs/benchmarks.svg", "bench/results/latest.json"];
const children: ChildProcess[] = [];

function run(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${args.join(" ")} failed: ${error.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
    children.push(child);
  });
}

beforeAll(() => {
  // `pnpm test` and `pnpm test:soak` build the bench first (`tsc -b . bench`), as `pnpm bench` does.
  if (!existsSync(path.join(ROOT, "bench/dist/main.js"))) {
    throw new Error("bench/dist/main.js is missing: run `npx tsc -b bench` in the repository root first");
  }
});

afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
});

describe("pnpm bench", () => {
  it("measures the pairs asked for in turns and reports medians, ratios and targets as JSON", async () => {
    const before = PUBLISHED.map((file) => readFileSync(path.join(ROOT, file), "utf8"));
    const { stdout, stderr } = await run([
      "bench/dist/main.js",
      "--quick",
      ...["--scenarios", "ping,stream,large", "--sizes", "1", "--pairs", "ts-ts,raw"],
      ...["--rounds", "1", "--duration", "100", "--warmup", "50", "--json", "--no-docs"],
    ]);
    const report = JSON.parse(stdout) as BenchResults & { summary: Summary; targets: TargetCheck[] };

    for (const scenario of ["ping", "stream"]) {
      for (const pair of ["ts-ts", "raw"]) {
        const cell = report.network.find((c) => c.scenario === scenario && c.pair === pair);
        expect(cell?.errors).toEqual([]);
        expect(cell?.perSecond).toHaveLength(1);
        expect(cell?.perSecond[0]).toBeGreaterThan(0);
      }
    }
    expect(report.network.filter((cell) => cell.pair !== "ts-ts" && cell.pair !== "raw")).toEqual([]);
    for (const pair of ["ts-ts", "raw"]) {
      const cell = report.large.find((c) => c.pair === pair && c.megabytes === 1);
      expect(cell?.errors).toEqual([]);
      const sample = cell?.samples[0];
      expect(sample?.seconds).toBeGreaterThan(0);
      expect(sample?.bytes).toBeGreaterThan(900_000);
      expect(sample?.bytes).toBeLessThan(1_200_000);
      expect(sample?.clientGrowthKiB).toBeGreaterThanOrEqual(0);
      expect(sample?.serverGrowthKiB).toBeGreaterThanOrEqual(0);
    }
    const ping = report.summary.network.find((row) => row.scenario === "ping" && row.pair === "ts-ts");
    expect(ping?.vsRaw).toBeGreaterThan(0);
    const target = report.targets.find((check) => check.name === "ping: ts ↔ ts vs raw Node");
    expect(typeof target?.met).toBe("boolean");
    expect(stderr).toMatch(/\[1\/1\] ping ts → ts: [\d,]+\/s/);
    // Only a complete run publishes; --no-docs and --quick leave the published files alone.
    expect(PUBLISHED.map((file) => readFileSync(path.join(ROOT, file), "utf8"))).toEqual(before);
  }, 180_000);

  it("refuses an unknown pair with a usage error", async () => {
    await expect(run(["bench/dist/main.js", "--pairs", "ts-nope"])).rejects.toThrow(/ts-nope/);
  }, 60_000);
});
