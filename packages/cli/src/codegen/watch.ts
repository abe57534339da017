/**
 * `--watch`: regenerate whenever an input changes, and keep going after errors.
 */
import { watch as watchFs, type FSWatcher } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { expandInputs } from "./inputs.js";
import { runCodegen, type CodegenOptions, type CodegenResult } from "./run.js";

/** Quiet time after the last change before regenerating: editors write a file in several steps. */
const DEBOUNCE_MS = 100;

/**
 * Runs the generator now and again after every change to a `.varlink` input, until `signal`
 * aborts. Each run's outcome (a result, or the error it threw) goes to `report`.
 */
export async function watchCodegen(
  options: CodegenOptions,
  report: (outcome: CodegenResult | Error) => void,
  signal: AbortSignal,
): Promise<void> {
  const cwd = options.cwd ?? process.cwd();
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const run = async (): Promise<void> => {
    // Watch first, so that a change made as soon as the report appears is not missed.
    await watchDirectories(await directoriesToWatch(options.inputs, cwd));
    try {
      report(await runCodegen(options));
    } catch (error) {
      report(error instanceof Error ? error : new Error(String(error)));
    }
  };
  const schedule = (file: string | null): void => {
    if (file !== null && !file.endsWith(".varlink")) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(run);
    }, DEBOUNCE_MS);
  };
  const watchDirectories = async (directories: readonly string[]): Promise<void> => {
    for (const directory of directories) {
      if (watchers.has(directory) || signal.aborted) continue;
      const watcher = watchFs(directory, { recursive: true }, (_event, file) => schedule(file));
      watcher.on("error", () => watchers.delete(directory));
      watchers.set(directory, watcher);
    }
  };

  running = run();
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
  clearTimeout(timer);
  for (const watcher of watchers.values()) watcher.close();
  await running;
}

/** The input directories, and the directories holding input files, that exist now. */
async function directoriesToWatch(inputs: readonly string[], cwd: string): Promise<string[]> {
  const directories = new Set<string>();
  for (const input of inputs) {
    const absolute = path.resolve(cwd, input);
    const info = await stat(absolute).catch(() => undefined);
    if (info?.isDirectory()) directories.add(absolute);
    else if (info?.isFile()) directories.add(path.dirname(absolute));
  }
  const files = await expandInputs(inputs, cwd).catch(() => []);
  for (const file of files) directories.add(path.dirname(file));
  return [...directories].sort();
}
