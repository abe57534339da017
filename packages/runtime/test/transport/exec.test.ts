import { existsSync } from "node:fs";
import { chmod, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ConnectionError } from "@varlink-ts/runtime";
import { openStream } from "@varlink-ts/runtime/transport";
import {
  binary,
  closed,
  Collector,
  echoes,
  outcome,
  processExists,
  Sandbox,
} from "@varlink-ts/test-kit";

const builtRuntime = fileURLToPath(new URL("../../dist/transport/index.js", import.meta.url));
const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

beforeAll(() => {
  // The runtime fixture runs packages/runtime/dist, which `pnpm test` builds before running tests.
  expect(existsSync(builtRuntime), `${builtRuntime} is missing: run npx tsc -b first`).toBe(true);
});

/** What the activated-echo fixture reports on each connection. */
interface EchoReport {
  pid: number;
  listenFds: string | null;
  listenPid: string | null;
  listenFdNames: string | null;
  args: string[];
  socketPath: string | null;
  socketIsSocket: boolean;
}

/** What the activated-runtime fixture reports on each connection. */
interface RuntimeReport {
  pid: number;
  address: string | null;
  isSocket: boolean;
  env: Record<string, string | null>;
}

async function rejection(promise: Promise<unknown>): Promise<ConnectionError> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(ConnectionError);
  return error as ConnectionError;
}

