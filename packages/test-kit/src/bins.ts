/**
 * The repository's built programs, run as a user runs them: `varlink` and `varlink-codegen`
 * (packages/cli/bin), and the fixture services of the command's tests that announce themselves on
 * stdout. Children of tests run the built output in dist/, which `pnpm test` builds first.
 */
import { existsSync } from "node:fs";
import { cp, mkdir } from "node:fs/promises";
import { connect } from "@varlink-ts/runtime";
import { join } from "node:path";
import { FIXTURES, REPO_ROOT } from "./fixtures.js";
import { run, shellQuote, startChild, type Child, type RunOptions, type RunResult } from "./child.js";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { runMain } from "./in-process.js";
import { Sandbox } from "./sandbox.js";

const CLI = join(REPO_ROOT, "packages/cli");

/** The `varlink` launcher. */
export const VARLINK_BIN = join(CLI, "bin/varlink.js");

/** The `varlink-codegen` launcher. */
export const CODEGEN_BIN = join(CLI, "bin/varlink-codegen.js");

/** The `varlink` command's fixture services (org.example.more and org.example.echo, on the built runtime). */
export const MORE_SERVICE = join(CLI, "test/fixtures/more-service.mjs");

/** A resolver whose table is given on its command line. */
export const RESOLVER_SERVICE = join(CLI, "test/fixtures/resolver-service.mjs");

/** Fails early, with the fix, when the packages have not been built. */
export function assertBuilt(): void {
  for (const file of ["packages/cli/dist/varlink/main.js", "packages/cli/dist/codegen/main.js", "packages/runtime/dist/index.js"]) {
    if (!existsSync(join(REPO_ROOT, file))) {
      throw new Error(`${file} is missing: run \`npx tsc -b\` in the repository root first`);
    }
  }
}

/** The options every run of a bin gets: no colours, whatever the terminal. */
function binOptions(options: RunOptions): RunOptions {
  return { ...options, env: { NO_COLOR: "1", ...options.env } };
}

/** Runs `bin` (`varlink` or `varlink-codegen`) to its end. */
export function runBin(bin: "varlink" | "varlink-codegen", args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run(process.execPath, [join(CLI, "bin", `${bin}.js`), ...args], binOptions(options));
}

/** Starts `bin` and leaves it running; the caller stops it (or use {@link Sandbox.spawn}). */
export function startBin(bin: "varlink" | "varlink-codegen", args: readonly string[], options: RunOptions = {}): Child {
  return startChild(process.execPath, [join(CLI, "bin", `${bin}.js`), ...args], binOptions(options));
}

/**
 * Runs `varlink ARGS` in the sandbox's directory to its end, `input` on its stdin (not a
 * terminal): the command's `main` in this process (see in-process.ts), which must close all it
 * opened. {@link runBin} runs the built launcher in a process of its own.
 */
export function runVarlink(sandbox: Sandbox, args: readonly string[], input = ""): Promise<RunResult> {
  return runMain("varlink", args, { cwd: sandbox.dir, input });
}

/**
 * Runs the built `varlink` in the sandbox's directory, in a process of its own, to its end: for
 * what only a process shows, such as the stderr its children inherit.
 */
export function runVarlinkProcess(sandbox: Sandbox, args: readonly string[], input = ""): Promise<RunResult> {
  return sandbox.run(process.execPath, [VARLINK_BIN, ...args], binOptions({ input }));
}

