/**
 * The targets, checked against a run's medians. They are benchmark figures, not timed
 * tests: a miss is reported, with its cause profiled in docs/benchmarks.md, never an error.
 */
import type { PairId } from "../orchestrate/peers.js";
import type { NetworkScenario } from "../shared/workload.js";
import type { CodegenTask } from "../results.js";
import { median } from "../shared/timed.js";
import { duration, times } from "./format.js";
import type { CodegenRow, LargeRow, Summary } from "./summary.js";

export interface TargetCheck {
  readonly name: string;
  readonly goal: string;
  readonly measured: string;
  /** Undefined when the figures needed were not measured. */
  readonly met: boolean | undefined;
}

const fixed = (n: number | undefined): string => (n === undefined ? "n/a" : n.toFixed(2));

/** Lowest ts ↔ ts figure / raw Node figure for each scenario. */
const RAW_FLOORS: Partial<Record<NetworkScenario, number>> = { ping: 0.8, echo: 0.6, stream: 0.7 };
/** Memory a large message may take at its peak, as a multiple of its size. */
const MEMORY_CEILING = 4;
/**
 * Per-MB time at the largest size over that at the smallest: linear time stays near 1, quadratic
 * time grows with the ratio of the sizes (16 from 1 to 16 MB).
 */
const LINEARITY_CEILING = 2;
/** Code generation may take this many times Go's generator time. */
const CODEGEN_CEILING = 5;
/** Seconds the command may take, from a cold start, when its output is current. */
const UNCHANGED_CEILING = 0.3;
/** Time for twice the input over time for the input: linear is 2, some start-up slack above. */
const SCALING_CEILING = 2.5;

export function checkTargets(summary: Summary): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const network = (scenario: NetworkScenario, pair: PairId) =>
    summary.network.find((row) => row.scenario === scenario && row.pair === pair);
  const scenarios = [...new Set(summary.network.map((row) => row.scenario))];

  for (const [scenario, floor] of Object.entries(RAW_FLOORS) as [NetworkScenario, number][]) {
    const row = network(scenario, "ts-ts");
    if (row === undefined) continue;
    checks.push({
      name: `${scenario}: ts ↔ ts vs raw Node`,
      goal: `≥ ${floor}`,
      measured: fixed(row.vsRaw),
      met: row.vsRaw === undefined ? undefined : row.vsRaw >= floor,
    });
  }
  const ping = network("ping", "ts-ts")?.perSecond;
  const pipelined = network("ping-pipelined", "ts-ts")?.perSecond;
  if (network("ping", "ts-ts") !== undefined && network("ping-pipelined", "ts-ts") !== undefined) {
    const factor = ping === undefined || pipelined === undefined ? undefined : pipelined / ping;
    checks.push({
      name: "ping-pipelined: ts ↔ ts vs its own ping",
      goal: "≥ 3×",
      measured: times(factor, 1),
      met: factor === undefined ? undefined : factor >= 3,
    });
  }
  for (const scenario of scenarios) {
    const ts = network(scenario, "ts-ts");
    const goClient = network(scenario, "go-ts");
    if (ts !== undefined) {
      checks.push({
        name: `${scenario}: ts ↔ ts vs Go ↔ Go`,
        goal: "> 1×",
        measured: times(ts.vsGo),
        met: ts.vsGo === undefined ? undefined : ts.vsGo > 1,
      });
    }
    if (goClient !== undefined) {
      // Beside it, what the raw Node server reaches with Go's client: Node's ceiling there.
      const ceiling = network(scenario, "go-raw")?.vsGo;
      checks.push({
        name: `${scenario}: Go client, ts server vs Go server`,
        goal: "≥ 1×",
        measured:
          ceiling === undefined ? times(goClient.vsGo) : `${times(goClient.vsGo)} (raw Node server: ${times(ceiling)})`,
        met: goClient.vsGo === undefined ? undefined : goClient.vsGo >= 1,
      });
    }
  }
  checks.push(...largeTargets(summary.large));
  for (const task of ["generate-set", "cli-set"] as const) {
    const row = summary.codegen.find((r) => r.task === task);
    if (row === undefined) continue;
    checks.push({
      name: `codegen: ${task === "cli-set" ? "varlink-codegen" : "generate()"} on ${row.files} files vs Go generator`,
      goal: `≤ ${CODEGEN_CEILING}×`,
      measured: times(row.vsGo),
      met: row.vsGo === undefined ? undefined : row.vsGo <= CODEGEN_CEILING,
    });
  }
  checks.push(...codegenTargets(summary.codegen));
  return checks;
}

