/**
 * The code generation run behind `varlink-codegen`, usable from build tools without the command.
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { EmitPart, ImportExtension } from "@varlink-ts/codegen";
import { shortDiff } from "./diff.js";
import { expandInputs } from "./inputs.js";

/** What the generator can emit besides the error classes and constants it always emits. */
export type EmitKind = EmitPart;

/** Every kind, the default. */
export const EMIT_KINDS: readonly EmitKind[] = ["types", "client", "server", "mock"];

/** Options of a run; the command's flags and config file map onto these one to one. */
export interface CodegenOptions {
  /** `.varlink` files, directories (searched recursively) or glob patterns. */
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
  /** Number of interfaces generated. */
  interfaces: number;
  files: FileResult[];
  /** False when checking found a stale, missing or extra file. */
  upToDate: boolean;
  durationMs: number;
}

/** The marker that every generated file carries near its top; only such files are ever removed. */
const GENERATED_MARKER = "DO NOT EDIT";

/**
 * Generates TypeScript for the inputs into `out`, writing only files whose content changed, or,
 * with `check`, compares without writing.
 *
 * @throws VarlinkSyntaxError for an invalid interface file (with file, line and column);
 *   Error for inputs that do not exist; TypeError for a `bigint` selector that selects no `int`
 *   of the inputs.
 */
export async function runCodegen(options: CodegenOptions): Promise<CodegenResult> {
  const started = performance.now();
  const cwd = options.cwd ?? process.cwd();
  const out = path.resolve(cwd, options.out);
  const inputs = await expandInputs(options.inputs, cwd);
  const sources = await Promise.all(
    inputs.map(async (file) => ({ path: path.relative(cwd, file), source: await readFile(file, "utf8") })),
  );
  // Loaded on first use: the generator brings ts-morph and prettier, which --help and usage
  // errors should not wait for.
  const { generate } = await import("@varlink-ts/codegen");
  const generated = await generate(sources, {
    emit: options.emit ?? EMIT_KINDS,
    ...(options.importExtension !== undefined && { importExtension: options.importExtension }),
    ...(options.runtimeModule !== undefined && { runtimeModule: options.runtimeModule }),
    ...(options.bigint !== undefined && { bigint: options.bigint }),
  });

  const files: FileResult[] = [];
  const wanted = new Set<string>();
  for (const file of generated) {
    const target = path.join(out, file.path);
    wanted.add(target);
    const current = await readFile(target, "utf8").catch(() => undefined);
    if (current === file.content) {
      files.push({ path: target, status: "unchanged" });
    } else if (options.check === true) {
      files.push(
        current === undefined
          ? { path: target, status: "missing" }
          : { path: target, status: "stale", diff: shortDiff(current, file.content) },
      );
    } else {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, file.content);
      files.push({ path: target, status: "written" });
    }
  }
  for (const leftover of await previouslyGenerated(out, wanted)) {
    if (options.check !== true) await rm(leftover);
    files.push({ path: leftover, status: options.check === true ? "extra" : "removed" });
  }

  return {
    inputs,
    interfaces: generated.filter((file) => path.basename(file.path) !== "index.ts").length,
    files,
    upToDate: files.every((file) => file.status === "unchanged" || file.status === "written" || file.status === "removed"),
    durationMs: performance.now() - started,
  };
}

/** Generated `.ts` files directly in `out` that this run does not produce. */
async function previouslyGenerated(out: string, wanted: ReadonlySet<string>): Promise<string[]> {
  const entries = await readdir(out, { withFileTypes: true }).catch(() => []);
  const leftovers: string[] = [];
  for (const entry of entries) {
    const file = path.join(out, entry.name);
    if (!entry.isFile() || !entry.name.endsWith(".ts") || wanted.has(file)) continue;
    const head = (await readFile(file, "utf8")).slice(0, 400);
    if (head.includes(GENERATED_MARKER)) leftovers.push(file);
  }
  return leftovers.sort();
}
