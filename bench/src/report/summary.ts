/**
 * Medians and ratios from the raw figures: each pair against Go ↔ Go and against the raw Node
 * baseline, measured in the same run.
 */
import type { PairId } from "../orchestrate/peers.js";
import type { BenchResults, CodegenTask } from "../results.js";
import { median } from "../shared/timed.js";
import type { NetworkScenario } from "../shared/workload.js";

export interface NetworkRow {
  readonly scenario: NetworkScenario;
  readonly pair: PairId;
  /** Median per second; undefined when every run failed. */
  readonly perSecond: number | undefined;
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly runs: number;
  /** perSecond / Go ↔ Go's: above 1 is faster than Go. */
  readonly vsGo: number | undefined;
  /** perSecond / raw Node's: 1 is the ceiling. */
  readonly vsRaw: number | undefined;
  readonly errors: readonly string[];
}

export interface LargeRow {
  readonly megabytes: number;
  readonly pair: PairId;
  readonly seconds: number | undefined;
  readonly bytes: number | undefined;
  /** Go ↔ Go's time / this time: above 1 is faster than Go. */
  readonly vsGo: number | undefined;
  readonly vsRaw: number | undefined;
  /** Median peak memory growth as a multiple of the message size. */
  readonly clientMemory: number | undefined;
  readonly serverMemory: number | undefined;
  readonly runs: number;
  readonly errors: readonly string[];
}

export interface CodegenRow {
  readonly task: CodegenTask;
  readonly files: number;
  readonly seconds: number | undefined;
  /** This time / the Go generator's time on the same files: below 1 is faster than Go. */
  readonly vsGo: number | undefined;
  /** The time of each round, in order: rounds are measured in turns, so tasks pair by round. */
  readonly rounds: readonly number[];
  readonly runs: number;
  readonly errors: readonly string[];
}

export interface Summary {
  readonly network: NetworkRow[];
  readonly large: LargeRow[];
  readonly codegen: CodegenRow[];
}

function medianOf(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : median(values);
}

function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || b === 0 ? undefined : a / b;
}

/** The Go task each of this project's code generation tasks is compared with. */
export const GO_COUNTERPART: Record<CodegenTask, CodegenTask | undefined> = {
  "generate-set": "go-set",
  "cli-set": "go-set",
  "go-set": undefined,
  "cli-check-examples": "go-examples",
  "cli-build-examples": "go-examples",
  "go-examples": undefined,
  "scale-types": undefined,
  "scale-types-2x": undefined,
  "scale-blank": undefined,
  "scale-blank-2x": undefined,
};

/** Rows come in the order the run measured them: scenario by scenario, pairs in turn. */
export function summarize(results: BenchResults): Summary {
  const perSecond = new Map(
    results.network.map((cell) => [`${cell.scenario}/${cell.pair}`, medianOf(cell.perSecond)]),
  );
  const network = results.network.map((cell): NetworkRow => {
    const value = perSecond.get(`${cell.scenario}/${cell.pair}`);
    return {
      scenario: cell.scenario,
      pair: cell.pair,
      perSecond: value,
      min: cell.perSecond.length === 0 ? undefined : Math.min(...cell.perSecond),
      max: cell.perSecond.length === 0 ? undefined : Math.max(...cell.perSecond),
      runs: cell.perSecond.length,
      vsGo: ratio(value, perSecond.get(`${cell.scenario}/go-go`)),
      vsRaw: ratio(value, perSecond.get(`${cell.scenario}/raw`)),
      errors: cell.errors,
    };
  });

  const seconds = new Map(
    results.large.map((cell) => [
      `${cell.megabytes}/${cell.pair}`,
      medianOf(cell.samples.map((s) => s.seconds)),
    ]),
  );
  const large = results.large.map((cell): LargeRow => {
    const time = seconds.get(`${cell.megabytes}/${cell.pair}`);
    const bytes = medianOf(cell.samples.map((s) => s.bytes));
    const growth = (values: (number | undefined)[]): number | undefined => {
      const known = values.filter((v): v is number => v !== undefined);
      return bytes === undefined
        ? undefined
        : ratio(medianOf(known.map((kib) => kib * 1024)), bytes);
    };
    return {
      megabytes: cell.megabytes,
      pair: cell.pair,
      seconds: time,
      bytes,
      vsGo: ratio(seconds.get(`${cell.megabytes}/go-go`), time),
      vsRaw: ratio(seconds.get(`${cell.megabytes}/raw`), time),
      clientMemory: growth(cell.samples.map((s) => s.clientGrowthKiB)),
      serverMemory: growth(cell.samples.map((s) => s.serverGrowthKiB)),
      runs: cell.samples.length,
      errors: cell.errors,
    };
  });

  const codegenSeconds = new Map(
    results.codegen.map((cell) => [cell.task, medianOf(cell.seconds)]),
  );
  const codegen = results.codegen.map((cell): CodegenRow => {
    const value = codegenSeconds.get(cell.task);
    const counterpart = GO_COUNTERPART[cell.task];
    return {
      task: cell.task,
      files: cell.files,
      seconds: value,
      vsGo: counterpart === undefined ? undefined : ratio(value, codegenSeconds.get(counterpart)),
      rounds: cell.seconds,
      runs: cell.seconds.length,
      errors: cell.errors,
    };
  });
  return { network, large, codegen };
}
