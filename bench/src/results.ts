/** The results of a run, as written with --json and kept in bench/results/latest.json. */
import type { PairId } from "./orchestrate/peers.js";
import type { NetworkScenario } from "./shared/workload.js";

/** One scenario for one pair: calls (or replies) per second, one figure per round. */
export interface NetworkCell {
  readonly scenario: NetworkScenario;
  readonly pair: PairId;
  readonly perSecond: number[];
  readonly errors: string[];
}

/**
 * One `large` measurement (fresh client and server processes): the median time of its calls, and
 * how far each process's memory rose above its baseline during the first call.
 */
export interface LargeSample {
  readonly seconds: number;
  /** Size of the parameters' JSON, each way. */
  readonly bytes: number;
  readonly clientGrowthKiB: number;
  /** Undefined when the server printed no report. */
  readonly serverGrowthKiB: number | undefined;
}

export interface LargeCell {
  /** Nominal size in MB (10^6 bytes). */
  readonly megabytes: number;
  readonly pair: PairId;
  readonly samples: LargeSample[];
  readonly errors: string[];
}

/**
 * The code generation tasks: 200 files by each generator; the examples by the command on output
 * that is already current (`--check` and the build step) and by Go's generator; and one large
 * interface, at a size and at twice that size, to show that time grows linearly.
 */
export const CODEGEN_TASKS = [
  "generate-set",
  "cli-set",
  "go-set",
  "cli-check-examples",
  "cli-build-examples",
  "go-examples",
  "scale-types",
  "scale-types-2x",
  "scale-blank",
  "scale-blank-2x",
] as const;
export type CodegenTask = (typeof CODEGEN_TASKS)[number];

/** The scaling tasks' interface: its shape (see bigInterface) and size. */
export const SCALE_INPUTS = {
  "scale-types": { kind: "types", size: 2000 },
  "scale-types-2x": { kind: "types", size: 4000 },
  "scale-blank": { kind: "blank", size: 80_000 },
  "scale-blank-2x": { kind: "blank", size: 160_000 },
} as const satisfies Partial<Record<CodegenTask, { kind: "types" | "blank"; size: number }>>;

export interface CodegenCell {
  readonly task: CodegenTask;
  /** Interface files the task handles. */
  readonly files: number;
  readonly seconds: number[];
  readonly errors: string[];
}

export interface BenchResults {
  readonly version: 1;
  readonly date: string;
  readonly host: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly node: string;
    readonly go: string | undefined;
    /** Load average at the start: other work on the machine makes every figure noisier. */
    readonly loadAverage: number;
  };
  readonly settings: {
    readonly quick: boolean;
    readonly rounds: number;
    readonly warmupMs: number;
    readonly durationMs: number;
  };
  /** What could not be measured, and why (the Go pairs without Go, …). */
  readonly skipped: string[];
  readonly network: NetworkCell[];
  readonly large: LargeCell[];
  readonly codegen: CodegenCell[];
  readonly seconds: number;
}
