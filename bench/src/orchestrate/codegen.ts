/**
 * The code generators, timed in turns: this project's generate() and varlink-codegen command on
 * 200 interface files, Go's varlink-go-interface-generator on the same files (it takes one file
 * per run, so it runs 200 times); the cold start of `varlink-codegen` on the example interfaces
 * whose output is current, with `--check` and as a build step runs it, beside the Go generator
 * on those; and generate() on one large interface at a size and at twice the size.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { writeExamples, writeInterfaceSet } from "../codegen/interface-set.js";
import { CODEGEN_TASKS, SCALE_INPUTS, type CodegenCell, type CodegenTask } from "../results.js";
import type { RunContext } from "./context.js";
import { CODEGEN_BIN, DIST_DIR } from "./paths.js";

export interface CodegenPlan {
  readonly rounds: number;
  readonly interfaces: number;
  readonly tasks: readonly CodegenTask[];
  /**
   * Whether the Go pairs run. Go's generator is timed whenever it is installed, as it needs no
   * Go toolchain: when this is false it is looked up on the PATH.
   */
  readonly withGo: boolean;
}

/** Whether varlink-go-interface-generator is on the PATH. */
function goGeneratorInstalled(): boolean {
  return spawnSync("sh", ["-c", "command -v varlink-go-interface-generator"]).status === 0;
}

/** Runs a command to its end; resolves to its stdout, rejects on a non-zero exit. */
function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on(
      "data",
      (chunk: Buffer) => (stderr = (stderr + chunk.toString("utf8")).slice(-4000)),
    );
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) resolve(stdout);
      else
        reject(
          new Error(
            `${path.basename(command)} ${args.slice(-3).join(" ")} exited ${code}: ${stderr.trim()}`,
          ),
        );
    });
  });
}

/** Wall time of `body`, in seconds. */
async function wall(body: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await body();
  return (performance.now() - start) / 1000;
}

/** Go's generator, once per file, one after the other, as a build script would run it. */
async function goGenerate(dir: string): Promise<void> {
  for (const name of readdirSync(dir)
    .filter((file) => file.endsWith(".varlink"))
    .sort()) {
    await run("varlink-go-interface-generator", [path.join(dir, name)]);
  }
}

export async function runCodegen(context: RunContext, plan: CodegenPlan): Promise<CodegenCell[]> {
  const root = path.join(context.scratch, "codegen");
  const set = path.join(root, "set");
  const goSet = path.join(root, "go-set");
  const examples = path.join(root, "examples");
  const goExamples = path.join(root, "go-examples");
  const interfaces = writeInterfaceSet(set, plan.interfaces);
  const exampleCount = writeExamples(examples);
  // Go writes its output next to its input: it gets copies, so the inputs stay the same for all.
  cpSync(set, goSet, { recursive: true });
  cpSync(examples, goExamples, { recursive: true });
  const examplesOut = path.join(root, "examples-gen");
  // Generated once: the --check and build-step tasks time runs on output that is current.
  await run(process.execPath, [CODEGEN_BIN, examples, "-o", examplesOut]);
  const withGo = plan.withGo || goGeneratorInstalled();
  const scale = (task: keyof typeof SCALE_INPUTS) => ({
    files: 1,
    go: false,
    time: async () => {
      const { kind, size } = SCALE_INPUTS[task];
      const driver = path.join(DIST_DIR, "codegen", "scale-driver.js");
      return (
        JSON.parse(await run(process.execPath, [driver, kind, String(size)])) as { seconds: number }
      ).seconds;
    },
  });

  const tasks: Record<CodegenTask, { files: number; go: boolean; time: () => Promise<number> }> = {
    "generate-set": {
      files: interfaces,
      go: false,
      time: async () => {
        const out = await run(process.execPath, [
          path.join(DIST_DIR, "codegen", "generate-driver.js"),
          set,
        ]);
        return (JSON.parse(out) as { seconds: number }).seconds;
      },
    },
    "cli-set": {
      files: interfaces,
      go: false,
      time: () => {
        // A clean build: every file is written.
        const out = path.join(root, "cli-out");
        rmSync(out, { recursive: true, force: true });
        return wall(() => run(process.execPath, [CODEGEN_BIN, set, "-o", out]));
      },
    },
    "go-set": { files: interfaces, go: true, time: () => wall(() => goGenerate(goSet)) },
    "cli-check-examples": {
      files: exampleCount,
      go: false,
      time: () =>
        wall(() => run(process.execPath, [CODEGEN_BIN, examples, "-o", examplesOut, "--check"])),
    },
    "cli-build-examples": {
      files: exampleCount,
      go: false,
      time: () => wall(() => run(process.execPath, [CODEGEN_BIN, examples, "-o", examplesOut])),
    },
    "go-examples": {
      files: exampleCount,
      go: true,
      time: () => wall(() => goGenerate(goExamples)),
    },
    "scale-types": scale("scale-types"),
    "scale-types-2x": scale("scale-types-2x"),
    "scale-blank": scale("scale-blank"),
    "scale-blank-2x": scale("scale-blank-2x"),
  };

  const cells = CODEGEN_TASKS.filter(
    (task) => plan.tasks.includes(task) && (withGo || !tasks[task].go),
  ).map((task): CodegenCell => ({ task, files: tasks[task].files, seconds: [], errors: [] }));
  for (let round = 1; round <= plan.rounds; round++) {
    for (const cell of cells) {
      try {
        const seconds = await tasks[cell.task].time();
        cell.seconds.push(seconds);
        context.log(`[${round}/${plan.rounds}] codegen ${cell.task}: ${seconds.toFixed(2)} s`);
      } catch (error) {
        cell.errors.push((error as Error).message);
        context.log(
          `[${round}/${plan.rounds}] codegen ${cell.task}: FAILED ${(error as Error).message}`,
        );
      }
    }
  }
  return cells;
}
