/**
 * The kit's in-process runner: commands see the directory, environment and input a test gives, and
 * a command that returns with something still open fails the run, as its process would never
 * exit.
 */
import { realpathSync } from "node:fs";
import { createServer } from "node:net";
import { text } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import { runInProcess, runMain, useSandbox, type Main } from "@varlink-ts/test-kit";

const sandbox = useSandbox({ prefix: "varlink-kit-" });

describe("runInProcess", () => {
  it("gives the command its directory, environment and input, and returns its output and code", async () => {
    const before = process.cwd();
    const main: Main = async (argv, context) => {
      context.stdout.write(`${argv.join(",")} in ${process.cwd()}\n`);
      context.stderr.write(`NO_COLOR=${context.env["NO_COLOR"] ?? "unset"} FORCE_COLOR=${context.env["FORCE_COLOR"]}\n`);
      context.stdout.write(`read ${await text(context.stdin)}\n`);
      return 3;
    };
    const result = await runInProcess(main, "probe", ["a", "b"], {
      cwd: sandbox.dir,
      input: "hello",
      env: { NO_COLOR: undefined, FORCE_COLOR: "1" },
    });
    expect(result).toEqual({
      code: 3,
      stdout: `a,b in ${realpathSync(sandbox.dir)}\nread hello\n`,
      stderr: "NO_COLOR=unset FORCE_COLOR=1\n",
    });
    expect(process.cwd()).toBe(before);
  });

  it("fails a command that returns with a timer still set, and names it", async () => {
    let timer: NodeJS.Timeout | undefined;
    const main: Main = async () => {
      timer = setInterval(() => undefined, 1_000);
      return 0;
    };
    try {
      await expect(runInProcess(main, "probe", ["--leak"], { cwd: sandbox.dir }, 200)).rejects.toThrow(
        "probe --leak returned with 1 Timeout still open: as a process it would not have exited",
      );
    } finally {
      clearInterval(timer);
    }
  });

  it("fails a command that leaves a server listening", async () => {
    const server = createServer();
    const main: Main = async () => {
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return 0;
    };
    try {
      await expect(runInProcess(main, "probe", [], {}, 200)).rejects.toThrow(/1 TCPServerWrap still open/);
    } finally {
      server.close();
    }
  });

  it("waits for what closes soon after the command returns, as a process's exit would", async () => {
    const main: Main = async () => {
      setTimeout(() => undefined, 50);
      return 0;
    };
    expect(await runInProcess(main, "probe", [], {})).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("puts a warning the process emitted meanwhile on the command's stderr, as Node would", async () => {
    const main: Main = async () => {
      process.emitWarning("something odd", "ProbeWarning");
      await new Promise((resolve) => setImmediate(resolve));
      return 0;
    };
    const result = await runInProcess(main, "probe", []);
    expect(result.stderr).toBe(`(node:${process.pid}) ProbeWarning: something odd\n`);
  });

  it("refuses an environment variable that would not reach what the command runs", async () => {
    const main: Main = async () => 0;
    await expect(runInProcess(main, "probe", [], { env: { PATH: "/nowhere" } })).rejects.toThrow(
      "PATH would not reach what the command runs (the runtime reads process.env): use runBin",
    );
  });

  it("names the command's own failure first when it also left something open", async () => {
    let timer: NodeJS.Timeout | undefined;
    const main: Main = async () => {
      timer = setInterval(() => undefined, 1_000);
      throw new Error("broken");
    };
    try {
      const failure = await runInProcess(main, "probe", [], {}, 100).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(AggregateError);
      expect((failure as AggregateError).errors.map((error: Error) => error.message)).toEqual([
        "broken",
        "probe returned with 1 Timeout still open: as a process it would not have exited",
      ]);
    } finally {
      clearInterval(timer);
    }
  });

  it("starts a run only once the last one's wait for what it opened is over", async () => {
    let first = true;
    const main: Main = async () => {
      // The first run leaves a timer that ends after it returned; the second starts meanwhile.
      if (first) setTimeout(() => undefined, 100);
      first = false;
      return 0;
    };
    const elsewhere = await sandbox.tempDir();
    const [one, two] = await Promise.all([
      runInProcess(main, "one", [], { cwd: sandbox.dir }),
      new Promise((resolve) => setTimeout(resolve, 20)).then(() => runInProcess(main, "two", [], { cwd: elsewhere })),
    ]);
    expect([one.code, two.code]).toEqual([0, 0]);
  });

  it("refuses runs that overlap in different directories", async () => {
    let release = (): void => undefined;
    const slow: Main = () => new Promise((resolve) => (release = () => resolve(0)));
    const first = runInProcess(slow, "slow", [], { cwd: sandbox.dir });
    await expect(runInProcess(slow, "other", [], { cwd: await sandbox.tempDir() })).rejects.toThrow(/overlapping runs/);
    release();
    expect((await first).code).toBe(0);
  });
});

describe("runMain", () => {
  it("runs the varlink command's main", async () => {
    const result = await runMain("varlink", ["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
