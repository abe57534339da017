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
      context.stderr.write(`NO_COLOR=${context.env["NO_COLOR"]} HOME=${context.env["HOME"] ?? "unset"} X=${context.env["X"]}\n`);
      context.stdout.write(`read ${await text(context.stdin)}\n`);
      return 3;
    };
    const result = await runInProcess(main, "probe", ["a", "b"], {
      cwd: sandbox.dir,
      input: "hello",
      env: { HOME: undefined, X: "1" },
    });
    expect(result).toEqual({
      code: 3,
      stdout: `a,b in ${realpathSync(sandbox.dir)}\nread hello\n`,
      stderr: "NO_COLOR=1 HOME=unset X=1\n",
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
