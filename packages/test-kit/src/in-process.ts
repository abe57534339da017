/**
 * The `varlink` and `varlink-codegen` commands run inside the test's own process: each command's
 * `main`, as its launcher in packages/cli/bin calls it, on streams of the test's and in the
 * directory the test names. A process of its own costs ~0.3 s per `varlink` run and ~1.3 s per
 * `varlink-codegen` run (TypeScript loads for ts-morph every time); here the modules load once per
 * worker. What only a process shows (the launcher, signals, a terminal, another user, the exit
 * code as the shell sees it) is left to the tests that run the bins ({@link runBin}).
 *
 * One thing a process tells that a returned promise does not: a command that leaves a socket, a
 * timer or a child behind never exits. So every run here waits for what the command opened to
 * close, and fails if it does not.
 */
import { createHook } from "node:async_hooks";
import { Readable, Writable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { isMainThread } from "node:worker_threads";
import { onTestFinished } from "vitest";
import type { CommandContext } from "../../cli/src/varlink/context.js";
import type { RunOptions, RunResult } from "./child.js";

/** The two commands of packages/cli. */
export type Command = "varlink" | "varlink-codegen";

/** A command's entry point: its arguments and streams in, its exit code out. */
export type Main = (argv: readonly string[], context: CommandContext) => Promise<number>;

/** How long what a command opened may take to close after it returned, as a process's exit would. */
const SETTLE_MS = 2_000;

async function loadMain(command: Command): Promise<Main> {
  if (command === "varlink") return (await import("../../cli/src/varlink/main.js")).main;
  return (await import("../../cli/src/codegen/main.js")).main;
}

/**
 * The runs of this process now going on: the directory they share, what was open before them,
 * the timers they set and the warnings the process emitted meanwhile.
 */
interface Runs {
  count: number;
  readonly cwd: string;
  readonly previousCwd: string;
  readonly before: Map<string, number>;
  readonly timers: TimerWatch;
  readonly warnings: string[];
  readonly onWarning: (warning: Error) => void;
}

let running: Runs | undefined;
/** The last runs' wait for what they opened to close: a new run starts after it. */
let settling: Promise<void> | undefined;

/**
 * Runs `command ARGS` to its end in this process: `options.cwd` as the working directory,
 * `options.env` over this process's environment in the command's context (with `NO_COLOR=1`, as
 * {@link runBin} does; only the variables the commands read from it, see CONTEXT_VARIABLES),
 * `options.input` on its stdin (a stream that is not a terminal; empty without it). Runs may
 * overlap only in the same directory. Rejects when the command returns with something still
 * open.
 */
export async function runMain(command: Command, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return runInProcess(await loadMain(command), command, args, options);
}

/**
 * {@link runMain} for any `main`, named `name` in failures; `settleMs` is how long what it opened
 * may take to close once it returned.
 */
export async function runInProcess(
  main: Main,
  name: string,
  args: readonly string[],
  options: RunOptions = {},
  settleMs = SETTLE_MS,
): Promise<RunResult> {
  return await execute(main, name, args, options, settleMs).result;
}

/** A command started with {@link startMain}, serving until stopped. */
export interface RunningMain {
  /** What it printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout holds `text`; rejects if the command ends first. */
  printed(text: string): Promise<void>;
  /** How it ended, once it has (and closed what it opened). */
  readonly result: Promise<RunResult>;
  /** Asks it to stop, as SIGTERM would, and resolves with how it ended. */
  stop(): Promise<RunResult>;
}

/**
 * Starts `command ARGS` in this process, for a command that serves until interrupted
 * (`varlink http-bridge`): {@link RunningMain.stop} aborts the context's signal.
 */
export async function startMain(command: Command, args: readonly string[], options: RunOptions = {}): Promise<RunningMain> {
  const main = await loadMain(command);
  const abort = new AbortController();
  const run = execute(main, command, args, options, SETTLE_MS, abort.signal);
  // Failures are the caller's through `result` or `stop()`; not an unhandled rejection meanwhile.
  run.result.catch(() => undefined);
  return {
    stdout: run.stdout.text,
    stderr: run.stderr.text,
    printed: async (text) => {
      const ended = run.result.then(
        (result) => Promise.reject(new Error(`${command} ended (${result.code}) before printing ${JSON.stringify(text)}: ${result.stderr}`)),
        (error: unknown) => Promise.reject(error),
      );
      ended.catch(() => undefined);
      await Promise.race([run.stdout.when((printed) => printed.includes(text)), ended]);
    },
    result: run.result,
    stop: () => {
      abort.abort();
      return run.result;
    },
  };
}

function execute(
  main: Main,
  name: string,
  args: readonly string[],
  options: RunOptions,
  settleMs: number,
  signal?: AbortSignal,
): { stdout: Collector; stderr: Collector; result: Promise<RunResult> } {
  if (options.uid !== undefined || options.gid !== undefined || options.stderr === "inherit") {
    throw new Error(`${name} as another user or on this process's stderr needs a process of its own: use runBin`);
  }
  const stdout = collector();
  const stderr = collector();
  const context: CommandContext = {
    stdin: input(options.input),
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: environment(options.env),
    exitCode: 0,
    ...(signal !== undefined && { signal }),
  };
  const what = [name, ...args].join(" ");
  const result = (async () => {
    const runs = await enter(options.cwd ?? process.cwd(), what);
    let code: number;
    try {
      code = await main(args, context);
    } catch (error) {
      // What the command threw comes first; a leak it also left is named with it.
      const leak = await leave(runs, what, settleMs).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      throw leak === undefined ? error : new AggregateError([error, leak], `${what} failed, and left something open`);
    }
    await leave(runs, what, settleMs);
    // Node prints a process's warnings on its stderr: so do runs here.
    return { code, stdout: stdout.text(), stderr: stderr.text() + runs.warnings.join("") };
  })();
  return { stdout, stderr, result };
}

async function enter(cwd: string, what: string): Promise<Runs> {
  while (settling !== undefined) await settling;
  if (running !== undefined) {
    if (running.cwd !== cwd) throw new Error(`overlapping runs in ${running.cwd} and ${cwd}: one working directory per process`);
    running.count += 1;
    return running;
  }
  const previousCwd = process.cwd();
  if (cwd !== previousCwd) {
    // Worker threads share their process's directory and may not change it (vitest's "threads").
    if (!isMainThread) throw new Error("runMain in another directory needs a process of its own: use a forks pool");
    process.chdir(cwd);
  }
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => {
    warnings.push(`(node:${process.pid}) ${warning.name}: ${warning.message}\n`);
  };
  process.on("warning", onWarning);
  const runs: Runs = { count: 1, cwd, previousCwd, before: openHandles(), timers: watchTimers(), warnings, onWarning };
  running = runs;
  // A run still going when its test ends (it hung, or the test did not wait for it) would leave
  // the directory changed and every later run in this worker refused: fail that test, and reset.
  try {
    onTestFinished(() => {
      if (running !== runs) return;
      reset(runs);
      throw new Error(`${what} was still running when the test ended`);
    });
  } catch {
    // Not inside a test (a beforeAll): nothing to attach to.
  }
  return runs;
}

/** When the last overlapping run returned: waits for what they opened to close, then restores the directory. */
async function leave(runs: Runs, what: string, settleMs: number): Promise<void> {
  if (running !== runs) return;
  runs.count -= 1;
  if (runs.count > 0) return;
  const wait = (async () => {
    try {
      const deadline = Date.now() + settleMs;
      let left = stillOpen(runs);
      while (left.length > 0 && Date.now() < deadline) {
        // Timers stay watched meanwhile (what the command left may set more), all but this one.
        await new Promise((resolve) => runs.timers.ignore(setTimeout(resolve, 10)));
        left = stillOpen(runs);
      }
      if (left.length > 0) {
        throw new Error(`${what} returned with ${left.join(", ")} still open: as a process it would not have exited`);
      }
    } finally {
      reset(runs);
    }
  })();
  settling = wait.then(
    () => undefined,
    () => undefined,
  );
  try {
    await wait;
  } finally {
    settling = undefined;
  }
}

/** Stops watching, forgets the runs and puts the working directory back. */
function reset(runs: Runs): void {
  runs.timers.stop();
  process.off("warning", runs.onWarning);
  if (running === runs) running = undefined;
  if (process.cwd() !== runs.previousCwd) process.chdir(runs.previousCwd);
}

function stillOpen(state: { before: Map<string, number>; timers: TimerWatch }): string[] {
  const left = extra(state.before, openHandles());
  const timers = state.timers.pending();
  if (timers > 0) left.push(`${timers} Timeout`);
  return left;
}

/**
 * Sockets, servers, children and such that keep this process alive, counted by kind
 * (TCPSocketWrap, PipeWrap, ProcessWrap, ...). Timers are watched one by one instead: the test
 * runner's own come and go all the time.
 */
function openHandles(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind !== "Timeout" && kind !== "Immediate") counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return counts;
}