/** A fixture service process started by {@link startService}. */
export interface StartedService {
  readonly child: Child;
  /** The address it listens on, as it printed it. */
  readonly address: string;
  /** Every message clients sent it so far, parsed. */
  received(): Record<string, unknown>[];
  /** Resolves with the first message received (before or after the call) that `matches`. */
  waitForMessage(matches: (message: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /**
   * Forgets the messages received so far, so that a test sees only its own (for a service the
   * tests of a file share): sends a call of its own and waits until the service has printed it,
   * so that no message of an earlier test is still on its way.
   */
  forget(): Promise<void>;
}

/**
 * Starts a fixture service script (`node SCRIPT ARGS` in the sandbox) that prints `READY
 * <address>` once it listens and `RECEIVED <json>` for every message it is sent; resolves once it
 * is ready.
 */
export async function startService(sandbox: Sandbox, script: string, args: readonly string[]): Promise<StartedService> {
  const child = sandbox.spawn(process.execPath, [script, ...args], { env: { NO_COLOR: "1" } });
  const [, address] = await child.waitFor(/^READY (.+)$/m);
  let skipped = 0;
  const received = (): Record<string, unknown>[] =>
    child
      .lines()
      .filter((line) => line.startsWith("RECEIVED "))
      .slice(skipped)
      .map((line) => JSON.parse(line.slice("RECEIVED ".length)) as Record<string, unknown>);
  const waitForMessage = async (
    matches: (message: Record<string, unknown>) => boolean,
  ): Promise<Record<string, unknown>> => {
    for (;;) {
      const message = received().find(matches);
      if (message !== undefined) return message;
      if (child.closed) throw new Error(`${script} exited without receiving the message: ${child.stderr()}`);
      await child.changed();
    }
  };
  return {
    child,
    address: address!,
    received,
    waitForMessage,
    async forget() {
      const marker = `org.varlinkts.barrier${Math.random().toString(36).slice(2)}`;
      const client = await connect(address!);
      try {
        await client.call("org.varlink.service.GetInterfaceDescription", { interface: marker }).catch(() => undefined);
      } finally {
        client.close();
      }
      const isMarker = (message: Record<string, unknown>): boolean =>
        (message["parameters"] as { interface?: unknown } | undefined)?.interface === marker;
      await waitForMessage(isMarker);
      skipped += received().findIndex(isMarker) + 1;
    },
  };
}

/**
 * Starts a program that prints `Listening on ADDRESS` once it listens (the examples' servers);
 * resolves with it and the address it announced (the real port for `tcp:…:0`).
 */
export async function startServer(
  sandbox: Sandbox,
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<{ server: Child; address: string }> {
  const server = sandbox.spawn(command, args, options);
  const [, address] = await server.waitFor(/^Listening on (.+)$/m);
  return { server, address: address! };
}

/** `varlink bridge --connect ADDRESS` as a command line for /bin/sh, as a user gives it to --bridge. */
export function bridgeCommand(address: string): string {
  return [process.execPath, VARLINK_BIN, "bridge", "--connect", address].map(shellQuote).join(" ");
}

/**
 * Runs `varlink bridge --connect ADDRESS` in the sandbox with `messages` on its stdin (then
 * closed), and splits what it wrote into messages.
 */
export async function speakThroughBridge(
  sandbox: Sandbox,
  address: string,
  messages: readonly object[],
): Promise<RunResult & { replies: unknown[] }> {
  const input = messages.map((message) => `${JSON.stringify(message)}\0`).join("");
  const result = await runVarlink(sandbox, ["bridge", "--connect", address], input);
  const replies = result.stdout
    .split("\0")
    .filter((text) => text !== "")
    .map((text) => JSON.parse(text) as unknown);
  return { ...result, replies };
}

/**
 * A fixture service that the tests of a file (or of the `describe` block this is called in)
 * share: started before the first of them, stopped after the last, and forgetting before each
 * test the messages earlier tests caused. Its members are there once the tests run.
 */
export function useFixtureService(script: string = MORE_SERVICE, name = "more.sock"): StartedService {
  const shared = new Sandbox("varlink-service-");
  let started: StartedService | undefined;
  const service = (): StartedService => {
    if (started === undefined) throw new Error(`${script} is not started: use the service inside a test`);
    return started;
  };
  beforeAll(async () => {
    started = await startService(shared, script, [`--varlink=${shared.socket(name)}`]);
  });
  afterAll(() => shared.cleanup());
  beforeEach(() => service().forget());
  return {
    get child() {
      return service().child;
    },
    get address() {
      return service().address;
    },
    received: () => service().received(),
    waitForMessage: (matches) => service().waitForMessage(matches),
    forget: () => service().forget(),
  };
}

/** A matcher for {@link StartedService.waitForMessage}: a call of `method` with exactly these parameters. */
export function isCall(method: string, parameters: object): (message: Record<string, unknown>) => boolean {
  return (message) => message["method"] === method && JSON.stringify(message["parameters"]) === JSON.stringify(parameters);
}

/** Copies interface files of fixtures/interop (`org.example.more.varlink`, …) into `DIR/interfaces/`. */
export async function copyInterfaces(dir: string, names: readonly string[]): Promise<void> {
  await mkdir(join(dir, "interfaces"), { recursive: true });
  for (const name of names) await cp(join(FIXTURES, "interop", name), join(dir, "interfaces", name));
}

/**
 * `varlink-codegen interfaces -o src/gen` run once for the tests of a file, on copies of
 * fixtures/interop's `names`: `copyTo(dir)` puts what it wrote in a test's directory, for tests
 * whose subject is a later run over output that is already current.
 */
export function useGeneratedOnce(names: readonly string[]): { copyTo(dir: string): Promise<void> } {
  const template = new Sandbox("varlink-codegen-once-");
  beforeAll(async () => {
    await copyInterfaces(template.dir, names);
    const result = await runMain("varlink-codegen", ["interfaces", "-o", "src/gen"], { cwd: template.dir });
    if (result.code !== 0) throw new Error(`varlink-codegen failed: ${result.stderr}`);
  });
  afterAll(() => template.cleanup());
  return {
    copyTo: (dir) => cp(join(template.dir, "src"), join(dir, "src"), { recursive: true }),
  };
}
