/**
 * The SVG chart of a run, made by the bench itself from its results: calls per second and large
 * message throughput relative to the raw Node baseline (the ceiling, 1.0), and code generation
 * time beside Go's generator.
 *
 * Also a command, to redraw the chart from saved results:
 *   node bench/dist/chart.js [bench/results/latest.json] [docs/benchmarks.svg]
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { LATEST_RESULTS, REPO_DIR } from "./orchestrate/paths.js";
import { PAIRS, pairLabel, type PairId } from "./orchestrate/peers.js";
import { count, duration } from "./report/format.js";
import { summarize, type Summary } from "./report/summary.js";
import type { BenchResults } from "./results.js";

const COLORS: Record<PairId, string> = {
  "ts-ts": "#2f6fde",
  "go-go": "#00a29c",
  "ts-go": "#8fb3f0",
  "go-ts": "#7fd3cf",
  raw: "#9a9a9a",
  "go-raw": "#c8c8c8",
};

const WIDTH = 880;
const LABEL = 170;
const BAR_AREA = 520;
const BAR = 13;
const GAP = 3;

interface Bar {
  readonly pair: PairId | undefined;
  readonly color: string;
  readonly label: string;
  /** Bar length in the panel's unit. */
  readonly value: number | undefined;
  /** Printed after the bar. */
  readonly text: string;
}

interface Group {
  readonly title: string;
  readonly bars: readonly Bar[];
}

const escapeXml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** One panel: a title, groups of horizontal bars, and a reference line at `reference`. */
function panel(
  top: number,
  title: string,
  groups: readonly Group[],
  reference: number | undefined,
): { svg: string; height: number } {
  const values = groups.flatMap((group) => group.bars.map((bar) => bar.value ?? 0));
  const scale = Math.max(reference ?? 0, ...values) * 1.05 || 1;
  const x = (value: number): number => LABEL + (Math.min(value, scale) / scale) * BAR_AREA;
  const out: string[] = [`<text x="10" y="${top + 16}" class="title">${escapeXml(title)}</text>`];
  let y = top + 30;
  for (const group of groups) {
    out.push(`<text x="10" y="${y + 11}" class="group">${escapeXml(group.title)}</text>`);
    for (const bar of group.bars) {
      const end = bar.value === undefined ? LABEL : x(bar.value);
      out.push(
        `<rect x="${LABEL}" y="${y}" width="${(end - LABEL).toFixed(1)}" height="${BAR}" fill="${bar.color}"><title>${escapeXml(`${bar.label}: ${bar.text}`)}</title></rect>`,
        `<text x="${(end + 4).toFixed(1)}" y="${y + 10}" class="value">${escapeXml(bar.text)}</text>`,
      );
      y += BAR + GAP;
    }
    y += 8;
  }
  if (reference !== undefined) {
    out.push(
      `<line x1="${x(reference)}" y1="${top + 26}" x2="${x(reference)}" y2="${y - 6}" class="reference"/>`,
    );
  }
  return { svg: out.join("\n"), height: y - top };
}

const label = (id: PairId): string => pairLabel(PAIRS.find((pair) => pair.id === id)!);

export function renderChart(results: BenchResults, summary: Summary = summarize(results)): string {
  const parts: string[] = [];
  let top = 10;
  const scenarios = [...new Set(summary.network.map((row) => row.scenario))];
  if (scenarios.length > 0) {
    const groups = scenarios.map((scenario) => ({
      title: scenario,
      bars: summary.network
        .filter((row) => row.scenario === scenario)
        .map((row) => ({
          pair: row.pair,
          color: COLORS[row.pair],
          label: label(row.pair),
          value: row.vsRaw,
          text: `${count(row.perSecond)}/s${row.vsRaw === undefined ? "" : ` (${row.vsRaw.toFixed(2)})`}`,
        })),
    }));
    const drawn = panel(
      top,
      "Calls per second, relative to raw Node (line = 1.0, the ceiling)",
      groups,
      1,
    );
    parts.push(drawn.svg);
    top += drawn.height + 10;
  }
  const sizes = [...new Set(summary.large.map((row) => row.megabytes))];
  if (sizes.length > 0) {
    const groups = sizes.map((megabytes) => ({
      title: `large ${megabytes} MB`,
      bars: summary.large
        .filter((row) => row.megabytes === megabytes)
        .map((row) => ({
          pair: row.pair,
          color: COLORS[row.pair],
          label: label(row.pair),
          value: row.vsRaw,
          text: `${duration(row.seconds)}${row.vsRaw === undefined ? "" : ` (${row.vsRaw.toFixed(2)})`}`,
        })),
    }));
    const drawn = panel(top, "Large echo speed, relative to raw Node (line = 1.0)", groups, 1);
    parts.push(drawn.svg);
    top += drawn.height + 10;
  }
  if (summary.codegen.length > 0) {
    const files = (task: string): number =>
      summary.codegen.find((row) => row.task === task)?.files ?? 0;
    const pairs: [string, string, string][] = [
      [`${files("cli-set")} files, command`, "cli-set", "go-set"],
      [`${files("generate-set")} files, generate()`, "generate-set", "go-set"],
      [`${files("cli-check-examples")} examples, --check`, "cli-check-examples", "go-examples"],
    ];
    const groups = pairs
      .map(([title, ours, theirs]) => ({
        title,
        bars: [ours, theirs]
          .map((task) => summary.codegen.find((row) => row.task === task))
          .filter((row) => row !== undefined)
          .map((row) => ({
            pair: undefined,
            color: row.task.startsWith("go") ? COLORS["go-go"] : COLORS["ts-ts"],
            label: row.task,
            value: row.seconds,
            text: `${duration(row.seconds)} ${row.task.startsWith("go") ? "Go generator" : "this project"}`,
          })),
      }))
      .filter((group) => group.bars.length > 0);
    const drawn = panel(top, "Code generation time (shorter is better)", groups, undefined);
    parts.push(drawn.svg);
    top += drawn.height + 10;
  }
  const legend = PAIRS.map(
    (pair, i) =>
      `<rect x="${10 + i * 150}" y="${top}" width="12" height="12" fill="${COLORS[pair.id]}"/>` +
      `<text x="${26 + i * 150}" y="${top + 10}" class="value">${escapeXml(pairLabel(pair))}</text>`,
  ).join("\n");
  const height = top + 40;
  const note = `<text x="10" y="${top + 32}" class="note">${escapeXml(
    `client → server; medians of ${results.settings.rounds} rounds, ${results.date.slice(0, 10)}, ${results.host.cpus} CPUs, Node ${results.host.node}`,
  )}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    "<style>.title{font-size:15px;font-weight:bold}.group{font-size:12px}.value{font-size:11px}.note{font-size:11px;fill:#555}.reference{stroke:#000;stroke-dasharray:4 3}</style>",
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    ...parts,
    legend,
    note,
    "</svg>",
    "",
  ].join("\n");
}

/** The chart published beside docs/benchmarks.md. */
export const CHART_FILE = path.join(REPO_DIR, "docs", "benchmarks.svg");

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const input = process.argv[2] ?? LATEST_RESULTS;
  const output = process.argv[3] ?? CHART_FILE;
  writeFileSync(output, renderChart(JSON.parse(readFileSync(input, "utf8")) as BenchResults));
  console.log(`wrote ${path.relative(process.cwd(), output)}`);
}
