/** The results as Markdown tables: readable in a terminal, pasted as is into docs/benchmarks.md. */
import { PAIRS } from "../orchestrate/peers.js";
import { pairLabel } from "../orchestrate/peers.js";
import { SCALE_INPUTS, type BenchResults } from "../results.js";
import { count, duration, times } from "./format.js";
import type { Summary } from "./summary.js";
import type { TargetCheck } from "./targets.js";

const label = (id: string): string => pairLabel(PAIRS.find((pair) => pair.id === id)!);

const CODEGEN_LABELS: Record<string, string> = {
  "generate-set": "`generate()` (in process)",
  "cli-set": "`varlink-codegen` (whole command)",
  "go-set": "`varlink-go-interface-generator`, once per file",
  "cli-check-examples": "`varlink-codegen --check`, cold start, output current",
  "cli-build-examples": "`varlink-codegen` (build step), cold start, output current",
  "go-examples": "`varlink-go-interface-generator`, once per file",
  ...Object.fromEntries(
    Object.entries(SCALE_INPUTS).map(([task, { kind, size }]) => [
      task,
      `\`generate()\`, one interface ${kind === "types" ? "of" : "with"} ${size.toLocaleString("en-US")} ${kind === "types" ? "types" : "blank lines"}`,
    ]),
  ),
};

function table(header: string[], align: string[], rows: string[][]): string {
  const lines = [`| ${header.join(" | ")} |`, `|${align.join("|")}|`];
  for (const row of rows) lines.push(`| ${row.join(" | ")} |`);
  return lines.join("\n");
}

export function renderTables(
  results: BenchResults,
  summary: Summary,
  targets: readonly TargetCheck[],
): string {
  const parts: string[] = [];
  const { host, settings } = results;
  parts.push(
    `Measured ${results.date.slice(0, 10)} on ${host.cpus} × ${host.cpuModel}, Node ${host.node}` +
      `${host.go === undefined ? "" : `, ${host.go}`}; load average ${host.loadAverage.toFixed(1)} at the start. ` +
      `${settings.rounds} rounds of ${settings.durationMs} ms after ${settings.warmupMs} ms of warmup${settings.quick ? " (--quick)" : ""}; ` +
      `medians, with the range of the rounds. Run time ${Math.round(results.seconds)} s.`,
  );
  if (results.skipped.length > 0)
    parts.push(results.skipped.map((reason) => `Skipped: ${reason}`).join("\n"));

  if (summary.network.length > 0) {
    parts.push(
      "#### Calls per second (stream: replies per second)\n\n" +
        table(
          ["scenario", "client → server", "per second", "range", "vs Go → Go", "vs raw Node"],
          ["---", "---", "---:", "---:", "---:", "---:"],
          summary.network.map((row) => [
            row.scenario,
            label(row.pair),
            row.errors.length > 0 && row.runs === 0 ? "failed" : count(row.perSecond),
            row.min === undefined ? "" : `${count(row.min)}–${count(row.max)}`,
            times(row.vsGo),
            times(row.vsRaw),
          ]),
        ),
    );
  }
  if (summary.large.length > 0) {
    parts.push(
      "#### Large messages: one echo of N MB each way\n\n" +
        table(
          [
            "size",
            "client → server",
            "time",
            "MB/s",
            "vs Go → Go",
            "vs raw Node",
            "client peak",
            "server peak",
          ],
          ["---:", "---", "---:", "---:", "---:", "---:", "---:", "---:"],
          summary.large.map((row) => [
            `${row.megabytes} MB`,
            label(row.pair),
            row.errors.length > 0 && row.runs === 0 ? "failed" : duration(row.seconds),
            row.seconds === undefined || row.bytes === undefined
              ? "n/a"
              : (row.bytes / 1e6 / row.seconds).toFixed(0),
            times(row.vsGo),
            times(row.vsRaw),
            `${times(row.clientMemory, 1)} size`,
            `${times(row.serverMemory, 1)} size`,
          ]),
        ) +
        "\n\nPeak: the most a process's RSS rose above its level before the call, as a multiple of the message size (each way).",
    );
  }
  if (summary.codegen.length > 0) {
    parts.push(
      "#### Code generation\n\n" +
        table(
          ["what", "files", "time", "vs Go generator"],
          ["---", "---:", "---:", "---:"],
          summary.codegen.map((row) => [
            CODEGEN_LABELS[row.task] ?? row.task,
            `${row.files}`,
            row.errors.length > 0 && row.runs === 0 ? "failed" : duration(row.seconds),
            times(row.vsGo),
          ]),
        ),
    );
  }
  if (targets.length > 0) {
    parts.push(
      "#### Targets\n\n" +
        table(
          ["target", "goal", "measured", "met"],
          ["---", "---:", "---:", ":---:"],
          targets.map((t) => [
            t.name,
            t.goal,
            t.measured,
            t.met === undefined ? "n/a" : t.met ? "yes" : "**no**",
          ]),
        ),
    );
  }
  return parts.join("\n\n");
}