describe("exec: addresses", () => {
  it("start the program with socket activation and connect to it", async () => {
    const stream = sandbox.track(await openStream(`exec:${fileURLToPath(new URL("fixtures/activated-echo.mjs", import.meta.url))}`));
    const collector = new Collector(stream);
    const report = await collector.firstLine<EchoReport>();
    const header = collector.text.indexOf("\n") + 1;

    expect(report.listenFds).toBe("1");
    expect(report.listenPid).toBe(String(report.pid));
    expect(report.listenFdNames).toBe("varlink");
    expect(report.socketPath).not.toBeNull();
    expect(report.args).toStrictEqual([`--varlink=unix:${report.socketPath}`]);
    expect(report.socketIsSocket).toBe(true);

    const data = binary(256 * 1024);
    expect((await echoes(stream, collector, data, header)).equals(data)).toBe(true);
  });

  it("pass the address's arguments before --varlink", async () => {
    const stream = sandbox.track(
      await openStream({
        kind: "exec",
        command: process.execPath,
        args: [fileURLToPath(new URL("fixtures/activated-echo.mjs", import.meta.url)), "--verbose", "two words"],
      }),
    );
    const report = await new Collector(stream).firstLine<EchoReport>();
    expect(report.args).toStrictEqual([
      "--verbose",
      "two words",
      `--varlink=unix:${report.socketPath}`,
    ]);
    expect(report.listenPid).toBe(String(report.pid));
  });

  it("find a program on PATH", async () => {
    const directory = await sandbox.tempDir();
    const program = join(directory, "varlink-test-echo-service");
    await writeFile(
      program,
      `#!/bin/sh\nexec "${process.execPath}" "${fileURLToPath(new URL("fixtures/activated-echo.mjs", import.meta.url))}" "$@"\n`,
    );
    await chmod(program, 0o755);
    const saved = process.env["PATH"];
    process.env["PATH"] = `${directory}:${saved ?? ""}`;
    try {
      const stream = sandbox.track(await openStream("exec:varlink-test-echo-service"));
      const report = await new Collector(stream).firstLine<EchoReport>();
      // The wrapper script execs node, so the pid LISTEN_PID names is still the service's.
      expect(report.listenPid).toBe(String(report.pid));
    } finally {
      process.env["PATH"] = saved;
    }
  });

  it("serve a program built on the runtime's listenFromEnvironment", async () => {
    const stream = sandbox.track(await openStream(`exec:${fileURLToPath(new URL("fixtures/activated-runtime.mjs", import.meta.url))}`));
    const collector = new Collector(stream);
    const report = await collector.firstLine<RuntimeReport>();
    expect(report.address).toMatch(/^unix:\/.*varlink-exec-.*\/varlink\.sock$/);
    expect(report.isSocket).toBe(true);
    // listenFromEnvironment removes the variables so the service's own children do not inherit them.
    expect(report.env).toStrictEqual({ LISTEN_FDS: null, LISTEN_PID: null, LISTEN_FDNAMES: null });

    const header = collector.text.indexOf("\n") + 1;
    const data = Buffer.from('{"method":"org.varlink.service.GetInfo"}\0');
    expect(await echoes(stream, collector, data, header)).toStrictEqual(data);

    // Ending our side ends the echo; the stream then closes and the service is stopped.
    stream.end();
    await closed(stream);
    expect(processExists(report.pid)).toBe(false);
    expect(existsSync(dirname(report.address?.slice("unix:".length) ?? "/"))).toBe(false);
  });

  it("terminate the child and remove its directory when the stream is destroyed", async () => {
    const stream = sandbox.track(await openStream(`exec:${fileURLToPath(new URL("fixtures/activated-echo.mjs", import.meta.url))}`));
    const report = await new Collector(stream).firstLine<EchoReport>();
    expect(processExists(report.pid)).toBe(true);
    expect(existsSync(report.socketPath ?? "/nonexistent")).toBe(true);

    stream.destroy();
    await closed(stream);
    expect(processExists(report.pid)).toBe(false);
    expect(existsSync(dirname(report.socketPath ?? "/"))).toBe(false);
  });

  it("report a child that exits at once with its command and exit status", async () => {
    const address = {
      kind: "exec" as const,
      command: process.execPath,
      args: [fileURLToPath(new URL("fixtures/exit-at-once.mjs", import.meta.url))],
    };
    // The connect may win the race against the exit (the kernel queues it for the child to accept)
    // or lose it; either way the caller learns how the child ended.
    const failure = await openStream(address).then(
      (stream) => outcome(sandbox.track(stream)),
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ConnectionError);
    expect((failure as ConnectionError).message).toContain(
      `exec:${process.execPath} ${fileURLToPath(new URL("fixtures/exit-at-once.mjs", import.meta.url))}`,
    );
    expect((failure as ConnectionError).message).toContain(
      `${process.execPath} exited with status 3`,
    );
  });

  it("report a program that does not exist as not-found", async () => {
    const path = join(await sandbox.tempDir(), "no-such-service");
    const error = await rejection(openStream(`exec:${path}`));
    expect(error.code).toBe("not-found");
    expect(error.message).toBe(`cannot start exec:${path}: ${path} does not exist`);

    const onPath = await rejection(openStream("exec:varlink-ts-no-such-command"));
    expect(onPath.code).toBe("not-found");
    expect(onPath.message).toBe(
      "cannot start exec:varlink-ts-no-such-command: varlink-ts-no-such-command was not found in PATH",
    );
  });

  it("report a file that is not executable", async () => {
    const path = join(await sandbox.tempDir(), "not-executable");
    await writeFile(path, "#!/bin/sh\n");
    await chmod(path, 0o644);
    const error = await rejection(openStream(`exec:${path}`));
    expect(error.code).toBe("io");
    expect(error.message).toBe(`cannot start exec:${path}: ${path} is not executable`);
  });

  it("reject with aborted when the signal has fired", async () => {
    const error = await rejection(
      openStream(`exec:${fileURLToPath(new URL("fixtures/activated-echo.mjs", import.meta.url))}`, { signal: AbortSignal.abort() }),
    );
    expect(error.code).toBe("aborted");
  });

  it("reject with aborted when the signal fires while the program starts", async () => {
    const controller = new AbortController();
    const pending = openStream(`exec:${fileURLToPath(new URL("fixtures/activated-echo.mjs", import.meta.url))}`, {
      signal: controller.signal,
    });
    controller.abort();
    const error = await rejection(pending);
    expect(error.code).toBe("aborted");
  });
});