function extra(before: Map<string, number>, now: Map<string, number>): string[] {
  const left: string[] = [];
  for (const [kind, count] of now) {
    const more = count - (before.get(kind) ?? 0);
    if (more > 0) left.push(`${more} ${kind}`);
  }
  return left;
}

interface TimerWatch {
  /** Stops noting new timers. */
  stop(): void;
  /** Forgets `timer` (the watch's own). */
  ignore(timer: NodeJS.Timeout): void;
  /** How many of the timers set while watching would still keep a process alive. */
  pending(): number;
}

/** Notes every timer set from now on (async_hooks sees each `Timeout` as it is made). */
function watchTimers(): TimerWatch {
  const timers: NodeJS.Timeout[] = [];
  const hook = createHook({
    init(_id, type, _trigger, resource) {
      if (type === "Timeout") timers.push(resource as NodeJS.Timeout);
    },
  }).enable();
  return {
    stop: () => hook.disable(),
    ignore: (timer) => {
      const index = timers.lastIndexOf(timer);
      if (index !== -1) timers.splice(index, 1);
    },
    // A timer that fired (once) or was cleared is marked destroyed; an unref'd one holds nothing.
    pending: () => timers.filter((timer) => !(timer as { _destroyed?: boolean })._destroyed && timer.hasRef()).length,
  };
}

