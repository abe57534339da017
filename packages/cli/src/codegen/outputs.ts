/**
 * Bringing the output directory in line with a generation plan. A file whose hash line says it
 * is what the plan would generate is left alone without generating it, so a run on unchanged
 * inputs reads files and hashes them, and never loads ts-morph or prettier; the other files are
 * generated, then written or, when checking, compared.
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { isCurrent } from "@varlink-ts/codegen";
import type { GeneratedFile, GenerationPlan } from "@varlink-ts/codegen";
import { shortDiff } from "./diff.js";
import type { FileResult } from "./run.js";

/** The marker that every generated file carries near its top; only such files are ever removed. */
const GENERATED_MARKER = "DO NOT EDIT";

/** How {@link syncOutputs} treats the output directory. */
export interface SyncOptions {
  /** Compare instead of writing and removing. */
  readonly check: boolean;
  /**
   * Applied to what the plan generates before it is compared or written, changing the files
   * named in `paths`. Their hash lines cannot tell whether they are current, so those files
   * are always generated and compared.
   */
  readonly transform?: {
    readonly paths: ReadonlySet<string>;
    readonly apply: (files: GeneratedFile[]) => GeneratedFile[];
  };
}

/**
 * Writes (or, with `check`, compares) every file of `plan` into `out`, and removes (or reports)
 * generated files there that the plan no longer makes.
 */
export async function syncOutputs(plan: GenerationPlan, out: string, options: SyncOptions): Promise<FileResult[]> {
  const onDisk = await Promise.all(plan.files.map((file) => readIfThere(path.join(out, file.path))));
  const { transform } = options;
  const toGenerate = plan.files.filter((file, index) => {
    const content = onDisk[index];
    return content === undefined || transform?.paths.has(file.path) === true || !isCurrent(content, file.inputHash);
  });
  const generated = toGenerate.length === 0 ? [] : await plan.generate(toGenerate.map((file) => file.path));
  const fresh = new Map((transform?.apply(generated) ?? generated).map((file) => [file.path, file.content]));

  const results: FileResult[] = [];
  for (const [index, file] of plan.files.entries()) {
    const target = path.join(out, file.path);
    const current = onDisk[index];
    const content = fresh.get(file.path);
    // Not generated: its hash line showed it current.
    if (content === undefined || content === current) {
      results.push({ path: target, status: "unchanged" });
    } else if (options.check) {
      results.push(
        current === undefined
          ? { path: target, status: "missing" }
          : { path: target, status: "stale", diff: shortDiff(current, content) },
      );
    } else {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
      results.push({ path: target, status: "written" });
    }
  }
  const wanted = new Set(plan.files.map((file) => path.join(out, file.path)));
  for (const leftover of await previouslyGenerated(out, wanted)) {
    if (!options.check) await rm(leftover);
    results.push({ path: leftover, status: options.check ? "extra" : "removed" });
  }
  return results;
}

/** A file's text, or undefined when there is none; any other failure (EACCES, EMFILE) is thrown. */
async function readIfThere(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
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
