/**
 * The command line every client driver takes (the Go peer's flags are the same), so the
 * orchestrator starts TypeScript, raw and Go clients alike.
 */
import { parseArgs } from "node:util";

export interface DriverArgs {
  readonly address: string;
  readonly scenario: string;
  /** Milliseconds run before measuring, so JIT compilation and socket buffers settle. */
  readonly warmup: number;
  /** Milliseconds measured. */
  readonly duration: number;
  /** `large`: the message size in bytes. */
  readonly size: number;
  /** `large`: how many calls are timed (the peak memory is that of the first); the bench uses 1. */
  readonly repeat: number;
}

/** Parses `--address A --scenario S [--warmup MS] [--duration MS] [--size B] [--repeat N]`. */
export function parseDriverArgs(argv: readonly string[]): DriverArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      address: { type: "string" },
      scenario: { type: "string" },
      warmup: { type: "string", default: "200" },
      duration: { type: "string", default: "1000" },
      size: { type: "string", default: "10000000" },
      repeat: { type: "string", default: "1" },
    },
    strict: true,
  });
  if (values.address === undefined || values.scenario === undefined) {
    throw new TypeError("--address and --scenario are required");
  }
  return {
    address: values.address,
    scenario: values.scenario,
    warmup: Number(values.warmup),
    duration: Number(values.duration),
    size: Number(values.size),
    repeat: Number(values.repeat),
  };
}
