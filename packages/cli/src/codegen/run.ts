/**
 * The code generation run behind `varlink-codegen`, usable from build tools without the command.
 */
import path from "node:path";
import { planGeneration } from "@varlink-ts/codegen";
import type { EmitPart, ImportExtension } from "@varlink-ts/codegen";
import { loadInputs } from "./inputs.js";
import { syncOutputs } from "./outputs.js";
import { nameServiceOrigins } from "./service-inputs.js";

/** What the generator can emit besides the error classes and constants it always emits. */
export type EmitKind = EmitPart;

/** Every kind, the default. */
export const EMIT_KINDS: readonly EmitKind[] = ["types", "client", "server", "mock"];

/** Options of a run; the command's flags and config file map onto these one to one. */
export interface CodegenOptions {
  /**
   * `.varlink` files, directories (searched recursively) or glob patterns; or services:
   * `ADDRESS` (every interface but `org.varlink.service`) or `ADDRESS/INTERFACE`.
   */
  inputs: readonly string[];
  /** The output directory: one module per interface plus `index.ts`. */
  out: string;
  /** What to emit; all kinds when absent. */
  emit?: readonly EmitKind[];
  /** Suffix of relative imports in generated code: `.js` (default), `.ts` or none. */
  importExtension?: ImportExtension;
  /** Module specifier generated code imports the runtime from; `@varlink-ts/runtime` by default. */
  runtimeModule?: string;
  /**
   * The `int` fields generated as `bigint`, as interface-qualified selectors
   * (`io.systemd.Foo`, `io.systemd.Foo.Type.field`, `io.systemd.Foo.Method.field`, ...); see the
   * generator's `bigint` option. None by default.
   */
  bigint?: readonly string[];
  /** Compare with the files on disk instead of writing them. */
  check?: boolean;
  /** Directory that relative inputs and `out` are taken from; the process's by default. */
  cwd?: string;
  /** Milliseconds each service input has to connect and send its descriptions; 10 000 by default. */
  serviceTimeout?: number;
}

/**
 * What happened to one output file: `written` or `unchanged` when writing; `stale` or `missing`
 * when checking; `removed` (writing) or `extra` (checking) for a file this generator made earlier
 * for an interface that is no longer among the inputs.
 */
export type FileStatus = "written" | "unchanged" | "stale" | "missing" | "removed" | "extra";

export interface FileResult {
  /** Absolute path of the output file. */
  path: string;
  status: FileStatus;
  /** For `stale` files: a short diff from what is on disk to what would be generated. */
  diff?: string;
}

export interface CodegenResult {
  /** The `.varlink` files read, absolute and sorted. */
  inputs: string[];
  /** The inputs that named services, as written. */
  services: string[];
  /** Number of interfaces generated. */
  interfaces: number;
  files: FileResult[];
  /** False when checking found a stale, missing or extra file. */
  upToDate: boolean;
  durationMs: number;
}

/**
 * Generates TypeScript for the inputs into `out`, writing only files whose content changed, or,
 * with `check`, compares without writing. A file whose header's hashes show it current is not
 * generated at all, so a run on unchanged inputs costs little more than reading them.
 *
 * @throws VarlinkSyntaxError for an invalid interface file (with file, line and column), or
 *   AggregateError holding one VarlinkSyntaxError per file when several are invalid;
 *   Error for inputs that do not exist or services that cannot be read; TypeError for a
 *   `bigint` selector that selects no `int` of the inputs.
 */
export async function runCodegen(options: CodegenOptions): Promise<CodegenResult> {
  const started = performance.now();
  const cwd = options.cwd ?? process.cwd();
  const out = path.resolve(cwd, options.out);
  const { files: inputs, services, sources, served } = await loadInputs(options.inputs, cwd, {
    ...(options.serviceTimeout !== undefined && { timeout: options.serviceTimeout }),
  });
  // Cheap: parses and hashes the inputs; ts-morph and prettier load only if a file is generated.
  const plan = planGeneration(sources, {
    emit: options.emit ?? EMIT_KINDS,
    ...(options.importExtension !== undefined && { importExtension: options.importExtension }),
    ...(options.runtimeModule !== undefined && { runtimeModule: options.runtimeModule }),
    ...(options.bigint !== undefined && { bigint: options.bigint }),
  });
  const files = await syncOutputs(plan, out, {
    check: options.check === true,
    // Modules from services name the address in their first line, which the hashes do not cover.
    transform: {
      paths: new Set(served.map((source) => `${source.interfaceName}.ts`)),
      apply: (generated) => nameServiceOrigins(generated, served),
    },
  });

  return {
    inputs,
    services,
    interfaces: plan.interfaces.length,
    files,
    upToDate: files.every((file) => file.status === "unchanged" || file.status === "written" || file.status === "removed"),
    durationMs: performance.now() - started,
  };
}
