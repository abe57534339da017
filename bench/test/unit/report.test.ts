/**
 * The bench's report from a run's results: medians, ratios to Go and to raw Node, the issue's
 * targets, the tables and the chart. Figures here are made up; what is checked is the arithmetic
 * and what the report says about them.
 */
import { describe, expect, it } from "vitest";
import { renderChart } from "../../src/chart.js";
import type { PairId } from "../../src/orchestrate/peers.js";
import { summarize } from "../../src/report/summary.js";
import { renderTables } from "../../src/report/table.js";
import { checkTargets } from "../../src/report/targets.js";
import type { BenchResults, NetworkCell } from "../../src/results.js";
import type { NetworkScenario } from "../../src/shared/workload.js";

function cells(scenario: NetworkScenario, figures: Partial<Record<PairId, number[]>>): NetworkCell[] {
  return Object.entries(figures).map(([pair, perSecond]) => ({ scenario, pair: pair as PairId, perSecond, errors: [] }));
}

const results: BenchResults = {
  version: 1,
  date: "2026-11-25T00:00:00.000Z",
  host: { cpus: 2, cpuModel: "test CPU", node: "v20.0.0", go: "go1.19", loadAverage: 0.5 },
  settings: { quick: false, rounds: 3, warmupMs: 200, durationMs: 600 },
  skipped: [],
  network: [
    // Medians: ts-ts 20,000, raw 22,000 (0.91), go-go 8,000, go-ts 9,000, go-raw 10,000.
    ...cells("ping", { "ts-ts": [19_000, 20_000, 21_000], raw: [22_000, 30_000, 1_000], "go-go": [8_000], "go-ts": [9_000], "go-raw": [10_000] }),
    ...cells("ping-8conn", { "ts-ts": [50_000], raw: [60_000], "go-go": [45_000], "go-ts": [36_000], "go-raw": [40_000] }),
  ],
  large: [
    { megabytes: 10, pair: "ts-ts", samples: [{ seconds: 0.5, bytes: 10_000_000, clientGrowthKiB: 39_063, serverGrowthKiB: 53_711 }], errors: [] },
    { megabytes: 10, pair: "go-go", samples: [{ seconds: 0.6, bytes: 10_000_000, clientGrowthKiB: 50_000, serverGrowthKiB: 60_000 }], errors: [] },
    { megabytes: 10, pair: "raw", samples: [{ seconds: 0.55, bytes: 10_000_000, clientGrowthKiB: 45_000, serverGrowthKiB: 80_000 }], errors: [] },
  ],
  codegen: [],
  seconds: 10,
};

describe("the bench report", () => {
  const summary = summarize(results);
  const targets = checkTargets(summary);
  const target = (name: string) => targets.find((check) => check.name === name);

  it("takes the median of the rounds and the ratios to Go and to raw Node", () => {
    const ping = summary.network.find((row) => row.scenario === "ping" && row.pair === "ts-ts");
    expect(ping).toMatchObject({ perSecond: 20_000, min: 19_000, max: 21_000, runs: 3 });
    expect(ping?.vsGo).toBeCloseTo(2.5);
    expect(ping?.vsRaw).toBeCloseTo(20_000 / 22_000);
    const large = summary.large.find((row) => row.pair === "ts-ts");
    expect(large?.vsGo).toBeCloseTo(1.2);
    expect(large?.clientMemory).toBeCloseTo(4, 1);
    expect(large?.serverMemory).toBeCloseTo(5.5, 1);
  });

  it("judges the issue's targets, with Node's ceiling beside the Go client's figures", () => {
    expect(target("ping: ts ↔ ts vs raw Node")).toMatchObject({ goal: "≥ 0.8", measured: "0.91", met: true });
    expect(target("ping: Go client, ts server vs Go server")).toMatchObject({
      measured: "1.13× (raw Node server: 1.25×)",
      met: true,
    });
    expect(target("ping-8conn: Go client, ts server vs Go server")).toMatchObject({
      measured: "0.80× (raw Node server: 0.89×)",
      met: false,
    });
    expect(target("ping-8conn: ts ↔ ts vs Go ↔ Go")?.met).toBe(true);
    expect(target("large 10 MB: ts server peak memory vs message size")?.met).toBe(false);
    expect(target("large (every size): ts ↔ ts vs Go ↔ Go")?.met).toBe(true);
  });

  it("prints every pair, the go → raw Node ceiling included, and marks missed targets", () => {
    const tables = renderTables(results, summary, targets);
    expect(tables).toContain("| ping-8conn | go → raw Node | 40,000 |");
    expect(tables).toContain("| ping-8conn: Go client, ts server vs Go server | ≥ 1× | 0.80× (raw Node server: 0.89×) | **no** |");
    expect(tables).toContain("| 10 MB | ts → ts | 500 ms |");
  });

  it("draws a bar for every pair measured", () => {
    const svg = renderChart(results, summary);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.match(/<title>go → raw Node: /g)).toHaveLength(2);
    expect(svg.match(/<title>ts → ts: /g)?.length).toBe(3);
  });
});
