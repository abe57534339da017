/** The bench's command line. */
import { parseArgs } from "node:util";
import { PAIRS, type PairId } from "./orchestrate/peers.js";
import { CODEGEN_TASKS, type CodegenTask } from "./results.js";
import { NETWORK_SCENARIOS, type NetworkScenario } from "./shared/workload.js";

// `workers`: ping-8conn against our server in one process and from 2 workers (orchestrate/workers.ts).
// `bridge`: our client on a unix socket and through the HTTP bridge's WebSocket (orchestrate/bridge.ts).
export const ALL_SCENARIOS = [...NETWORK_SCENARIOS, "large", "codegen", "workers", "bridge"] as const;
export type Scenario = (typeof ALL_SCENARIOS)[number];

export interface BenchOptions {
  readonly quick: boolean;
  readonly json: boolean;
  /** Write bench/results/latest.json, docs/benchmarks.svg and the table in docs/benchmarks.md. */
  readonly docs: boolean;
  readonly network: readonly NetworkScenario[];
  readonly large: boolean;
  readonly codegen: boolean;
  /** One process against a pool of workers (`serveWorkers`), plain and CPU-heavy Ping. */
  readonly workers: boolean;
  /** Ping and pipelined Ping directly and through `serveHttp`'s WebSocket mode. */
  readonly bridge: boolean;
  readonly pairs: readonly PairId[];
  readonly rounds: number;
  readonly largeRounds: number;
  readonly codegenRounds: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly megabytes: readonly number[];
  /** Code generation tasks to time. */
  readonly codegenTasks: readonly CodegenTask[];
  /** Every scenario and every pair: only such runs may replace the published results. */
  readonly complete: boolean;
}

export const USAGE = `Usage: pnpm bench [options]

Measures this project's client and server side by side with Go's varlink implementation and a
raw Node baseline, in turns, and prints medians and ratios.

Options:
  --quick                 a short run (about a minute): fewer rounds, shorter measurements
  --scenarios LIST        comma-separated, from: ${ALL_SCENARIOS.join(", ")} (default: all)
  --pairs LIST            comma-separated, from: ${PAIRS.map((pair) => pair.id).join(", ")} (default: all)
  --rounds N              rounds of the timed scenarios; each figure is the median (default 5, quick 3)
  --duration MS           measured milliseconds per client run (default 600, quick 120)
  --warmup MS             milliseconds run before measuring (default 200, quick 100)
  --sizes LIST            large: message sizes in MB (default 1,4,10,16; quick 1,10)
  --json                  print the results as JSON on stdout (progress stays on stderr)
  --no-docs               do not update docs/benchmarks.md, docs/benchmarks.svg and bench/results/
  -h, --help              print this help

A complete run (not --quick, all scenarios and pairs) updates docs/benchmarks.md, its chart and
bench/results/latest.json unless --no-docs is given.`;

function list<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  what: string,
): T[] {
  if (value === undefined) return [...allowed];
  const items = value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  for (const item of items) {
    if (!allowed.includes(item as T))
      throw new UsageError(`unknown ${what} "${item}"; choose from ${allowed.join(", ")}`);
  }
  return items as T[];
}

function positive(value: string | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`${what} must be a positive number, got "${value}"`);
  return n;
}

export class UsageError extends Error {}

/** Parses the command line; returns undefined for --help. */
export function parseOptions(argv: readonly string[]): BenchOptions | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        quick: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        "no-docs": { type: "boolean", default: false },
        scenarios: { type: "string" },
        pairs: { type: "string" },
        rounds: { type: "string" },
        duration: { type: "string" },
        warmup: { type: "string" },
        sizes: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) return undefined;
  const quick = values.quick;
  const scenarios = list(values.scenarios, ALL_SCENARIOS, "scenario");
  const pairs = list(
    values.pairs,
    PAIRS.map((pair) => pair.id),
    "pair",
  );
  const rounds = Math.round(positive(values.rounds, quick ? 3 : 5, "--rounds"));
  const megabytes =
    values.sizes === undefined
      ? quick
        ? [1, 10]
        : [1, 4, 10, 16]
      : values.sizes.split(",").map((size) => positive(size, 0, "--sizes"));
  const complete =
    !quick && scenarios.length === ALL_SCENARIOS.length && pairs.length === PAIRS.length;
  return {
    quick,
    json: values.json,
    docs: complete && !values["no-docs"],
    network: NETWORK_SCENARIOS.filter((scenario) => scenarios.includes(scenario)),
    large: scenarios.includes("large"),
    codegen: scenarios.includes("codegen"),
    workers: scenarios.includes("workers"),
    bridge: scenarios.includes("bridge"),
    pairs,
    rounds,
    // Large messages and code generation take seconds per run: fewer rounds keep the run short.
    largeRounds: quick ? 1 : Math.min(rounds, 3),
    codegenRounds: quick ? 1 : Math.min(rounds, 3),
    warmupMs: positive(values.warmup, quick ? 100 : 200, "--warmup"),
    durationMs: positive(values.duration, quick ? 120 : 600, "--duration"),
    megabytes,
    // generate() does what the command does, minus the files: a quick run times the command only.
    codegenTasks: CODEGEN_TASKS.filter((task) => !quick || task !== "generate-set"),
    complete,
  };
}
