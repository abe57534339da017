/**
 * Publishes a complete run: bench/results/latest.json, the chart, and the tables between the
 * markers in docs/benchmarks.md (the rest of that page is written by hand).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CHART_FILE, renderChart } from "../chart.js";
import { LATEST_RESULTS, REPO_DIR } from "../orchestrate/paths.js";
import type { BenchResults } from "../results.js";
import type { Summary } from "./summary.js";

const DOC = path.join(REPO_DIR, "docs", "benchmarks.md");
const START = "<!-- bench:results:start -->";
const END = "<!-- bench:results:end -->";

/** Writes the published files; returns the paths written, relative to the repository. */
export function publish(results: BenchResults, summary: Summary, tables: string): string[] {
  mkdirSync(path.dirname(LATEST_RESULTS), { recursive: true });
  writeFileSync(LATEST_RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(CHART_FILE, renderChart(results, summary));
  const written = [LATEST_RESULTS, CHART_FILE];
  const doc = readFileSync(DOC, "utf8");
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start !== -1 && end > start) {
    writeFileSync(DOC, `${doc.slice(0, start + START.length)}\n${tables}\n${doc.slice(end)}`);
    written.push(DOC);
  }
  return written.map((file) => path.relative(REPO_DIR, file));
}