/**
 * What the commands read from their context's environment. Anything else (PATH, SYSTEMD_SSH, what
 * an activated service inherits) the runtime reads from process.env, which a run here leaves as
 * it is: a test that sets it needs a process of its own.
 */
const CONTEXT_VARIABLES = ["NO_COLOR", "FORCE_COLOR"];

function environment(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  // As for a child's environment, a variable given as undefined is left out.
  for (const [name, value] of Object.entries(overrides)) {
    if (!CONTEXT_VARIABLES.includes(name)) {
      throw new Error(`${name} would not reach what the command runs (the runtime reads process.env): use runBin`);
    }
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

function input(text: string | undefined): Readable {
  const stream = new Readable({ read() {} });
  if (text !== undefined && text !== "") stream.push(Buffer.from(text));
  stream.push(null);
  return stream;
}

/** A stream that keeps what is written to it, as text. */
interface Collector {
  readonly stream: Writable;
  /** The text so far. */
  text(): string;
  /** Resolves once the text so far satisfies `done`. */
  when(done: (text: string) => boolean): Promise<void>;
}

function collector(): Collector {
  const decoder = new StringDecoder("utf8");
  let text = "";
  const waiters = new Set<() => void>();
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      text += typeof chunk === "string" ? chunk : decoder.write(chunk);
      for (const wake of [...waiters]) wake();
      callback();
    },
    decodeStrings: false,
  });
  return {
    stream,
    text: () => text,
    when: (done) =>
      new Promise((resolve) => {
        const check = (): void => {
          if (!done(text)) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
  };
}