/**
 * The command on current output against its ceiling, and each scaling pair: twice the input
 * may take at most {@link SCALING_CEILING} times as long.
 */
function codegenTargets(rows: readonly CodegenRow[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const rounds = (task: CodegenTask) => rows.find((row) => row.task === task)?.rounds ?? [];
  for (const [task, what] of [
    ["cli-check-examples", "--check"],
    ["cli-build-examples", "build step"],
  ] as const) {
    const row = rows.find((r) => r.task === task);
    if (row === undefined) continue;
    checks.push({
      name: `codegen: ${what} on ${row.files} current files, cold start`,
      goal: `< ${duration(UNCHANGED_CEILING)}`,
      measured: duration(row.seconds),
      met: row.seconds === undefined ? undefined : row.seconds < UNCHANGED_CEILING,
    });
  }
  for (const [base, double, what] of [
    ["scale-types", "scale-types-2x", "types"],
    ["scale-blank", "scale-blank-2x", "blank lines"],
  ] as const) {
    if (!rows.some((row) => row.task === base || row.task === double)) continue;
    // Per round, the two sizes ran one after the other: their ratio is less disturbed by other
    // work on the machine than the ratio of the medians.
    const once = rounds(base);
    const ratios = rounds(double).flatMap((two, i) => (once[i] ? [two / once[i]] : []));
    const factor = ratios.length === 0 ? undefined : median(ratios);
    checks.push({
      name: `codegen: an interface with twice the ${what} vs once (median of the rounds)`,
      goal: `≤ ${SCALING_CEILING}×`,
      measured: times(factor),
      met: factor === undefined ? undefined : factor <= SCALING_CEILING,
    });
  }
  return checks;
}

function largeTargets(rows: readonly LargeRow[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const ts = rows.filter((row) => row.pair === "ts-ts" && row.seconds !== undefined);
  if (ts.length === 0) return checks;
  for (const pair of ["ts-ts", "go-ts"] as const) {
    const measured = rows.filter((row) => row.pair === pair && row.vsGo !== undefined);
    if (measured.length === 0) continue;
    const worst = Math.min(...measured.map((row) => row.vsGo!));
    checks.push({
      name:
        pair === "ts-ts"
          ? "large (every size): ts ↔ ts vs Go ↔ Go"
          : "large (every size): Go client, ts server vs Go server",
      goal: pair === "ts-ts" ? "> 1×" : "≥ 1×",
      measured: `${times(worst)} at worst`,
      met: pair === "ts-ts" ? worst > 1 : worst >= 1,
    });
  }
  // Memory is judged at the size the issue names (10 MB), or the largest measured: at 1 MB the
  // runtime's own heap growth is as big as the message.
  const judged =
    ts.find((row) => row.megabytes === 10) ??
    ts.reduce((a, b) => (b.megabytes > a.megabytes ? b : a));
  for (const side of ["client", "server"] as const) {
    const value = side === "client" ? judged.clientMemory : judged.serverMemory;
    checks.push({
      name: `large ${judged.megabytes} MB: ts ${side} peak memory vs message size`,
      goal: `< ${MEMORY_CEILING}×`,
      measured: times(value, 1),
      met: value === undefined ? undefined : value < MEMORY_CEILING,
    });
  }
  if (ts.length >= 2) {
    const smallest = ts.reduce((a, b) => (b.megabytes < a.megabytes ? b : a));
    const largest = ts.reduce((a, b) => (b.megabytes > a.megabytes ? b : a));
    const growth = largest.seconds! / largest.megabytes / (smallest.seconds! / smallest.megabytes);
    checks.push({
      name: `large: ts ↔ ts time per MB at ${largest.megabytes} MB vs ${smallest.megabytes} MB`,
      goal: `≤ ${LINEARITY_CEILING}× (linear)`,
      measured: times(growth),
      met: growth <= LINEARITY_CEILING,
    });
  }
  return checks;
}
